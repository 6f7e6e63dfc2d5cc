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

/** A body that sends `frames`, then ends (a dropped connection). */
const body = (frames: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const text of frames) controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });

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

describe('EventStream', () => {
  it('resumes after a drop with Last-Event-ID and drops what the replay repeats', async () => {
    const requests: { lastEventId: string | null; authorization: string | null; url: string }[] = [];
    // First connection: events 11, 12, then the connection drops. The second replays 12 (a
    // duplicate), then 13 and 14. The third never answers until the test stops the stream.
    const answers = [
      () => new Response(body([frame(event(11)), ': keep-alive\n\n', frame(event(12))]), { status: 200 }),
      () => new Response(body([frame(event(12)), frame(event(13)), frame(event(14))]), { status: 200 }),
    ];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const client = new HarnessClient({
      token: () => 'secret-token',
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        requests.push({
          url: String(input),
          lastEventId: headers.get('last-event-id'),
          authorization: headers.get('authorization'),
        });
        const next = answers.shift();
        if (next) return next();
        done();
        return new Promise<Response>(() => undefined);
      },
    });
    const seen: number[] = [];
    const statuses: string[] = [];
    const stream = new EventStream({
      client,
      afterSeq: 10,
      onEvent: (e) => seen.push(e.seq),
      onStatus: (status) => statuses.push(status),
      onAuthNeeded: () => undefined,
      sleep: async () => undefined,
    });
    stream.start();
    await finished;
    stream.stop();
    expect(seen).toEqual([11, 12, 13, 14]);
    expect(requests.map((r) => r.lastEventId)).toEqual(['10', '12', '14']);
    // The token rides in the header only, never in the URL.
    expect(requests.every((r) => r.authorization === 'Bearer secret-token')).toBe(true);
    expect(requests.every((r) => !r.url.includes('secret-token'))).toBe(true);
    expect(statuses.slice(0, 4)).toEqual(['live', 'reconnecting', 'live', 'reconnecting']);
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
