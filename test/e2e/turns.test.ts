/**
 * Turns over JSON-RPC (WebSocket): the real Claude Code CLI against a scripted model, its events
 * streamed as notifications and persisted for replay, cancel in mid-turn with no process left,
 * and `agent/list`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RpcNotification } from '@harness/protocol';
import {
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  WsClient,
  isolatedEnv,
  repoRoot,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  makeRepo,
} from '@harness/testkit';

/** Live processes whose command line contains `text` (zombies count as gone). */
function processesRunning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return (
          state !== 'Z' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text)
        );
      } catch {
        return false;
      }
    })
    .map(Number);
}

const waitFor = async (check: () => boolean, what: string, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

describe('turns over WebSocket with the real Claude Code CLI', () => {
  const dir = tempDir('harness-turns-');
  let model: ScriptedAnthropicServer;
  let server: RunningHarness;
  let client: WsClient;
  const repo = makeRepo(path.join(dir.path, 'repo'));

  beforeAll(async () => {
    model = await startScriptedAnthropicServer([]);
    const env = isolatedEnv(dir.path, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      ...scriptedClaudeEnv(model.baseUrl),
    });
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data'), '--project-root', repo],
      env,
    );
    client = await WsClient.connect(server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}', false);
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await server.stop();
    await model.close();
    dir.remove();
  });

  const result = <T>(reply: unknown) => (reply as { result: T }).result;

  it('lists the agents with whether each is usable', async () => {
    const { agents } = result<{ agents: { name: string; usable: boolean; reason: string | null }[] }>(
      await client.request('agent/list'),
    );
    expect(agents.map((a) => a.name)).toEqual(['claude', 'codex', 'anthropic_api']);
    expect(agents.find((a) => a.name === 'claude')?.usable).toBe(true);
    for (const agent of agents) expect(agent.usable, agent.name).toBe(agent.reason === null);
  });

  it('runs a turn: notifications stream, the edit lands, the events replay from the store', async () => {
    model.script.push(
      {
        tool_calls: [
          {
            name: 'Bash',
            input: { command: 'echo turn > turn.txt && git add turn.txt && git commit -qm turn' },
          },
        ],
      },
      { text: 'Committed turn.txt.' },
    );
    const { thread_id } = result<{ thread_id: string }>(
      await client.request('thread/start', { agent: 'claude' }),
    );
    const { turn_id } = result<{ turn_id: string }>(
      await client.request('turn/start', { thread_id, input: 'commit a file' }),
    );
    const completed = () =>
      client.notifications.find(
        (n) => n.method === 'turn/completed' && (n.params as { turn_id: string }).turn_id === turn_id,
      );
    await waitFor(() => completed() !== undefined, 'turn/completed');
    expect((completed()!.params as { status: string }).status).toBe('completed');
    const methods = client.notifications
      .filter((n) => JSON.stringify(n.params).includes(turn_id))
      .map((n: RpcNotification) => n.method);
    expect(methods).toEqual(expect.arrayContaining(['turn/started', 'item/completed', 'turn/completed']));
    expect(methods.indexOf('turn/started')).toBeLessThan(methods.indexOf('turn/completed'));

    const { turn } = result<{ turn: { status: string; items: { type: string }[]; usage: unknown } }>(
      await client.request('turn/status', { turn_id }),
    );
    expect(turn.status).toBe('completed');
    expect(turn.items.map((i) => i.type)).toEqual(
      expect.arrayContaining(['user_message', 'command', 'agent_message']),
    );
    const { events } = result<{ events: { kind: string }[] }>(
      await client.request('event/query', { turn_id, limit: 1000 }),
    );
    expect(events.map((e) => e.kind)).toEqual(
      expect.arrayContaining(['turn.started', 'agent.command', 'agent.result', 'turn.completed']),
    );
    const { thread } = result<{ thread: { native_session_id: string | null; status: string } }>(
      await client.request('thread/resume', { thread_id }),
    );
    expect(thread.native_session_id).toBeTruthy();
    expect(thread.status).toBe('idle');
  });

  it('refuses a second turn on a busy thread, cancels in mid-turn and leaves no process behind', async () => {
    model.script.push({
      tool_calls: [{ name: 'Bash', input: { command: 'node -e "setTimeout(() => {}, 73250)"' } }],
    });
    const { thread_id } = result<{ thread_id: string }>(
      await client.request('thread/start', { agent: 'claude' }),
    );
    const { turn_id } = result<{ turn_id: string }>(
      await client.request('turn/start', { thread_id, input: 'sleep' }),
    );
    const busy = (await client.request('turn/start', { thread_id, input: 'again' })) as {
      error: { code: number };
    };
    expect(busy.error.code).toBe(-32002);
    await waitFor(() => processesRunning('73250').length > 0, 'the agent to start sleeping');
    const cancelled = result<{ cancelled: boolean; turn: { status: string } }>(
      await client.request('turn/cancel', { turn_id }),
    );
    expect(cancelled.cancelled).toBe(true);
    expect(cancelled.turn.status).toBe('cancelled');
    expect(processesRunning('73250')).toEqual([]);
    const again = result<{ cancelled: boolean }>(await client.request('turn/cancel', { turn_id }));
    expect(again.cancelled).toBe(false);
  });

  it('answers unknown turns and bad agents with clear errors', async () => {
    expect(
      ((await client.request('turn/status', { turn_id: 'turn_nope' })) as { error: { code: number } }).error
        .code,
    ).toBe(-32001);
    const { thread_id } = result<{ thread_id: string }>(await client.request('thread/start', {}));
    const bad = (await client.request('turn/start', { thread_id, input: 'x', agent: 'gpt-9' })) as {
      error: { code: number; message: string };
    };
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.message).toMatch(/unknown agent/);
  });
});
