/**
 * The GC scheduler on a real store: a project runs when its grade's interval has passed since its
 * last stored run (so a new scheduler over the same store — a restarted server — keeps the
 * schedule), once `run_after_tasks` stored tasks finished since the last run (a restart keeps that
 * count too), and never twice at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Grade, newTask } from '@harness/protocol';
import { silentLogger } from '../../src/core/index.js';
import { GcScheduler, gradeIntervalMs } from '../../src/quality/index.js';
import { eventually } from '@harness/testkit';
import { type GcFixture, ScriptedDrafter, gcFixture, guardAnswer, signal } from './gc-fixture.js';

let fx: GcFixture;
afterEach(() => fx.close());

function scheduler(grade: Grade | null, runAfterTasks = 3): GcScheduler {
  return new GcScheduler({
    gc: fx.gc,
    store: fx.store,
    clock: fx.clock,
    logger: silentLogger,
    projects: async () => [{ name: 'app', root: fx.root }],
    grade: async () => grade,
    runAfterTasks,
  });
}

let taskCount = 0;
/** Stores a task of the project as the pipeline leaves it: done, finished now. */
async function finishTask(): Promise<void> {
  const now = fx.clock.now().toISOString();
  const task = newTask({ id: `task_${++taskCount}`, project: 'app', kind: 'prompt', created_at: now });
  await fx.store.tasks.enqueue({ ...task, state: 'done', finished_at: now }, 1000);
  fx.clock.advanceHours(0.01);
}

const runs = async (): Promise<string[]> =>
  (await fx.events.query({ kinds: ['gc.run_started'], limit: 100, order: 'asc' })).map((e) =>
    String((e.data as { trigger: string }).trigger),
  );

describe('GcScheduler', () => {
  it('runs a project that never ran an interval after start, then after each run, across restarts', async () => {
    fx = gcFixture({ drafter: new ScriptedDrafter([guardAnswer('g')]), signals: [] });
    const first = scheduler('D');
    // A new server does not set to work on every project at once.
    await first.tick();
    expect(await runs()).toEqual([]);
    fx.clock.advanceHours(1);
    await first.tick();
    expect(await runs()).toEqual(['schedule']);
    await first.tick();
    expect(await runs()).toHaveLength(1);
    expect(await first.nextRunAt({ name: 'app', root: fx.root })).toBe(
      new Date(Date.parse('2026-03-01T13:00:00.000Z') + gradeIntervalMs.D).toISOString(),
    );
    // A restarted server: a new scheduler over the same store knows when the last run was.
    const restarted = scheduler('D');
    fx.clock.advanceHours(0.5);
    await restarted.tick();
    expect(await runs()).toHaveLength(1);
    fx.clock.advanceHours(0.5);
    await restarted.tick();
    expect(await runs()).toHaveLength(2);
    // An A project waits a week.
    const calm = scheduler('A');
    fx.clock.advanceHours(24 * 6);
    await calm.tick();
    expect(await runs()).toHaveLength(2);
    fx.clock.advanceHours(24);
    await calm.tick();
    expect(await runs()).toHaveLength(3);
  });

  it('runs after every run_after_tasks finished tasks, counted across restarts, never beside a run in flight', async () => {
    let gate: Promise<void> = Promise.resolve();
    let release: () => void = () => undefined;
    const inner = new ScriptedDrafter([guardAnswer('g')]);
    let calls = 0;
    const drafter = {
      draft: async (r: Parameters<typeof inner.draft>[0]) => {
        calls += 1;
        await gate;
        return inner.draft(r);
      },
    };
    // Each run detects a new signal, so each has something to draft.
    let n = 0;
    fx = gcFixture({ drafter, signals: () => [signal('hot_files', `file-${++n}`, 30)] });
    const project = { name: 'app', root: fx.root };
    await finishTask();
    await scheduler('B', 2).taskFinished(project);
    expect(await runs()).toEqual([]);
    // The second task finishes under a restarted server: the first one still counts.
    const s = scheduler('B', 2);
    await finishTask();
    await s.taskFinished(project);
    expect(await runs()).toEqual(['after 2 finished tasks']);
    // Tasks finished before that run started count for no later run.
    await finishTask();
    await s.taskFinished(project);
    expect(await runs()).toHaveLength(1);

    // While a run is in flight, neither trigger starts another.
    gate = new Promise<void>((resolve) => (release = resolve));
    const held = fx.gc.run(undefined, { trigger: 'manual' });
    expect(
      await eventually(
        () => calls,
        (c) => c === 2,
      ),
    ).toBe(2);
    expect(fx.gc.isRunning('app')).toBe(true);
    await finishTask();
    await s.taskFinished(project);
    fx.clock.advanceHours(24 * 4);
    await s.tick();
    expect((await fx.gc.status(undefined)).progress).toMatchObject({ step: 'drafting', index: 1, count: 1 });
    release();
    await held;
    expect(await runs()).toEqual(['after 2 finished tasks', 'manual']);
    expect(inner.asked).toHaveLength(2);
    // Afterwards, the count starts from the manual run.
    await finishTask();
    await finishTask();
    await s.taskFinished(project);
    expect(await runs()).toEqual(['after 2 finished tasks', 'manual', 'after 2 finished tasks']);
  });
});
