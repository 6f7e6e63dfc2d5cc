import { describe, expect, it } from 'vitest';
import { type TaskState, taskStateSchema, taskTransitions } from '@harness/protocol';
import { backends, useStore } from './backends.js';
import { at, fullTask, minutesAfter, storedTask, task } from './fixtures.js';

describe('the task transition table', () => {
  it("is the design's: the happy path, nothing out of a final state, a waiting task answered or cancelled", () => {
    const path: TaskState[] = ['queued', 'preparing', 'implementing', 'validating', 'pr_open', 'reviewing'];
    for (const [i, from] of path.slice(0, -1).entries()) expect(taskTransitions[from]).toContain(path[i + 1]);
    expect(taskTransitions.reviewing).toEqual(expect.arrayContaining(['fixing', 'done']));
    for (const final of ['done', 'failed', 'cancelled'] as const) expect(taskTransitions[final]).toEqual([]);
    expect([...taskTransitions.needs_input].sort()).toEqual(['cancelled', 'queued']);
  });
});

describe.each(backends)('tasks ($name)', (backend) => {
  const db = useStore(backend);

  it('stores a task whole, every JSON field included, and reads it back', async () => {
    const full = fullTask('t1');
    expect(await db.store.tasks.enqueue(full, 10)).toEqual(full);
    expect(await db.store.tasks.get('t1')).toEqual(full);
    expect(await db.store.tasks.get('missing')).toBeNull();
    const bare = task('t2');
    await db.store.tasks.enqueue(bare, 10);
    expect(await db.store.tasks.get('t2')).toEqual(bare);
  });

  it('refuses a task over the queue limit with queue_full, counting only queued tasks', async () => {
    await storedTask(db.store, 'running', 'implementing');
    await db.store.tasks.enqueue(task('q1'), 2);
    await db.store.tasks.enqueue(task('q2'), 2);
    await expect(db.store.tasks.enqueue(task('q3'), 2)).rejects.toMatchObject({
      code: 'queue_full',
      message: 'the task queue is full (2 queued, limit 2); try again later',
      data: { queued: 2, limit: 2 },
    });
    expect(await db.store.tasks.get('q3')).toBeNull();
  });

  it('refuses a second task with the same id', async () => {
    await db.store.tasks.enqueue(task('t1'), 10);
    await expect(db.store.tasks.enqueue(task('t1'), 10)).rejects.toThrow();
  });

  it('lists newest first with a cursor, filtered by state and project; rejects a forged cursor', async () => {
    for (let i = 0; i < 5; i++)
      await storedTask(db.store, `t${i}`, i % 2 === 0 ? 'queued' : 'done', {
        created_at: minutesAfter(i),
        project: i < 3 ? 'app' : 'web',
      });
    await storedTask(db.store, 't2b', 'queued', { created_at: minutesAfter(2), project: 'app' });
    const first = await db.store.tasks.list({ limit: 3 });
    expect(first.tasks.map((t) => t.id)).toEqual(['t4', 't3', 't2b']);
    const second = await db.store.tasks.list({ limit: 3, cursor: first.next_cursor! });
    expect(second.tasks.map((t) => t.id)).toEqual(['t2', 't1', 't0']);
    expect(second.next_cursor).toBeNull();
    const ids = async (filter: { state?: TaskState; project?: string }) =>
      (await db.store.tasks.list({ limit: 10, ...filter })).tasks.map((t) => t.id);
    expect(await ids({ state: 'done' })).toEqual(['t3', 't1']);
    expect(await ids({ project: 'web' })).toEqual(['t4', 't3']);
    expect(await ids({ state: 'queued', project: 'app' })).toEqual(['t2b', 't2', 't0']);
    await expect(db.store.tasks.list({ limit: 2, cursor: 'garbage' })).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/^cursor: not a cursor returned by/),
    });
  });

  it('patches fields, never the state, and leaves the rest; null for an unknown task', async () => {
    await db.store.tasks.enqueue(task('t1'), 10);
    const full = fullTask('t1');
    const { id: _id, created_at: _created, state: _state, ...patch } = full;
    const updated = await db.store.tasks.update('t1', { ...patch, state: 'done' } as typeof patch);
    expect(updated).toEqual({ ...full, state: 'queued' });
    expect(await db.store.tasks.get('t1')).toEqual(updated);
    const cleared = await db.store.tasks.update('t1', {
      error: null,
      routing: null,
      review: true,
      plan: null,
    });
    expect(cleared).toMatchObject({ error: null, routing: null, review: true, plan: null, cost_usd: 0.75 });
    expect(await db.store.tasks.update('t1', {})).toEqual(cleared);
    expect(await db.store.tasks.update('nope', { cost_usd: 1 })).toBeNull();
  });

  it('moves a task only along the transition table: every pair of states', async () => {
    const states = taskStateSchema.options;
    const mismatches: string[] = [];
    let n = 0;
    for (const from of states) {
      for (const to of states) {
        const stored = await storedTask(db.store, `t${++n}`, from);
        const listed = taskTransitions[from].includes(to);
        let refused = false;
        let moved = null;
        try {
          moved = await db.store.tasks.transition(stored.id, { from, to });
        } catch {
          refused = true;
        }
        const now = (await db.store.tasks.get(stored.id))!.state;
        const applied = !refused && moved?.state === to && now === to;
        if (applied !== listed || refused === listed) mismatches.push(`${from} → ${to}: listed ${listed}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('refuses an unlisted change with a conflict naming the task and both states', async () => {
    await storedTask(db.store, 't1', 'done');
    await expect(db.store.tasks.transition('t1', { from: 'done', to: 'queued' })).rejects.toMatchObject({
      code: 'conflict',
      message: 'task t1: done → queued is not a task transition',
      data: { task_id: 't1', from: 'done', to: 'queued' },
    });
    expect((await db.store.tasks.get('t1'))?.state).toBe('done');
  });

  it('moves a task only while it is still in the state the caller saw, with the patch in the same write', async () => {
    await storedTask(db.store, 't1', 'implementing');
    expect(
      await db.store.tasks.transition('t1', { from: 'validating', to: 'fixing', patch: { cost_usd: 3 } }),
    ).toBeNull();
    expect(await db.store.tasks.get('t1')).toMatchObject({ state: 'implementing', cost_usd: 0 });
    const moved = await db.store.tasks.transition('t1', {
      from: 'implementing',
      to: 'failed',
      patch: { error: { code: 'x', message: 'y' }, finished_at: minutesAfter(3) },
    });
    expect(moved).toMatchObject({
      state: 'failed',
      error: { code: 'x', message: 'y' },
      finished_at: minutesAfter(3),
    });
    expect(await db.store.tasks.transition('nope', { from: 'queued', to: 'cancelled' })).toBeNull();
  });

  it('stores a change and its announcement in one transaction: both, or neither', async () => {
    await storedTask(db.store, 't1', 'implementing', { project: 'app' });
    const event = (id: string) => ({ id, ts: minutesAfter(4), kind: 'task.stage', task_id: 't1' });
    const logged = await db.store.tasks.transitionLogged(
      't1',
      { from: 'implementing', to: 'validating', patch: { cost_usd: 2 } },
      event('e1'),
    );
    expect(logged?.task).toMatchObject({ state: 'validating', cost_usd: 2 });
    // Stored with a seq, and the task's project.
    expect(logged?.event).toMatchObject({ id: 'e1', task_id: 't1', project: 'app' });
    expect(await db.store.events.query({ task_id: 't1', order: 'asc', limit: 10 })).toEqual([logged?.event]);

    // Refused (not in the state the caller saw): no event either.
    expect(
      await db.store.tasks.transitionLogged('t1', { from: 'implementing', to: 'failed' }, event('e2')),
    ).toBeNull();
    // The event cannot be stored (its id is taken): the change goes back with it.
    await expect(
      db.store.tasks.transitionLogged('t1', { from: 'validating', to: 'failed' }, event('e1')),
    ).rejects.toThrow(/e1/);
    expect((await db.store.tasks.get('t1'))?.state).toBe('validating');
    expect(
      (await db.store.events.query({ task_id: 't1', order: 'asc', limit: 10 })).map((e) => e.id),
    ).toEqual(['e1']);
  });

  it('lists queued tasks by priority, then arrival', async () => {
    await storedTask(db.store, 'low', 'queued', { priority: 0 });
    await storedTask(db.store, 'high', 'queued', { priority: 5 });
    await storedTask(db.store, 'busy', 'implementing', { priority: 9 });
    await storedTask(db.store, 'low2', 'queued', { priority: 0 });
    await storedTask(db.store, 'neg', 'queued', { priority: -1 });
    expect((await db.store.tasks.queued(10)).map((t) => t.id)).toEqual(['high', 'low', 'low2', 'neg']);
    expect((await db.store.tasks.queued(2)).map((t) => t.id)).toEqual(['high', 'low']);
    expect(await db.store.tasks.queued(1)).toEqual([await db.store.tasks.get('high')]);
  });

  it('counts tasks and cost by project and state', async () => {
    await storedTask(db.store, 'a', 'done', { project: 'app', cost_usd: 0.25 });
    await storedTask(db.store, 'b', 'done', { project: 'app', cost_usd: 0.5 });
    await storedTask(db.store, 'c', 'queued', { project: 'app' });
    await storedTask(db.store, 'd', 'failed', { project: 'web', cost_usd: 1 });
    const counts = await db.store.tasks.countsByProject();
    const key = (row: { project: string; state: string }) => `${row.project}/${row.state}`;
    expect([...counts].sort((x, y) => key(x).localeCompare(key(y)))).toEqual([
      { project: 'app', state: 'done', n: 2, cost_usd: 0.75 },
      { project: 'app', state: 'queued', n: 1, cost_usd: 0 },
      { project: 'web', state: 'failed', n: 1, cost_usd: 1 },
    ]);
  });

  it('counts the tasks of a project finished after a time', async () => {
    await storedTask(db.store, 'a', 'done', { finished_at: minutesAfter(1) });
    await storedTask(db.store, 'b', 'failed', { finished_at: minutesAfter(5) });
    await storedTask(db.store, 'c', 'done', { finished_at: minutesAfter(5), project: 'web' });
    await storedTask(db.store, 'd', 'implementing');
    expect(await db.store.tasks.countFinishedSince('app', at)).toBe(2);
    expect(await db.store.tasks.countFinishedSince('app', minutesAfter(1))).toBe(1);
    expect(await db.store.tasks.countFinishedSince('web', minutesAfter(9))).toBe(0);
  });

  it('finds the latest task of an external id', async () => {
    await storedTask(db.store, 'first', 'failed', { source: 'github', external_id: 'issue:1' });
    await storedTask(db.store, 'second', 'queued', { source: 'github', external_id: 'issue:1' });
    await storedTask(db.store, 'other', 'queued', { source: 'cli', external_id: 'issue:1' });
    expect((await db.store.tasks.findByExternalId('github', 'issue:1'))?.id).toBe('second');
    expect((await db.store.tasks.findByExternalId('cli', 'issue:1'))?.id).toBe('other');
    expect(await db.store.tasks.findByExternalId('github', 'issue:2')).toBeNull();
  });
});
