import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Task, type TaskState, newTask } from '@harness/protocol';
import { type RunningPostgres, startPostgres } from '@harness/testkit';
import { PgStore } from '../index.js';
import type { ClaimRequest, ClaimedTask, LeaseToken, Store, TaskCheckpoint } from '../index.js';

/**
 * The fleet's queue under concurrency: several PgStore instances on one database, each with its
 * own pool, stand for several servers. What single-process behaviour the queue has is the store
 * contract suite's (test/store); this file is what only many processes can get wrong.
 */

const at = '2026-01-01T00:00:00.000Z';
const later = (minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();

let cluster: RunningPostgres;
const opened: Store[] = [];

beforeAll(async () => {
  cluster = await startPostgres();
});

afterAll(async () => {
  await cluster.stop();
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** `count` stores on one fresh database: the servers of a fleet. */
async function fleet(count: number): Promise<Store[]> {
  const url = await cluster.createDatabase();
  const stores: Store[] = [];
  // One after the other: the first migrates, the others find the schema there.
  for (let i = 0; i < count; i++) stores.push(await PgStore.open(url));
  opened.push(...stores);
  return stores;
}

const task = (id: string, project: string): Task =>
  newTask({ id, project, kind: 'prompt', prompt: `do ${id}`, created_at: at });

async function enqueueAll(store: Store, tasks: Task[]): Promise<void> {
  for (const each of tasks) await store.tasks.enqueue(each, 100_000);
}

const claim = (owner: string, limits: Partial<ClaimRequest> = {}): ClaimRequest => ({
  owner,
  expires_at: later(10),
  now: at,
  globalLimit: 1000,
  projectLimits: {},
  defaultProjectLimit: 1000,
  ...limits,
});

/** States counted against the limits (as the store counts them). */
const notRunning = new Set<TaskState>(['queued', 'needs_input', 'done', 'failed', 'cancelled']);

/** Running tasks per project, and in all, as one statement sees them. */
async function runningCounts(store: Store): Promise<{ total: number; byProject: Map<string, number> }> {
  const byProject = new Map<string, number>();
  let total = 0;
  for (const each of await store.tasks.inFlight()) {
    if (notRunning.has(each.state)) continue;
    total++;
    byProject.set(each.project, (byProject.get(each.project) ?? 0) + 1);
  }
  return { total, byProject };
}

const checkpoint = (taskId: string, sha: string): TaskCheckpoint => ({
  task_id: taskId,
  stage: 'implemented',
  round: null,
  sha,
  data: { summary: sha },
  recorded_at: at,
});

describe('the PostgreSQL queue shared by several servers', () => {
  it('hands each of 200 tasks to exactly one of 3 servers × 4 concurrent claimers', async () => {
    const stores = await fleet(3);
    const tasks = Array.from({ length: 200 }, (_, i) => task(`t${i}`, i % 2 === 0 ? 'app' : 'web'));
    await enqueueAll(stores[0]!, tasks);

    const claims: { owner: string; claimed: ClaimedTask }[] = [];
    const claimer = async (store: Store, owner: string) => {
      for (;;) {
        const claimed = await store.tasks.claimNext(claim(owner));
        if (claimed === null) return;
        claims.push({ owner, claimed });
      }
    };
    await Promise.all(
      stores.flatMap((store, s) => [0, 1, 2, 3].map((c) => claimer(store, `server${s}/claimer${c}`))),
    );

    const ids = claims.map((c) => c.claimed.task.id);
    expect(ids).toHaveLength(200);
    expect(new Set(ids).size).toBe(200);
    expect(new Set(claims.map((c) => c.owner.split('/')[0])).size).toBe(3);
    expect(await stores[1]!.tasks.queued(10)).toEqual([]);
    const held = new Map((await stores[2]!.tasks.inFlight()).map((t) => [t.id, t]));
    for (const { owner, claimed } of claims) {
      expect(claimed.lease).toEqual({ owner, generation: 1 });
      expect(claimed.task.state).toBe('preparing');
      expect(held.get(claimed.task.id)).toMatchObject({
        state: 'preparing',
        lease_owner: owner,
        lease_generation: 1,
      });
    }
  });

  it('never runs more than the project limits (2 and 3) or the global limit (4) across servers', async () => {
    const [watcher, ...claimers] = (await fleet(4)) as [Store, ...Store[]];
    const tasks = Array.from({ length: 60 }, (_, i) => task(`t${i}`, i % 2 === 0 ? 'app' : 'web'));
    await enqueueAll(watcher, tasks);
    const limits = { globalLimit: 4, projectLimits: { app: 2, web: 3 }, defaultProjectLimit: 1 };

    const peak = { total: 0, app: 0, web: 0 };
    const sample = async () => {
      const counts = await runningCounts(watcher);
      peak.total = Math.max(peak.total, counts.total);
      peak.app = Math.max(peak.app, counts.byProject.get('app') ?? 0);
      peak.web = Math.max(peak.web, counts.byProject.get('web') ?? 0);
    };
    let finished = 0;
    const run = async (store: Store, owner: string) => {
      while (finished < tasks.length) {
        const claimed = await store.tasks.claimNext(claim(owner, limits));
        await sample();
        if (claimed === null) {
          await new Promise((resolve) => setTimeout(resolve, 1));
          continue;
        }
        const { task: mine, lease } = claimed;
        // A few steps of work, each a guarded write, so tasks overlap while others claim.
        expect(
          await store.tasks.transition(mine.id, { from: 'preparing', to: 'implementing', lease }),
        ).not.toBeNull();
        await new Promise((resolve) => setTimeout(resolve, 2));
        await sample();
        expect(
          await store.tasks.transition(mine.id, { from: 'implementing', to: 'validating', lease }),
        ).not.toBeNull();
        await sample();
        const done = await store.tasks.transition(mine.id, {
          from: 'validating',
          to: 'done',
          lease,
          patch: { finished_at: later(1) },
        });
        expect(done?.state).toBe('done');
        finished++;
      }
    };
    await Promise.all(claimers.flatMap((store, s) => [0, 1, 2].map((c) => run(store, `server${s}/${c}`))));

    expect(peak.total).toBeLessThanOrEqual(4);
    expect(peak.app).toBeLessThanOrEqual(2);
    expect(peak.web).toBeLessThanOrEqual(3);
    // The limits were reached, not merely never approached: nine claimers kept the queue busy.
    expect(peak.total).toBe(4);
    expect(peak.app).toBe(2);
    const states = await watcher.tasks.countsByProject();
    expect(states.map((s) => [s.project, s.state, s.n])).toEqual([
      ['app', 'done', 30],
      ['web', 'done', 30],
    ]);
  });

  it("refuses every write of a run whose lease was taken over, in the database's own statement", async () => {
    const [first, second] = (await fleet(2)) as [Store, Store];
    await first.tasks.enqueue(task('t1', 'app'), 10);
    const original = await first.tasks.claimNext(claim('host-a'));
    expect(original?.lease).toEqual({ owner: 'host-a', generation: 1 });
    const stale: LeaseToken = original!.lease;

    // host-a is presumed dead: the task is requeued and host-b takes it over.
    expect(await second.tasks.transition('t1', { from: 'preparing', to: 'queued' })).not.toBeNull();
    const takeover = await second.tasks.claimNext(claim('host-b'));
    expect(takeover?.lease).toEqual({ owner: 'host-b', generation: 2 });
    const before = await second.tasks.get('t1');

    expect(await first.tasks.update('t1', { branch: 'stale' }, { lease: stale })).toBeNull();
    expect(await first.tasks.transition('t1', { from: 'preparing', to: 'failed', lease: stale })).toBeNull();
    expect(await first.checkpoints.add(checkpoint('t1', 'stale'), { lease: stale })).toBe(false);
    // The right owner with an old generation is refused too: a server restarted under its own name.
    expect(
      await first.tasks.update('t1', { branch: 'stale' }, { lease: { owner: 'host-b', generation: 1 } }),
    ).toBeNull();
    expect(await second.tasks.get('t1')).toEqual(before);
    expect(await second.checkpoints.list('t1')).toEqual([]);

    const current = takeover!.lease;
    expect(await second.tasks.update('t1', { branch: 'fresh' }, { lease: current })).toMatchObject({
      branch: 'fresh',
    });
    expect(await second.checkpoints.add(checkpoint('t1', 'fresh'), { lease: current })).toBe(true);
    expect(
      await second.tasks.transition('t1', { from: 'preparing', to: 'implementing', lease: current }),
    ).toMatchObject({ state: 'implementing', branch: 'fresh' });
    expect((await first.checkpoints.list('t1')).map((c) => c.sha)).toEqual(['fresh']);
    const [held] = await first.tasks.inFlight();
    expect(held).toMatchObject({ id: 't1', lease_owner: 'host-b', lease_generation: 2 });
  });

  it('lets stale writes race a takeover without one landing after it', async () => {
    const [first, second] = (await fleet(2)) as [Store, Store];
    const tasks = Array.from({ length: 40 }, (_, i) => task(`t${i}`, 'app'));
    await enqueueAll(first, tasks);
    const stale = new Map<string, LeaseToken>();
    for (const _ of tasks) {
      const claimed = await first.tasks.claimNext(claim('host-a'));
      stale.set(claimed!.task.id, claimed!.lease);
    }
    // host-b requeues and takes over every task, writing under its new lease at once, while
    // host-a keeps writing under the leases it lost.
    const takeover = (async () => {
      for (const each of tasks) {
        await second.tasks.transition(each.id, { from: 'preparing', to: 'queued' });
        const claimed = await second.tasks.claimNext(claim('host-b'));
        expect(claimed?.task.id).toBe(each.id);
        const lease = claimed!.lease;
        expect(await second.tasks.update(each.id, { branch: 'fresh' }, { lease })).not.toBeNull();
        expect(await second.checkpoints.add(checkpoint(each.id, 'taken'), { lease })).toBe(true);
      }
    })();
    const staleWrites = (async () => {
      for (let round = 0; round < 3; round++) {
        for (const each of tasks) {
          const lease = stale.get(each.id)!;
          await first.checkpoints.add(checkpoint(each.id, 'stale'), { lease });
          await first.tasks.update(each.id, { branch: 'stale' }, { lease });
        }
      }
    })();
    await Promise.all([takeover, staleWrites]);

    for (const each of tasks) {
      const shas = (await first.checkpoints.list(each.id)).map((c) => c.sha);
      expect(shas.slice(shas.indexOf('taken'))).toEqual(['taken']);
    }
    const inFlight = await first.tasks.inFlight();
    expect(inFlight.map((t) => [t.id, t.lease_owner, t.lease_generation, t.branch])).toEqual(
      tasks.map((t) => [t.id, 'host-b', 2, 'fresh']),
    );
  });

  it("renews leases without ever shortening one, and only the owner's running tasks", async () => {
    const [first, second] = (await fleet(2)) as [Store, Store];
    await enqueueAll(first, [task('a1', 'app'), task('a2', 'app'), task('b1', 'app'), task('q', 'app')]);
    await first.tasks.claimNext(claim('host-a', { expires_at: later(10) }));
    await first.tasks.claimNext(claim('host-a', { expires_at: later(30) }));
    await second.tasks.claimNext(claim('host-b', { expires_at: later(10) }));
    const expiries = async () =>
      Object.fromEntries((await second.tasks.inFlight()).map((t) => [t.id, t.lease_expires_at]));

    // An earlier expiry (a renewal computed by a server whose clock lags) leaves both leases.
    await second.tasks.renewLeases('host-a', later(5));
    expect(await expiries()).toEqual({ a1: later(10), a2: later(30), b1: later(10) });

    // A later one extends what is shorter, and leaves the later one and the other owner's alone.
    await first.tasks.renewLeases('host-a', later(20));
    expect(await expiries()).toEqual({ a1: later(20), a2: later(30), b1: later(10) });

    // Racing renewals of one owner end at the latest of them, whatever order they commit in.
    await Promise.all(
      [25, 40, 35, 21].map((m, i) => (i % 2 === 0 ? first : second).tasks.renewLeases('host-a', later(m))),
    );
    expect(await expiries()).toEqual({ a1: later(40), a2: later(40), b1: later(10) });
    expect((await first.tasks.get('q'))?.state).toBe('queued');
  });
});
