/**
 * Every server of a fleet sees everything: two `harness serve` processes on one PostgreSQL
 * database. Tasks submitted to B (and run by B) appear on A's `/api/events/stream` in seq order
 * and complete, a resume on A with Last-Event-ID after B produced more has no gap and no
 * duplicate, a cancel through one server stops the run on the other, and A's WebSocket clients
 * hear `event/logged` for events B logs on their thread.
 */
import type { Event } from '@harness/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  type RunningPostgres,
  startPostgres,
  startTaskServer,
  type TaskServer,
  tempDir,
  WsClient,
} from '@harness/testkit';

/** Reads an SSE response as the dashboard does (fetch and a stream reader). */
class StreamReader {
  readonly ids: number[] = [];
  private buffer = '';
  private waiter: (() => void) | null = null;

  private constructor(private readonly controller: AbortController) {}

  static async open(url: string, headers: Record<string, string> = {}): Promise<StreamReader> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    const reader = new StreamReader(controller);
    void reader.pump(response);
    return reader;
  }

  async until(seq: number): Promise<number[]> {
    while (!this.ids.includes(seq)) await new Promise<void>((resolve) => (this.waiter = resolve));
    return this.ids;
  }

  drop(): void {
    this.controller.abort();
  }

  private async pump(response: Response): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        this.buffer += decoder.decode(chunk, { stream: true });
        for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
          const id = /^id: (\d+)$/m.exec(this.buffer.slice(0, end));
          if (id) this.ids.push(Number(id[1]));
          this.buffer = this.buffer.slice(end + 2);
        }
        this.waiter?.();
      }
    } catch {
      // Aborted by drop().
    }
  }
}

describe('a fleet of two servers on one PostgreSQL database', () => {
  const dirA = tempDir('harness-fleet-a-');
  const dirB = tempDir('harness-fleet-b-');
  let postgres: RunningPostgres;
  let a: TaskServer;
  let b: TaskServer;

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    const fleet = ['[otel]', 'exporter = "disabled"', '[store]', `url = "${url}"`];
    const projects = [{ name: 'app', max_concurrent: 2 }];
    b = await startTaskServer(dirB.path, projects, { global: 4, queue: 50 }, [], fleet);
    a = await startTaskServer(dirA.path, projects, { global: 4, queue: 50 }, [], fleet);
  }, 120_000);
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await postgres?.stop();
    dirA.remove();
    dirB.remove();
  });

  /** A JSON-RPC client of `server`, past the handshake. */
  async function rpcOf(server: TaskServer): Promise<HttpClient> {
    const rpc = new HttpClient(server.server.url);
    await rpc.request('initialize');
    await rpc.send('{"jsonrpc":"2.0","method":"initialized"}');
    return rpc;
  }

  /** Every stored event after `after`, read from A (the same database as B's). */
  const storedAfter = async (after: number): Promise<Event[]> => {
    const rpc = await rpcOf(a);
    const all: Event[] = [];
    for (let from: number | null = after; from !== null;) {
      const reply = (await rpc.request('event/query', { after_seq: from, limit: 1000, order: 'asc' })) as {
        result: { events: Event[]; next_after_seq: number | null };
      };
      all.push(...reply.result.events);
      from = reply.result.next_after_seq;
    }
    return all;
  };

  const lastSeq = async (): Promise<number> => (await storedAfter(0)).at(-1)?.seq ?? 0;

  /** Submits `count` tasks to B and waits for them; B runs at least the first (it claims at once). */
  const runOnB = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const response = await b.post('/tasks', { prompt: `fleet task ${i}`, project: 'app' });
      ids.push(((await response.json()) as { task_id: string }).task_id);
    }
    for (const id of ids) expect((await b.finished(id)).state).toBe('done');
    return ids;
  };

  const ranOn = (server: TaskServer, taskId: string): boolean =>
    server.server.stderr.some((line) => line.includes(taskId) && line.includes('worktree created'));

  it("streams B's tasks on A in seq order and complete, and resumes on A with Last-Event-ID", async () => {
    const health = (await (await fetch(`${a.server.url}/health`)).json()) as { store: string };
    expect(health.store).toBe('postgres');
    const start = await lastSeq();
    const streamA = await StreamReader.open(`${a.server.url}/api/events/stream?after=${start}`);
    const first = await runOnB(3);
    expect(first.some((id) => ranOn(b, id))).toBe(true);
    const stored = (await storedAfter(start)).map((e) => e.seq);
    const seen = await streamA.until(stored.at(-1)!);
    expect(seen.filter((seq) => seq <= stored.at(-1)!)).toEqual(stored);
    for (const id of first)
      expect((await storedAfter(start)).filter((e) => e.task_id === id).length).toBeGreaterThan(3);
    const lastRead = seen.at(-1)!;
    streamA.drop();

    const more = await runOnB(2);
    expect(more.every((id) => ranOn(a, id) || ranOn(b, id))).toBe(true);
    const rest = (await storedAfter(lastRead)).map((e) => e.seq);
    const resumed = await StreamReader.open(`${a.server.url}/api/events/stream`, {
      'last-event-id': String(lastRead),
    });
    const after = await resumed.until(rest.at(-1)!);
    resumed.drop();
    expect(after.filter((seq) => seq <= rest.at(-1)!)).toEqual(rest);
  }, 180_000);

  it('cancels, through either server, a task the other one runs: its run stops it there', async () => {
    const response = await b.post('/tasks', { prompt: 'STALL until cancelled', project: 'app' });
    const id = ((await response.json()) as { task_id: string }).task_id;
    let runner: TaskServer | null = null;
    while (runner === null) {
      runner = ranOn(a, id) ? a : ranOn(b, id) ? b : null;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const other = runner === a ? b : a;
    const view = async (server: TaskServer) =>
      (await (await fetch(`${server.server.url}/tasks/${id}`)).json()) as {
        state: string;
        worktree: unknown;
      };
    while ((await view(runner)).state !== 'implementing')
      await new Promise((resolve) => setTimeout(resolve, 50));

    const cancelled = await other.post(`/tasks/${id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as { state: string }).state).toBe('cancelled');
    // Ended by the run that held it, on its own server: its worktree is given back there.
    expect(await view(runner)).toMatchObject({ state: 'cancelled', worktree: null });
    const events = (await storedAfter(0)).filter((e) => e.task_id === id).map((e) => e.kind);
    expect(events.filter((kind) => kind === 'task.cancel_requested')).toHaveLength(1);
    expect(runner.server.stderr.some((line) => line.includes(id) && line.includes('worktree removed'))).toBe(
      true,
    );
  }, 60_000);

  it("notifies A's WebSocket client, in order, of the events B logs on its thread", async () => {
    const ws = await WsClient.connect(a.server.url);
    try {
      await ws.request('initialize');
      await ws.send('{"jsonrpc":"2.0","method":"initialized"}', false);
      const started = (await ws.request('thread/start', { title: 'watched from A' })) as {
        result: { thread_id: string };
      };
      const threadId = started.result.thread_id;
      const rpcB = await rpcOf(b);
      const seqs: number[] = [];
      for (let n = 0; n < 10; n++) {
        const reply = (await rpcB.request('event/log', {
          event: { kind: 'fleet.note', thread_id: threadId, data: { n } },
        })) as { result: { seq: number } };
        seqs.push(reply.result.seq);
      }
      const logged = () =>
        ws.notifications
          .filter((note) => note.method === 'event/logged')
          .map((note) => (note.params as { event: Event }).event)
          .filter((event) => event.kind === 'fleet.note');
      while (logged().length < seqs.length) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(logged().map((event) => event.seq)).toEqual(seqs);
      expect(logged().map((event) => (event.data as { n: number }).n)).toEqual([...seqs.keys()]);
    } finally {
      await ws.close();
    }
  }, 60_000);
});
