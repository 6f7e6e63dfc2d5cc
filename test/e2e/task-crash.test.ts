/**
 * kill -9 with tasks queued, in the middle of their agent's work, and finished; after a restart
 * every unfinished task resumes (re-queued, picking up its worktree and branch) and finishes, no
 * pull request is opened twice, no worktree or task branch is left behind, and no event logged
 * before the crash is lost.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, viewOf, git, startTaskServer } from '@harness/testkit';

describe('tasks across kill -9', () => {
  const dir = tempDir('harness-task-crash-');
  afterAll(() => dir.remove());

  it('resumes or re-queues every unfinished task after a restart', async () => {
    const app = await startTaskServer(dir.path, [{ name: 'one', max_concurrent: 2 }], {
      global: 2,
      queue: 50,
    });
    try {
      const submit = async (prompt: string) =>
        ((await (await app.post('/tasks', { prompt, project: 'one' })).json()) as { task_id: string })
          .task_id;
      const first = await submit('quick one');
      expect((await app.finished(first)).state).toBe('done');
      const stalled = [await submit('STALL a'), await submit('STALL b')];
      const queued = [await submit('later c'), await submit('later d')];
      for (const id of stalled) {
        for (let i = 0; i < 200 && (await app.task(id)).state !== 'implementing'; i++)
          await new Promise((r) => setTimeout(r, 25));
        expect((await app.task(id)).state).toBe('implementing');
      }
      expect((await app.task(queued[0]!)).state).toBe('queued');
      const eventsBefore = new Map<string, number[]>();
      for (const id of [first, ...stalled, ...queued])
        eventsBefore.set(
          id,
          (await app.task(id)).timeline.map((e) => e.seq),
        );

      // After the crash the model stops stalling, so the resumed tasks can finish.
      app.model.script.respondWith((body) =>
        viewOf(body).afterTool
          ? { text: 'done' }
          : { tool_calls: [{ name: 'write_file', input: { path: 'resumed.txt', content: 'ok\n' } }] },
      );
      await app.crashAndRestart();

      for (const id of [...stalled, ...queued]) {
        const task = await app.finished(id);
        expect(task.state, `${id}: ${JSON.stringify(task.error)}`).toBe('done');
      }
      for (const [id, seqs] of eventsBefore) {
        const after = (await app.task(id)).timeline.map((e) => e.seq);
        expect(after.slice(0, seqs.length)).toEqual(seqs);
      }
      const recovered = await Promise.all(stalled.map((id) => app.task(id)));
      for (const task of recovered) expect(task.timeline.map((e) => e.kind)).toContain('task.recovered');
      const heads = app.hub.pullRequests('acme/one').map((p) => p.head);
      expect(heads.length).toBe(5);
      expect(new Set(heads).size).toBe(heads.length);
      const worktrees = path.join(dir.path, 'data', 'worktrees');
      const left = existsSync(worktrees)
        ? readdirSync(worktrees).flatMap((p) =>
            readdirSync(path.join(worktrees, p)).filter((f) => !f.startsWith('.')),
          )
        : [];
      expect(left).toEqual([]);
      // Every task ended done, so none leaves its branch in the project checkout.
      expect(git(path.join(dir.path, 'one'), 'branch', '-a', '--list', '*harness/*')).toBe('');
    } finally {
      await app.stop();
    }
  });
});
