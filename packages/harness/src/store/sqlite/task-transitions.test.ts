import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTask, type Task, type TaskState, taskStateSchema, taskTransitions } from '@harness/protocol';
import { type Store, SqliteStore } from '../index.js';
import { claimTask } from '@harness/testkit';

const at = '2026-01-01T00:00:00.000Z';
let seq = 0;
const taskIn = (state: TaskState, priority = 0): Task =>
  newTask({ id: `t${++seq}`, project: 'p', kind: 'prompt', prompt: 'x', state, priority, created_at: at });

let dir: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-transitions-'));
  store = SqliteStore.open(dir);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Stores a task in `state` and asks the store to move it to `to`; returns the state it ends in. */
async function attempt(from: TaskState, to: TaskState): Promise<{ stored: TaskState; refused: boolean }> {
  const task = await store.tasks.enqueue(taskIn(from), 1_000_000);
  let refused = false;
  try {
    await store.tasks.transition(task.id, { from, to });
  } catch {
    refused = true;
  }
  return { stored: (await store.tasks.get(task.id))!.state, refused };
}

describe('the task transition table and the store', () => {
  it('agree on every pair of states: a change is stored if and only if the table lists it', async () => {
    const states = taskStateSchema.options;
    const mismatches: string[] = [];
    for (const from of states) {
      for (const to of states) {
        const listed = taskTransitions[from].includes(to);
        const { stored, refused } = await attempt(from, to);
        const applied = stored === to && !refused;
        if (applied !== listed || refused === listed) mismatches.push(`${from} → ${to}: listed ${listed}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The table is the design's: the happy path is there, and nothing leaves a final state.
    const path: TaskState[] = ['queued', 'preparing', 'implementing', 'validating', 'pr_open', 'reviewing'];
    for (const [i, from] of path.slice(0, -1).entries()) expect(taskTransitions[from]).toContain(path[i + 1]);
    expect(taskTransitions.reviewing).toEqual(expect.arrayContaining(['fixing', 'done']));
    for (const final of ['done', 'failed', 'cancelled'] as const) expect(taskTransitions[final]).toEqual([]);
    // A task waiting for a person is answered (queued again, to resume) or cancelled; nothing else.
    expect([...taskTransitions.needs_input].sort()).toEqual(['cancelled', 'queued']);
  });

  it('refuses an unlisted change with a conflict that names the task and both states', async () => {
    const task = await store.tasks.enqueue(taskIn('done'), 1_000_000);
    await expect(store.tasks.transition(task.id, { from: 'done', to: 'queued' })).rejects.toMatchObject({
      code: 'conflict',
      message: `task ${task.id}: done → queued is not a task transition`,
    });
  });

  it('stores a change only while the task is still in the state the caller saw', async () => {
    const task = await store.tasks.enqueue(taskIn('implementing'), 1_000_000);
    expect(await store.tasks.transition(task.id, { from: 'validating', to: 'fixing' })).toBeNull();
    expect((await store.tasks.get(task.id))!.state).toBe('implementing');
  });

  it('refuses the writes and changes of an owner whose lease another owner took over', async () => {
    // First in the queue, ahead of the queued tasks other tests left.
    const task = await store.tasks.enqueue(taskIn('queued', 10), 1_000_000);
    const first = await claimTask(store, task.id, 'first', at);
    // The first owner counts as dead: a second one re-queues the task and claims it.
    expect(
      await store.tasks.transition(task.id, { from: 'preparing', to: 'queued', lease: first }),
    ).not.toBeNull();
    const second = await claimTask(store, task.id, 'second', at);

    expect(await store.tasks.update(task.id, { cost_usd: 9 }, { lease: first })).toBeNull();
    expect(
      await store.tasks.transition(task.id, { from: 'preparing', to: 'failed', lease: first }),
    ).toBeNull();
    expect(await store.tasks.get(task.id)).toMatchObject({ state: 'preparing', cost_usd: 0 });
    const moved = await store.tasks.transition(task.id, {
      from: 'preparing',
      to: 'implementing',
      lease: second,
    });
    expect(moved?.state).toBe('implementing');
  });

  it('refuses the checkpoints of an owner whose lease another owner took over', async () => {
    const task = await store.tasks.enqueue(taskIn('queued', 10), 1_000_000);
    const checkpoint = (sha: string) => ({
      task_id: task.id,
      stage: 'implemented' as const,
      round: null,
      sha,
      data: {},
      recorded_at: at,
    });
    const first = await claimTask(store, task.id, 'first', at);
    expect(await store.checkpoints.add(checkpoint('a1'), { lease: first })).toBe(true);
    await store.tasks.transition(task.id, { from: 'preparing', to: 'queued', lease: first });
    const second = await claimTask(store, task.id, 'second', at);

    expect(await store.checkpoints.add(checkpoint('b2'), { lease: first })).toBe(false);
    expect(await store.checkpoints.add(checkpoint('c3'), { lease: second })).toBe(true);
    expect((await store.checkpoints.list(task.id)).map((c) => c.sha)).toEqual(['a1', 'c3']);
  });
});
