import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Event } from '@harness/protocol';
import { describe, expect, it } from 'vitest';
import { HarnessClient } from './client.js';
import { backoffDelay, EventStream, parseEvent, SeqGate } from './event-stream.js';

const event = (seq: number, kind = 'task.stage'): Event => ({
  id: `evt_${seq}`,
  seq,
  ts: '2026-01-01T00:00:00.000Z',
  kind,
  thread_id: null,
  turn_id: null,
  task_id: 'tsk_1',
  session_id: null,
  tool: null,
  decision: null,
  reason: null,
  duration_ms: null,
  data: { stage: 'implementing' },
  project: 'demo',
});

const frame = (e: Event) => `id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`;

describe('SeqGate and backoff', () => {
  it('lets each seq through once and in order', () => {
    const gate = new SeqGate(5);
    expect([4, 5, 6, 6, 8, 7, 9].filter((seq) => gate.accept(seq))).toEqual([6, 8, 9]);
    expect(gate.last).toBe(9);
  });

  it('backs off exponentially to 30 s, with jitter within half the ceiling', () => {
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(20, () => 0)).toBe(15_000);
  });

  it('skips data that is not an event', () => {
    expect(parseEvent('not json')).toBeNull();
    expect(parseEvent('{"kind":"x"}')).toBeNull();
    expect(parseEvent(JSON.stringify(event(3)))?.seq).toBe(3);
  });
});

describe('EventStream over a real HTTP connection', () => {
  /**
   * An SSE endpoint as the contract describes it, on a real socket: it replays the stored events
   * after Last-Event-ID, sends a keep-alive, and the first two connections drop mid-stream (after
   * the first event, the second time in the middle of a frame). Records what each request sent.
   */
  async function sseServer(stored: Event[]) {
    const requests: { lastEventId: string | undefined; authorization: string | undefined; url: string }[] =
      [];
    const server = createServer((req, res) => {
      requests.push({
        lastEventId: req.headers['last-event-id'] as string | undefined,
        authorization: req.headers.authorization,
        url: req.url ?? '',
      });
      const after = Number(req.headers['last-event-id'] ?? 0);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': keep-alive\n\n');
      // The server's replay starts one event early, as a replay racing a live append may: the
      // client must drop the duplicate.
      const pending = stored.filter((e) => e.seq >= after);
      if (requests.length === 1) res.end(frame(pending[0]!));
      else if (requests.length === 2) {
        const text = pending.slice(0, 3).map(frame).join('');
        res.end(text.slice(0, text.length - 20));
      } else res.write(pending.map(frame).join(''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      requests,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it('resumes after each drop with Last-Event-ID: every event once, in order, none lost', async () => {
    const stored = [11, 12, 13, 14, 15].map((seq) => event(seq));
    const server = await sseServer(stored);
    const seen: number[] = [];
    const statuses: string[] = [];
    let resolveAll: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (resolveAll = resolve));
    const stream = new EventStream({
      client: new HarnessClient({ baseUrl: server.url, token: () => 'secret-token', fetch }),
      afterSeq: 10,
      onEvent: (e) => {
        seen.push(e.seq);
        if (e.seq === 15) resolveAll();
      },
      onStatus: (status) => statuses.push(status),
      onAuthNeeded: () => undefined,
      sleep: async () => undefined,
    });
    stream.start();
    await all;
    stream.stop();
    await server.close();
    expect(seen).toEqual([11, 12, 13, 14, 15]);
    expect(server.requests.map((r) => r.lastEventId)).toEqual(['10', '11', '12']);
    // The token rides in the header only, never in the URL.
    expect(server.requests.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
    expect(server.requests.every((r) => r.url === '/api/events/stream')).toBe(true);
    expect(statuses.slice(0, 5)).toEqual(['live', 'reconnecting', 'live', 'reconnecting', 'live']);
  });
  it('stops and asks for a token on 401 instead of retrying', async () => {
    let calls = 0;
    const client = new HarnessClient({
      token: () => null,
      fetch: async () => {
        calls++;
        return new Response(
          JSON.stringify({ error: { code: 'unauthorized', message: 'missing or wrong bearer token' } }),
          {
            status: 401,
          },
        );
      },
    });
    const asked = new Promise<string>((resolve) => {
      const stream = new EventStream({
        client,
        afterSeq: 0,
        onEvent: () => undefined,
        onStatus: () => undefined,
        onAuthNeeded: (error) => resolve(error.message),
        sleep: async () => undefined,
      });
      stream.start();
    });
    expect(await asked).toMatch(/missing or wrong bearer token/);
    expect(calls).toBe(1);
  });
});
