/**
 * The queue under load: 50 tasks over 3 projects with an instant agent; the per-project and
 * global limits are never exceeded (checked from the event order, which is exact), every task
 * ends done with its own PR; a full queue answers 429 at once; cancel works in every state.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Event } from '@harness/protocol';
import { HttpClient, tempDir, startTaskServer } from '@harness/testkit';

const dirs: { remove: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

describe('task queue under load', () => {
  // 50 real worktrees, commits and pushes: the long timeout is a hang guard, not a speed check.
  it('runs 50 tasks over 3 projects within the project and global limits', async () => {
    const dir = tempDir('harness-load-');
    dirs.push(dir);
    const limits = { alpha: 1, beta: 2, gamma: 3 };
    const app = await startTaskServer(
      dir.path,
      Object.entries(limits).map(([name, max_concurrent]) => ({ name, max_concurrent })),
      { global: 4, queue: 100 },
    );
    try {
      const names = Object.keys(limits);
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) {
        const response = await app.post('/tasks', { prompt: `load task ${i}`, project: names[i % 3] });
        expect(response.status).toBe(202);
        ids.push(((await response.json()) as { task_id: string }).task_id);
      }
      const tasks = await Promise.all(ids.map((id) => app.finished(id)));
      expect(tasks.filter((t) => t.state !== 'done').map((t) => [t.id, t.state, t.error])).toEqual([]);
      expect(new Set(tasks.map((t) => t.pr_url)).size).toBe(50);

      const client = new HttpClient(app.server.url);
      await client.request('initialize');
      await client.send('{"jsonrpc":"2.0","method":"initialized"}');
      const events: Event[] = [];
      for (let after = 0; ;) {
        const page = (await client.request('event/query', {
          kind: ['task.stage', 'task.finished'],
          after_seq: after,
          limit: 1000,
        })) as {
          result: { events: Event[]; next_after_seq: number | null };
        };
        events.push(...page.result.events);
        if (page.result.next_after_seq === null) break;
        after = page.result.next_after_seq;
      }
      const projectOf = new Map(tasks.map((t) => [t.id, t.project]));
      const running = new Map<string, number>();
      const peak = new Map<string, number>();
      let global = 0;
      let globalPeak = 0;
      for (const event of events) {
        const project = projectOf.get(event.task_id ?? '');
        if (!project) continue;
        const delta =
          event.kind === 'task.finished'
            ? -1
            : (event.data as { stage: string }).stage === 'preparing'
              ? 1
              : 0;
        running.set(project, (running.get(project) ?? 0) + delta);
        peak.set(project, Math.max(peak.get(project) ?? 0, running.get(project)!));
        global += delta;
        globalPeak = Math.max(globalPeak, global);
      }
      for (const [name, limit] of Object.entries(limits))
        expect(peak.get(name), name).toBeLessThanOrEqual(limit);
      expect(globalPeak).toBeLessThanOrEqual(4);
      expect(globalPeak).toBeGreaterThanOrEqual(2);
    } finally {
      await app.stop();
    }
  }, 180_000);

  it('answers a full queue with 429 at once, and cancels queued, running and finished tasks correctly', async () => {
    const dir = tempDir('harness-queue-');
    dirs.push(dir);
    const app = await startTaskServer(dir.path, [{ name: 'solo', max_concurrent: 1 }], {
      global: 1,
      queue: 2,
    });
    try {
      const submit = (prompt: string) => app.post('/tasks', { prompt, project: 'solo' });
      const running = ((await (await submit('STALL here')).json()) as { task_id: string }).task_id;
      for (let i = 0; i < 100 && (await app.task(running)).state === 'queued'; i++)
        await new Promise((r) => setTimeout(r, 20));
      const queued = [await submit('second'), await submit('third')];
      expect(queued.map((r) => r.status)).toEqual([202, 202]);
      const full = await submit('fourth');
      expect(full.status).toBe(429);
      expect(((await full.json()) as { error: { code: string } }).error.code).toBe('queue_full');

      const [second, third] = (await Promise.all(queued.map((r) => r.json()))) as { task_id: string }[];
      const cancelQueued = await app.post(`/tasks/${second!.task_id}/cancel`, {});
      expect(((await cancelQueued.json()) as { state: string }).state).toBe('cancelled');
      const cancelRunning = await app.post(`/tasks/${running}/cancel`, {});
      expect(((await cancelRunning.json()) as { state: string }).state).toBe('cancelled');
      const done = await app.finished(third!.task_id);
      expect(done.state).toBe('done');
      const again = await app.post(`/tasks/${third!.task_id}/cancel`, {});
      expect(again.status).toBe(409);
      // Cancelled, its worktree is gone (it had written nothing, so no branch is kept either).
      expect(await app.task(running)).toMatchObject({ worktree: null, branch: null });
    } finally {
      await app.stop();
    }
  });
});
