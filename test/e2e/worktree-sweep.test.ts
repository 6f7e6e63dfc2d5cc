/**
 * The start-up sweep: a finished task whose worktree was left behind (its removal failed, or the
 * server died between removing it and storing the task) has it removed when the next server starts,
 * and from then on reports no worktree.
 */
import { existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newTask } from '@harness/protocol';
import { SqliteStore } from '../../packages/harness/src/store/index.js';
import { makeProject, projectEntry, startHarnessUnderTest, tempDir } from '@harness/testkit';

describe('the start-up sweep', () => {
  const dir = tempDir('harness-sweep-');
  afterAll(() => dir.remove());

  it('removes the worktree a finished task left behind, and the task stops reporting it', async () => {
    const { root } = makeProject(dir.path, 'widgets');
    const config = [
      ...['[agents]', 'default_agent = "anthropic_api"', '[agents.review]', 'enabled = false'],
      ...projectEntry('widgets', root),
    ];
    // A first start makes the database; the task is then stored as a crash would have left it.
    await (await startHarnessUnderTest(dir.path, config)).stop();
    const dataDir = path.join(dir.path, 'data');
    const leftover = path.join(realpathSync(dataDir), 'worktrees', 'widgets-0000000000', 'task_left');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(path.join(leftover, 'draft.txt'), 'left behind\n');
    const store = SqliteStore.open(dataDir);
    const at = new Date().toISOString();
    await store.tasks.enqueue(
      newTask({ id: 'task_left', project: 'widgets', kind: 'prompt', created_at: at }),
      10,
    );
    await store.tasks.transition('task_left', {
      from: 'queued',
      to: 'cancelled',
      patch: { worktree: leftover, finished_at: at },
    });
    await store.close();

    const app = await startHarnessUnderTest(dir.path, config);
    try {
      expect(existsSync(leftover)).toBe(false);
      expect(await app.task('task_left')).toMatchObject({ state: 'cancelled', worktree: null });
    } finally {
      await app.stop();
    }
  });
});
