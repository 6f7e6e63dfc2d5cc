/**
 * A new user's first task, end to end through the built server: only Claude Code set up (the real
 * CLI against the scripted model), no GitHub token, a project whose origin is a local bare
 * repository on `master`. The task is delivered as a pushed branch; a pull request is refused at
 * submission, saying what is missing. The task's diff is served over REST and JSON-RPC.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task, TaskDiff } from '@harness/protocol';
import {
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  tempDir,
  claudeWithApiReviewer,
  type HarnessUnderTest,
  startHarnessUnderTest,
  projectEntry,
  approve,
  HttpClient,
  makeRepo,
  viewOf,
  git,
} from '@harness/testkit';

describe('delivery without GitHub', () => {
  const dir = tempDir('harness-delivery-');
  let model: ScriptedAnthropicServer;
  let app: HarnessUnderTest;
  let root: string;
  let origin: string;

  beforeAll(async () => {
    root = makeRepo(path.join(dir.path, 'widgets'), {
      'README.md': '# widgets\n',
      '.harness/config.toml': '[validation]\npre_commit = ["grep -q fixed fix.txt"]\n',
    });
    git(root, 'branch', '-m', 'main', 'master');
    origin = path.join(dir.path, 'origin.git');
    mkdirSync(origin);
    git(origin, 'init', '-q', '--bare', '-b', 'master');
    git(root, 'remote', 'add', 'origin', origin);
    git(root, 'push', '-q', 'origin', 'master');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const view = viewOf(body);
      if (view.lastPrompt.includes('You are reviewing')) return approve();
      if (view.afterTool) return { text: 'Done: fix.txt now says fixed.' };
      return { tool_calls: [{ name: 'Bash', input: { command: 'echo fixed > fix.txt' } }] };
    });
    // No GitHub token anywhere: the first day of a user whose remote is not on GitHub.
    app = await startHarnessUnderTest(
      dir.path,
      [...claudeWithApiReviewer(model), ...projectEntry('widgets', root)],
      { ...scriptedClaudeEnv(model.baseUrl), GITHUB_TOKEN: undefined },
    );
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await model.close();
    dir.remove();
  });

  const post = (body: unknown) => app.post('/tasks', body);

  const finished = (id: string) => app.finished(id);

  let doneTask: Task | null = null;

  it('takes a prompt to done, reviewed, as a branch pushed from master', async () => {
    const response = await post({ prompt: 'Make the check pass', project: 'widgets' });
    expect(response.status).toBe(202);
    const { task_id } = (await response.json()) as { task_id: string };
    const task = await finished(task_id);
    doneTask = task;
    expect(task).toMatchObject({ state: 'done', error: null, delivery: 'branch', pr_url: null });
    expect(task.rounds.map((r) => r.verdict)).toEqual(['approve']);
    expect(git(origin, 'rev-parse', `refs/heads/${task.branch!}`)).toBe(task.commit_sha);
    expect(git(origin, 'show', `${task.commit_sha}:fix.txt`)).toBe('fixed');
    expect(git(origin, 'merge-base', '--is-ancestor', 'master', task.commit_sha!)).toBe('');
    expect(task.timeline.find((e) => e.kind === 'task.delivery')?.data).toMatchObject({
      asked: 'auto',
      delivery: 'branch',
    });
  }, 180_000);

  it('refuses a pull request at submission, saying that no GitHub token is set', async () => {
    const response = await post({
      prompt: 'Make the check pass',
      project: 'widgets',
      deliver: 'pull_request',
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain(
      'asks for delivery by pull request, which cannot be opened: no GitHub token is set',
    );
  });

  it("serves the done task's diff over REST (JSON and text/x-diff) and task/diff, with its worktree gone", async () => {
    const task = doneTask!;
    expect(task.worktree).toBeNull();
    const response = await fetch(`${app.server.url}/tasks/${task.id}/diff`);
    expect(response.status).toBe(200);
    const diff = (await response.json()) as TaskDiff;
    expect(diff).toMatchObject({
      task_id: task.id,
      source: 'branch',
      branch: task.branch,
      commit_sha: task.commit_sha,
      base: git(origin, 'rev-parse', 'master'),
      files: [{ path: 'fix.txt', status: 'added', additions: 1, deletions: 0, binary: false }],
      truncated: false,
    });
    expect(diff.diff).toContain('+++ b/fix.txt\n@@ -0,0 +1 @@\n+fixed\n');

    const plain = await fetch(`${app.server.url}/tasks/${task.id}/diff`, {
      headers: { accept: 'text/x-diff' },
    });
    expect(plain.headers.get('content-type')).toMatch(/^text\/x-diff/);
    expect(await plain.text()).toBe(diff.diff);

    const client = new HttpClient(app.server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
    expect(await client.request('task/diff', { task_id: task.id })).toMatchObject({ result: diff });
    expect(await client.request('task/diff', { task_id: 'task_missing' })).toMatchObject({
      error: { code: -32001, data: { code: 'not_found' } },
    });

    const missing = await fetch(`${app.server.url}/tasks/task_missing/diff`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { code: 'not_found', message: 'task not found: task_missing' },
    });
  });
});
