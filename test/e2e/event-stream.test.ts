/**
 * `GET /api/events/stream` over a real `harness serve`: the stored events replayed, then live ones
 * followed; a dropped connection resumed with `Last-Event-ID` (or `?after=`) while events are being
 * written, with no gap and no duplicate; the project and task filters; bad parameters refused.
 */
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import path from 'node:path';
import type { Event } from '@harness/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  isolatedEnv,
  makeRepo,
  type RunningHarness,
  startHttpHarness,
  tempDir,
} from '@harness/testkit';

const token = 'event-stream-token-8c2d41';
const auth = { authorization: `Bearer ${token}` };

interface StreamedEvent {
  id: number;
  kind: string;
  event: Event;
}

/** Reads an SSE response the way the dashboard does: fetch and a stream reader, the token in a header. */
class EventStreamReader {
  private readonly received: StreamedEvent[] = [];
  private readonly comments: string[] = [];
  private waiter: (() => void) | null = null;
  private buffer = '';
  private ended = false;

  private constructor(
    private readonly response: Response,
    private readonly controller: AbortController,
  ) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<EventStreamReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers: { ...auth, ...headers }, signal: controller.signal });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    const reader = new EventStreamReader(response, controller);
    void reader.pump();
    return reader;
  }

  get contentType(): string | null {
    return this.response.headers.get('content-type');
  }

  /** Resolves with every event read so far, once `done` says that is enough. */
  async until(done: (events: StreamedEvent[]) => boolean): Promise<StreamedEvent[]> {
    while (!done(this.received)) {
      if (this.ended) throw new Error('the stream ended early');
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
    return [...this.received];
  }

  /** Resolves when the server ends the stream (or drop() does). */
  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
  }

  /** Drops the connection, as a closed laptop lid or a lost network would. */
  drop(): void {
    this.controller.abort();
  }

  private async pump(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          this.parse(this.buffer.slice(0, end));
          this.buffer = this.buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      // Aborted by drop().
    }
    this.ended = true;
    this.wake();
  }

  private parse(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) this.comments.push(line);
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
    }
    if (fields.id === undefined || fields.data === undefined) return;
    this.received.push({
      id: Number(fields.id),
      kind: fields.event ?? '',
      event: JSON.parse(fields.data) as Event,
    });
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = null;
    waiter?.();
  }
}

describe('GET /api/events/stream', () => {
  const dir = tempDir();
  let server: RunningHarness;
  let rpc: HttpClient;
  const streamUrl = (query = '') => `${server.url}/api/events/stream${query}`;
  const log = async (event: Record<string, unknown>): Promise<number> => {
    const reply = (await rpc.request('event/log', { event })) as {
      result?: { seq: number };
      error?: unknown;
    };
    if (!reply.result) throw new Error(`event/log failed: ${JSON.stringify(reply.error)}`);
    return reply.result.seq;
  };
  /** Every stored event after `afterSeq`, read through the API the dashboard also uses. */
  const storedAfter = async (afterSeq: number): Promise<Event[]> => {
    const all: Event[] = [];
    for (let after = afterSeq; ;) {
      const reply = (await rpc.request('event/query', { after_seq: after, limit: 1000, order: 'asc' })) as {
        result: { events: Event[]; next_after_seq: number | null };
      };
      all.push(...reply.result.events);
      if (reply.result.next_after_seq === null) return all;
      after = reply.result.next_after_seq;
    }
  };

  beforeAll(async () => {
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path, { HARNESS_API_TOKEN: token }),
    );
    rpc = new HttpClient(server.url, auth);
    await rpc.request('initialize');
    await rpc.send('{"jsonrpc":"2.0","method":"initialized"}');
    for (const name of ['alpha', 'beta']) {
      const response = await fetch(`${server.url}/api/projects`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name, root: makeRepo(path.join(dir.path, name)) }),
      });
      expect(response.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('replays the stored events, then follows new ones live', async () => {
    const first = await log({ kind: 'test.replay', data: { n: 1 } });
    await log({ kind: 'test.replay', data: { n: 2 } });
    const stream = await EventStreamReader.open(streamUrl(`?after=${first - 1}`));
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const replayed = await stream.until(
      (events) => events.filter((e) => e.kind === 'test.replay').length === 2,
    );
    expect(replayed[0]?.id).toBe(first);
    const live = await log({ kind: 'test.live', data: { title: '<img src=x onerror=alert(1)>' } });
    const all = await stream.until((events) => events.some((e) => e.id === live));
    stream.drop();
    const ids = all.map((e) => e.id);
    expect(ids).toEqual((await storedAfter(first - 1)).filter((e) => e.seq <= live).map((e) => e.seq));
    const liveEvent = all.find((e) => e.id === live);
    // The data line is the event as event/query returns it.
    expect(liveEvent?.event).toEqual((await storedAfter(live - 1))[0]);
    expect(liveEvent?.kind).toBe('test.live');
  });

  it('resumes after a dropped connection with no gap and no duplicate while events are written', async () => {
    const start = await log({ kind: 'test.start' });
    const total = 60;
    // The writer logs one event after another while the reader drops and comes back.
    const writer = (async () => {
      for (let n = 0; n < total; n += 1) await log({ kind: 'test.burst', data: { n } });
      return log({ kind: 'test.done' });
    })();
    const seen: StreamedEvent[] = [];
    let resumeFrom = start;
    let headers: Record<string, string> = {};
    let query = `?after=${start}`;
    for (let round = 0; ; round += 1) {
      const stream = await EventStreamReader.open(streamUrl(query), headers);
      const enough = (events: StreamedEvent[]) =>
        events.some((e) => e.kind === 'test.done') || events.length >= 8 + round;
      const got = await stream.until(enough);
      stream.drop();
      seen.push(...got);
      if (got.some((e) => e.kind === 'test.done')) break;
      resumeFrom = got.at(-1)?.id ?? resumeFrom;
      // Alternate the two ways to resume: the header a reconnecting client sends, and ?after=.
      if (round % 2 === 0) {
        headers = { 'last-event-id': String(resumeFrom) };
        query = '?after=0';
      } else {
        headers = {};
        query = `?after=${resumeFrom}`;
      }
    }
    const done = await writer;
    const stored = (await storedAfter(start)).filter((e) => e.seq <= done).map((e) => e.seq);
    const ids = seen.map((e) => e.id).filter((id) => id <= done);
    expect(ids).toEqual(stored);
    expect(new Set(ids).size).toBe(ids.length);
    expect(seen.filter((e) => e.kind === 'test.burst').map((e) => (e.event.data as { n: number }).n)).toEqual(
      Array.from({ length: total }, (_, n) => n),
    );
  });

  it('streams one project or one task with ?project= and ?task_id=', async () => {
    const before = await log({ kind: 'test.filter-start' });
    await log({ kind: 'test.filter', project: 'alpha', data: { n: 1 } });
    await log({ kind: 'test.filter', project: 'beta', data: { n: 2 } });
    await log({ kind: 'test.filter', task_id: 'task_one', data: { n: 3 } });
    await log({ kind: 'test.filter', task_id: 'task_two', data: { n: 4 } });
    const alpha = await EventStreamReader.open(streamUrl(`?project=alpha&after=${before}`));
    const onTask = await EventStreamReader.open(streamUrl(`?task_id=task_one&after=${before}`));
    // Live ones too: the end markers arrive after the streams are open.
    await log({ kind: 'test.filter-end', project: 'alpha' });
    await log({ kind: 'test.filter-end', task_id: 'task_one' });
    const alphaEvents = await alpha.until((events) => events.some((e) => e.kind === 'test.filter-end'));
    const taskEvents = await onTask.until((events) => events.some((e) => e.kind === 'test.filter-end'));
    alpha.drop();
    onTask.drop();
    expect(alphaEvents.map((e) => [e.kind, e.event.project])).toEqual([
      ['test.filter', 'alpha'],
      ['test.filter-end', 'alpha'],
    ]);
    expect(taskEvents.map((e) => [e.kind, e.event.task_id])).toEqual([
      ['test.filter', 'task_one'],
      ['test.filter-end', 'task_one'],
    ]);
  });

  it('refuses bad parameters with a 400 that names them', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['?after=abc', {}, /query parameter "after".*"abc"/],
      ['?after=-1', {}, /query parameter "after"/],
      ['?after=1.5', {}, /query parameter "after"/],
      ['', { 'last-event-id': 'xyz' }, /Last-Event-ID header.*"xyz"/],
      ['?since=yesterday', {}, /unknown query parameter "since"/],
      ['?project=', {}, /query parameter "project" is empty/],
      ['?task_id=a&task_id=b', {}, /query parameter "task_id" is given more than once/],
    ];
    // The task stream reads its resume point the same way.
    const taskStream = await fetch(`${server.url}/tasks/task_missing/stream?after=abc`, { headers: auth });
    expect(taskStream.status).toBe(400);
    expect(((await taskStream.json()) as { error: { message: string } }).error.message).toMatch(/"after"/);
    for (const [query, headers, message] of cases) {
      const response = await fetch(streamUrl(query), { headers: { ...auth, ...headers } });
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.message).toMatch(message);
    }
  });

  it('cuts a client that stops reading rather than queue without end, and it resumes losing nothing', async () => {
    const start = await log({ kind: 'test.flood-start' });
    // A client that reads nothing (a frozen tab): the socket buffers fill, then the server's queue.
    const { hostname, port } = new URL(server.url);
    const stalled = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(
        { hostname, port, path: `/api/events/stream?after=${start}`, headers: auth },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    stalled.pause();
    // Enough to fill the socket buffers (some 13,000 events over loopback) and then the server's
    // 10,000-event backlog, with room to spare; hence the longer timeout of this test.
    const flood = 40_000;
    for (let sent = 0; sent < flood; sent += 100) {
      const batch = Array.from({ length: 100 }, (_, i) => ({
        jsonrpc: '2.0',
        method: 'event/log',
        params: { event: { kind: 'test.flood', data: { n: sent + i } } },
      }));
      await rpc.send(JSON.stringify(batch));
    }
    const last = await log({ kind: 'test.flood-end' });
    // Reading again, the client gets what was buffered, then the end of the stream.
    const chunks: Buffer[] = [];
    stalled.on('data', (chunk: Buffer) => chunks.push(chunk));
    await new Promise<void>((resolve) => {
      stalled.once('end', resolve);
      stalled.once('close', resolve);
      stalled.resume();
    });
    const ids = [
      ...Buffer.concat(chunks)
        .toString()
        .matchAll(/^id: (\d+)$/gm),
    ].map((m) => Number(m[1]));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(flood);
    const lastRead = ids.at(-1) as number;
    // What it did read has no gap and no duplicate; it resumes from there and gets the rest.
    const resumed = await EventStreamReader.open(streamUrl(), { 'last-event-id': String(lastRead) });
    const rest = await resumed.until((events) => events.some((e) => e.id === last));
    resumed.drop();
    const received = [...ids, ...rest.map((e) => e.id).filter((id) => id <= last)];
    const stored = (await storedAfter(start)).map((e) => e.seq).filter((seq) => seq <= last);
    expect(received.length).toBe(stored.length);
    expect(received).toEqual(stored);
  }, 120_000);

  it('requires the token, and keeps serving after clients leave', async () => {
    expect((await fetch(streamUrl())).status).toBe(401);
    for (let n = 0; n < 5; n += 1) {
      const stream = await EventStreamReader.open(streamUrl());
      await stream.until((events) => events.length > 0);
      stream.drop();
    }
    const seq = await log({ kind: 'test.after-leaving' });
    const stream = await EventStreamReader.open(streamUrl(`?after=${seq - 1}`));
    expect((await stream.until((events) => events.length > 0))[0]?.id).toBe(seq);
    stream.drop();
    expect(server.stderr.join('\n')).not.toContain(token);
  });
});

describe('shutting down with an event stream open', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('ends the stream at once instead of holding the shutdown for the grace period', async () => {
    // A ten-minute grace period: the stop below finishes within the test's timeout only if the
    // open stream does not hold it.
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(config, '[server]\nshutdown_timeout_secs = 600\n');
    const server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path, { HARNESS_API_TOKEN: token, HARNESS_CONFIG: config }),
    );
    const stream = await EventStreamReader.open(`${server.url}/api/events/stream`);
    expect(await server.stop()).toBe(0);
    await stream.closed();
  });
});
