/**
 * Crash safety: every thread and event the server acknowledged is still there after `kill -9`
 * and a restart on the same data directory.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HttpClient, isolatedEnv, startHttpHarness, tempDir } from '@harness/testkit';

async function connect(url: string): Promise<HttpClient> {
  const client = new HttpClient(url);
  await client.request('initialize');
  await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  return client;
}

describe('kill -9 and restart', () => {
  it('keeps every acknowledged thread and event', async () => {
    const dir = tempDir();
    const args = [
      '--transport',
      'http',
      '--data-dir',
      path.join(dir.path, 'data'),
      '--project-root',
      dir.path,
    ];
    const first = await startHttpHarness(args, isolatedEnv(dir.path));
    const client = await connect(first.url);
    const threads: string[] = [];
    const events: string[] = [];
    // Writes keep flowing while the process is killed; only acknowledged ones are expected back.
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        try {
          const thread = (await client.request('thread/start', { title: `t${i}` })) as {
            result?: { thread_id: string };
          };
          if (thread.result) threads.push(thread.result.thread_id);
          const event = (await client.request('event/log', {
            event: { kind: 'crash.test', data: { i } },
          })) as {
            result?: { event_id: string };
          };
          if (event.result) events.push(event.result.event_id);
        } catch {
          return; // the server is gone
        }
      }
    })();
    while (threads.length < 40) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    await first.stop();
    writing = false;
    await writer;

    const second = await startHttpHarness(args, isolatedEnv(dir.path));
    const after = await connect(second.url);
    const listed = (await after.request('thread/list', { limit: 1000 })) as {
      result: { threads: { id: string }[] };
    };
    const ids = new Set(listed.result.threads.map((t) => t.id));
    expect(threads.filter((id) => !ids.has(id))).toEqual([]);
    const logged = (await after.request('event/query', { kind: 'crash.test', limit: 1000 })) as {
      result: { events: { id: string }[] };
    };
    const eventIds = new Set(logged.result.events.map((e) => e.id));
    expect(events.filter((id) => !eventIds.has(id))).toEqual([]);
    expect(threads.length).toBeGreaterThanOrEqual(40);
    await second.stop();
    dir.remove();
  });
});
