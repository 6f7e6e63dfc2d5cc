import { describe, expect, it } from 'vitest';
import type { TaskCheckpoint } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { minutesAfter, storedTask } from './fixtures.js';

const checkpoint = (fields: Partial<TaskCheckpoint> & Pick<TaskCheckpoint, 'stage'>): TaskCheckpoint => ({
  task_id: 't1',
  round: null,
  sha: null,
  data: {},
  recorded_at: minutesAfter(1),
  ...fields,
});

describe.each(backends)('task checkpoints ($name)', (backend) => {
  const db = useStore(backend);

  it("lists a task's checkpoints in the order recorded, each whole", async () => {
    await storedTask(db.store, 't1', 'implementing');
    await storedTask(db.store, 't2', 'implementing');
    const recorded = [
      checkpoint({ stage: 'implemented', sha: 'a1', data: { summary: 'did — it ✓', files: ['a.ts'] } }),
      checkpoint({ stage: 'validated', sha: 'a1', recorded_at: minutesAfter(0) }),
      checkpoint({ stage: 'pr_opened', data: { number: 7, url: 'https://github.com/o/r/pull/7' } }),
      checkpoint({ stage: 'reviewed', round: 1, sha: 'a1', data: { verdict: 'changes_requested' } }),
      checkpoint({ stage: 'fixed', round: 1, sha: 'b2' }),
    ];
    await db.store.checkpoints.add(checkpoint({ task_id: 't2', stage: 'pushed', sha: 'zz' }));
    for (const each of recorded) expect(await db.store.checkpoints.add(each)).toBe(true);
    expect(await db.store.checkpoints.list('t1')).toEqual(recorded);
    expect((await db.store.checkpoints.list('t2')).map((c) => c.sha)).toEqual(['zz']);
    expect(await db.store.checkpoints.list('none')).toEqual([]);
  });

  it('keeps a stage recorded twice as two checkpoints', async () => {
    await storedTask(db.store, 't1', 'implementing');
    await db.store.checkpoints.add(checkpoint({ stage: 'pushed', sha: 'a1' }));
    await db.store.checkpoints.add(checkpoint({ stage: 'pushed', sha: 'b2' }));
    expect((await db.store.checkpoints.list('t1')).map((c) => c.sha)).toEqual(['a1', 'b2']);
  });
});
