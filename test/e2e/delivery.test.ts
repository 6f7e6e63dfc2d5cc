/**
 * A new user's first task, end to end through the built server: only Claude Code set up (the real
 * CLI against the scripted model), no GitHub token, a project whose origin is a local bare
 * repository on `master`. The task is delivered as a pushed branch; a pull request is refused at
 * submission, saying what is missing.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('takes a prompt to done, reviewed, as a branch pushed from master', async () => {
    const response = await post({ prompt: 'Make the check pass', project: 'widgets' });
    expect(response.status).toBe(202);
    const { task_id } = (await response.json()) as { task_id: string };
    const task = await finished(task_id);
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
});
