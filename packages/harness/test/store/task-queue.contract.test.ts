import { describe, expect, it } from 'vitest';
import type { Store, TaskCheckpoint } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { at, claimRequest, minutesAfter, storedTask, task } from './fixtures.js';

const checkpoint = (taskId: string, sha: string): TaskCheckpoint => ({
  task_id: taskId,
  stage: 'implemented',
  round: null,
  sha,
  data: { summary: sha },
  recorded_at: at,
});

async function claimedIds(store: Store, request = claimRequest('s1')): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const claimed = await store.tasks.claimNext(request);
    if (claimed === null) return ids;
    ids.push(claimed.task.id);
  }
}

describe.each(backends)('the task queue ($name)', (backend) => {
  const db = useStore(backend);

  it('claims nothing from an empty queue', async () => {
    await storedTask(db.store, 'done', 'done');
    expect(await db.store.tasks.claimNext(claimRequest('s1'))).toBeNull();
  });

  it('claims a task into preparing under a first lease, and hands back the task without the lease', async () => {
    await db.store.tasks.enqueue(task('t1'), 10);
    const claimed = await db.store.tasks.claimNext(claimRequest('s1', { now: minutesAfter(1) }));
    expect(claimed).toEqual({
      task: { ...task('t1'), state: 'preparing', started_at: minutesAfter(1), updated_at: minutesAfter(1) },
      lease: { owner: 's1', generation: 1 },
    });
    expect(await db.store.tasks.get('t1')).toEqual(claimed!.task);
    expect(await db.store.tasks.claimNext(claimRequest('s2'))).toBeNull();
  });

  it('keeps the start time of a task claimed again', async () => {
    await storedTask(db.store, 't1', 'queued', { started_at: minutesAfter(1) });
    const claimed = await db.store.tasks.claimNext(claimRequest('s1', { now: minutesAfter(7) }));
    expect(claimed?.task).toMatchObject({ started_at: minutesAfter(1), updated_at: minutesAfter(7) });
  });

  it('claims by priority, then the project with the fewest running, then arrival', async () => {
    await storedTask(db.store, 'app-running', 'implementing', { project: 'app' });
    await storedTask(db.store, 'app-1', 'queued', { project: 'app' });
    await storedTask(db.store, 'app-2', 'queued', { project: 'app' });
    await storedTask(db.store, 'web-1', 'queued', { project: 'web' });
    await storedTask(db.store, 'app-urgent', 'queued', { project: 'app', priority: 5 });
    await storedTask(db.store, 'web-2', 'queued', { project: 'web' });
    await storedTask(db.store, 'api-1', 'queued', { project: 'api', priority: -1 });
    // app-urgent first (priority); then web while it has fewer running than app (0, then 1, against
    // 2); at 2 and 2 the older task, app-1; api-1 last for all its empty project (lower priority).
    expect(await claimedIds(db.store)).toEqual(['app-urgent', 'web-1', 'web-2', 'app-1', 'app-2', 'api-1']);
  });

  it("holds each project's limit, named or default, counting every running state but needs_input", async () => {
    await storedTask(db.store, 'app-running', 'reviewing', { project: 'app' });
    await storedTask(db.store, 'app-waiting', 'needs_input', { project: 'app' });
    await storedTask(db.store, 'app-done', 'done', { project: 'app' });
    await storedTask(db.store, 'web-running', 'pr_open', { project: 'web' });
    for (const id of ['app-1', 'app-2', 'web-1', 'web-2', 'api-1', 'api-2', 'api-3'])
      await storedTask(db.store, id, 'queued', { project: id.split('-')[0] });
    const request = claimRequest('s1', { projectLimits: { app: 2, web: 1 }, defaultProjectLimit: 2 });
    expect((await claimedIds(db.store, request)).sort()).toEqual(['api-1', 'api-2', 'app-1']);
    expect((await db.store.tasks.queued(10)).map((t) => t.id)).toEqual(['app-2', 'web-1', 'web-2', 'api-3']);
  });

  it('holds the global limit over every project', async () => {
    await storedTask(db.store, 'app-running', 'validating', { project: 'app' });
    await storedTask(db.store, 'web-waiting', 'needs_input', { project: 'web' });
    for (const id of ['app-1', 'web-1', 'api-1', 'api-2'])
      await storedTask(db.store, id, 'queued', { project: id.split('-')[0] });
    expect(await claimedIds(db.store, claimRequest('s1', { globalLimit: 3 }))).toEqual(['web-1', 'api-1']);
    expect(await db.store.tasks.claimNext(claimRequest('s1', { globalLimit: 3 }))).toBeNull();
    await db.store.tasks.transition('app-running', { from: 'validating', to: 'done' });
    // Room again: app (none running now) comes before api (one running).
    expect((await db.store.tasks.claimNext(claimRequest('s1', { globalLimit: 3 })))?.task.id).toBe('app-1');
  });

  it('gives every claim of a task a new generation, and refuses the writes of a lease taken over', async () => {
    await db.store.tasks.enqueue(task('t1'), 10);
    const first = (await db.store.tasks.claimNext(claimRequest('s1')))!.lease;
    expect(first).toEqual({ owner: 's1', generation: 1 });
    expect(await db.store.checkpoints.add(checkpoint('t1', 'a1'), { lease: first })).toBe(true);
    expect(await db.store.tasks.update('t1', { cost_usd: 1 }, { lease: first })).toMatchObject({
      cost_usd: 1,
    });
    // The first holder counts as dead: the task is queued again and claimed by another server.
    expect(
      await db.store.tasks.transition('t1', { from: 'preparing', to: 'queued', lease: first }),
    ).not.toBeNull();
    const second = (await db.store.tasks.claimNext(claimRequest('s2')))!.lease;
    expect(second).toEqual({ owner: 's2', generation: 2 });

    expect(await db.store.tasks.update('t1', { cost_usd: 9 }, { lease: first })).toBeNull();
    expect(
      await db.store.tasks.transition('t1', { from: 'preparing', to: 'failed', lease: first }),
    ).toBeNull();
    expect(await db.store.checkpoints.add(checkpoint('t1', 'b2'), { lease: first })).toBe(false);
    expect(await db.store.tasks.get('t1')).toMatchObject({ state: 'preparing', cost_usd: 1 });

    expect(await db.store.checkpoints.add(checkpoint('t1', 'c3'), { lease: second })).toBe(true);
    expect(await db.store.tasks.update('t1', { cost_usd: 2 }, { lease: second })).toMatchObject({
      cost_usd: 2,
    });
    const moved = await db.store.tasks.transition('t1', {
      from: 'preparing',
      to: 'implementing',
      lease: second,
    });
    expect(moved?.state).toBe('implementing');
    expect((await db.store.checkpoints.list('t1')).map((c) => c.sha)).toEqual(['a1', 'c3']);
  });

  it('fences a server by generation, not by name: its own older claim of a task is refused too', async () => {
    await db.store.tasks.enqueue(task('t1'), 10);
    const old = (await db.store.tasks.claimNext(claimRequest('s1')))!.lease;
    await db.store.tasks.transition('t1', { from: 'preparing', to: 'queued', lease: old });
    const current = (await db.store.tasks.claimNext(claimRequest('s1')))!.lease;
    expect(current).toEqual({ owner: 's1', generation: 2 });
    expect(await db.store.tasks.update('t1', { cost_usd: 9 }, { lease: old })).toBeNull();
    expect(await db.store.checkpoints.add(checkpoint('t1', 'x'), { lease: old })).toBe(false);
    expect(
      await db.store.tasks.transition('t1', { from: 'preparing', to: 'implementing', lease: old }),
    ).toBeNull();
    expect(await db.store.tasks.update('t1', { cost_usd: 2 }, { lease: current })).not.toBeNull();
  });

  it('refuses a guarded write to a task nobody claimed, and allows an unguarded one', async () => {
    await db.store.tasks.enqueue(task('t1'), 10);
    const lease = { owner: 's1', generation: 0 };
    expect(await db.store.tasks.update('t1', { cost_usd: 1 }, { lease })).toBeNull();
    expect(await db.store.checkpoints.add(checkpoint('t1', 'a'), { lease })).toBe(false);
    expect(await db.store.tasks.transition('t1', { from: 'queued', to: 'cancelled', lease })).toBeNull();
    expect(await db.store.tasks.update('t1', { cost_usd: 1 })).toMatchObject({ cost_usd: 1 });
    expect(await db.store.checkpoints.add(checkpoint('t1', 'a'))).toBe(true);
  });

  it('lists tasks in flight with their lease, in arrival order; waiting ones included, queued and finished not', async () => {
    await storedTask(db.store, 'queued', 'queued');
    await storedTask(db.store, 'waiting', 'needs_input');
    await storedTask(db.store, 'done', 'done');
    await storedTask(db.store, 'failed', 'failed');
    await storedTask(db.store, 'cancelled', 'cancelled');
    await db.store.tasks.claimNext(claimRequest('s1', { expires_at: minutesAfter(10) }));
    const inFlight = await db.store.tasks.inFlight();
    expect(
      inFlight.map((t) => [t.id, t.state, t.lease_owner, t.lease_expires_at, t.lease_generation]),
    ).toEqual([
      ['queued', 'preparing', 's1', minutesAfter(10), 1],
      ['waiting', 'needs_input', null, null, 0],
    ]);
    expect(inFlight[0]).toMatchObject({ ...task('queued'), state: 'preparing', started_at: at });
  });

  it("renews an owner's leases, never shortening one and never touching another owner's", async () => {
    for (const id of ['a', 'b', 'c']) await db.store.tasks.enqueue(task(id), 10);
    await db.store.tasks.claimNext(claimRequest('s1', { expires_at: minutesAfter(10) }));
    await db.store.tasks.claimNext(claimRequest('s1', { expires_at: minutesAfter(30) }));
    await db.store.tasks.claimNext(claimRequest('s2', { expires_at: minutesAfter(10) }));
    const expiries = async () =>
      Object.fromEntries((await db.store.tasks.inFlight()).map((t) => [t.id, t.lease_expires_at]));

    await db.store.tasks.renewLeases('s1', minutesAfter(20));
    expect(await expiries()).toEqual({ a: minutesAfter(20), b: minutesAfter(30), c: minutesAfter(10) });
    await db.store.tasks.renewLeases('s1', minutesAfter(5));
    expect(await expiries()).toEqual({ a: minutesAfter(20), b: minutesAfter(30), c: minutesAfter(10) });
    await db.store.tasks.renewLeases('nobody', minutesAfter(99));
    expect(await expiries()).toEqual({ a: minutesAfter(20), b: minutesAfter(30), c: minutesAfter(10) });
  });
});
