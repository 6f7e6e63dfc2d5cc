/**
 * Cancelling a task that another server of the fleet holds, when that server is gone or the task
 * waits for its next claim: schedulers with their own store handles on one SQLite file, and a
 * runner that works until it is aborted. (A live server on another process: test/e2e/fleet-streams.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTask, type Task } from '@harness/protocol';
import { silentLogger, systemClock } from '../core/index.js';
import { EventLog } from '../observe/index.js';
import { SqliteStore } from '../store/index.js';
import { TaskScheduler, type TaskRunner } from './scheduler.js';
import { TaskCancelled } from './task-failure.js';
import { transition } from './transition.js';

interface Server {
  store: SqliteStore;
  events: EventLog;
  scheduler: TaskScheduler;
  /** Ids of the tasks this server's runner started. */
  started: string[];
}

let dir: string;
const servers: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-fleet-cancel-'));
});
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.scheduler.stop(0);
    await server.store.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A server whose runs implement until aborted, then end the way the pipeline ends a cancelled run. */
async function server(options: { claims?: boolean; leaseMs?: number } = {}): Promise<Server> {
  const store = SqliteStore.open(dir);
  const events = new EventLog(store, silentLogger);
  const started: string[] = [];
  const deps = { store, events, clock: systemClock };
  const runner: TaskRunner = {
    async run(task, { signal, lease }) {
      const running = await transition(deps, task, 'implementing', { lease });
      started.push(task.id);
      if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve));
      if (!(signal.reason instanceof TaskCancelled)) return;
      await transition(deps, running, 'cancelled', {
        lease,
        patch: { finished_at: new Date().toISOString() },
        announce: { kind: 'task.finished', data: { state: 'cancelled' } },
      });
    },
  };
  const scheduler = new TaskScheduler({
    store,
    events,
    runner,
    clock: systemClock,
    logger: silentLogger,
    globalLimit: options.claims === false ? 0 : 4,
    maxQueued: 10,
    projectLimit: () => Promise.resolve(4),
    leaseMs: options.leaseMs ?? 30_000,
  });
  await scheduler.start();
  const made = { store, events, scheduler, started };
  servers.push(made);
  return made;
}

const queuedTask = (id: string): Task =>
  newTask({
    id,
    project: 'app',
    kind: 'prompt',
    prompt: 'work',
    review: false,
    created_at: new Date().toISOString(),
  });

async function until<T>(read: () => Promise<T> | T, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('cancelling a task that another server runs', () => {
  it('cancels the task of a server that died, rather than run it again, once its lease is dead', async () => {
    const other = await server({ claims: false, leaseMs: 300 });
    const task = queuedTask('t-orphan');
    await other.store.tasks.enqueue(task, 10);
    // Claimed by a server on another host that then died: its lease runs out, nobody renews it.
    const claim = await other.store.tasks.claimNext({
      owner: 'gone-host/1/x',
      expires_at: new Date(Date.now() + 500).toISOString(),
      now: new Date().toISOString(),
      globalLimit: 4,
      projectLimits: {},
      defaultProjectLimit: 4,
    });
    await transition(
      { store: other.store, events: other.events, clock: systemClock },
      claim!.task,
      'implementing',
      {
        lease: claim!.lease,
      },
    );

    const cancelled = await other.scheduler.cancel(task.id);
    expect(cancelled.state).toBe('cancelled');
    const kinds = (await other.store.events.query({ task_id: task.id, limit: 50, order: 'asc' })).map(
      (e) => e.kind,
    );
    expect(kinds).toContain('task.cancel_requested');
    expect(kinds).not.toContain('task.recovered');
  });

  it('meets a request made while the task waited for its claim: the next run stops at once', async () => {
    const later = await server({ claims: false });
    const task = queuedTask('t-later');
    await later.store.tasks.enqueue(task, 10);
    // The request of a cancel whose server went away before the task was requeued.
    await later.events.append({ kind: 'task.cancel_requested', task_id: task.id, data: {} });
    const runner = await server();
    runner.scheduler.wake();
    const ended = await until(
      () => runner.store.tasks.get(task.id),
      (t) => t?.state === 'cancelled',
    );
    expect(ended?.state).toBe('cancelled');
  });
});
