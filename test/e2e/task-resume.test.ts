/**
 * A recovered task resumes from its last finished stage. The server gets `kill -9` at the stage
 * boundaries of a task (during validation after the implementation was committed, during the
 * review after the pull request was opened, and while the implementor answers a review); after
 * the restart the committed work is not redone (the implementing agent is asked once), no pull
 * request is opened twice, the review goes on from its last round, and every task that ends
 * `done` leaves no `harness/*` branch in the project checkout. A failed task keeps its branch.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  type GithubStandIn,
  startGithubStandIn,
  claudeWithApiReviewer,
  githubStandInConfig,
  type HarnessUnderTest,
  projectEntry,
  startHarnessUnderTest,
  type TaskView,
  tempDir,
  approve,
  makeProject,
  requestChanges,
  viewOf,
  eventually,
  processesIn,
  stillRunning,
  git,
} from '@harness/testkit';

const markers = ['RESUME-A', 'RESUME-B', 'RESUME-C', 'RESUME-D'];

describe('tasks resume from their last finished stage after kill -9', () => {
  const dir = tempDir('harness-task-resume-');
  const holdValidation = path.join(dir.path, 'hold-validation');
  const hold = { review: false, fix: false };
  /** Per task marker: how often the implementor was given the task, and how often it was reviewed. */
  const implementing = new Map<string, number>();
  const reviewing = new Map<string, number>();
  let project: { root: string; remote: string };
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let app: HarnessUnderTest;

  const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

  beforeAll(async () => {
    const check = `while [ -e ${holdValidation} ]; do sleep 0.1; done\ngrep -q fixed fix.txt\n`;
    project = makeProject(dir.path, 'resume', '[validation]\npre_commit = ["sh check.sh"]\n');
    writeFileSync(path.join(project.root, 'check.sh'), check);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-qm', 'a check that can be held');
    git(project.root, 'push', '-q', 'origin', 'main');
    hub = await startGithubStandIn({ token: 't' });
    hub.addRepo('acme/resume');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const view = viewOf(body);
      const marker = markers.find((m) => JSON.stringify(body).includes(m)) ?? '';
      if (view.lastPrompt.includes('You are reviewing')) {
        if (marker === 'RESUME-B' && hold.review) return { stall: true };
        bump(reviewing, marker);
        if (marker === 'RESUME-C' && reviewing.get(marker) === 1)
          return requestChanges('fix.txt should say that it was reviewed');
        return approve();
      }
      if (view.afterTool) return { text: 'Done: fix.txt says fixed.' };
      if (view.lastPrompt.includes('asked for changes')) {
        if (hold.fix) return { stall: true };
        return { tool_calls: [{ name: 'Bash', input: { command: 'echo "fixed, reviewed" > fix.txt' } }] };
      }
      if (view.lastPrompt.includes('You are implementing')) bump(implementing, marker);
      const command = marker === 'RESUME-D' ? 'echo almost > fix.txt' : 'echo fixed > fix.txt';
      return { tool_calls: [{ name: 'Bash', input: { command } }] };
    });
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...claudeWithApiReviewer(model),
        ...githubStandInConfig(hub, 't'),
        ...['[otel]', 'exporter = "disabled"'],
        ...projectEntry('resume', project.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
    );
  }, 60_000);

  afterAll(async () => {
    await app.stop();
    await model.close();
    await hub.close();
    dir.remove();
  });

  const submit = async (prompt: string): Promise<string> => {
    const response = await app.post('/tasks', { prompt, project: 'resume' });
    return ((await response.json()) as { task_id: string }).task_id;
  };
  const reached = (id: string, ok: (t: TaskView) => boolean) => eventually(() => app.task(id), ok);
  const finished = (id: string) => app.finished(id);
  const checkpoints = (t: TaskView) =>
    t.timeline.filter((e) => e.kind === 'task.checkpoint').map((e) => e.data?.stage);
  const skipped = (t: TaskView) =>
    t.timeline.filter((e) => e.kind === 'task.stage_skipped').map((e) => e.data?.stage);
  const pullRequestsOf = (t: Task) =>
    hub.pullRequests('acme/resume').filter((p) => p.head === `acme:${t.branch}`);
  const localTaskBranches = () => git(project.root, 'branch', '-a', '--list', '*harness/*');

  it('does not re-run the implementor when the crash comes during validation of its committed work', async () => {
    writeFileSync(holdValidation, '');
    const id = await submit('Make the test pass (RESUME-A)');
    const during = await reached(
      id,
      (t) => t.state === 'validating' && checkpoints(t).includes('implemented'),
    );
    const validation = await eventually(
      () => processesIn(during.worktree!),
      (found) => found.some((p) => p.command.includes('check.sh')),
    );
    expect(validation.map((p) => p.command)).toContainEqual(expect.stringContaining('check.sh'));

    await app.server.stop('SIGKILL');
    // The validation command was run for the dead server: it must not go on beside the next one.
    expect(
      await eventually(
        () => stillRunning(validation),
        (alive) => alive.length === 0,
      ),
    ).toEqual([]);
    rmSync(holdValidation);
    await app.startAgain();

    const done = await finished(id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    expect(implementing.get('RESUME-A')).toBe(1);
    expect(skipped(done)).toContain('implementing');
    expect(pullRequestsOf(done)).toHaveLength(1);
    expect(git(project.remote, 'show', `${done.branch}:fix.txt`)).toBe('fixed');
    expect(done.worktree).toBeNull();
    expect(existsSync(during.worktree!)).toBe(false);
    expect(localTaskBranches()).toBe('');
  }, 120_000);

  it('opens no second pull request and redoes nothing when the crash comes during the review', async () => {
    hold.review = true;
    const id = await submit('Make the test pass (RESUME-B)');
    const during = await reached(id, (t) => t.state === 'reviewing' && t.pr_number !== null);
    hold.review = false;
    await app.crashAndRestart();

    const done = await finished(id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    expect(done.pr_number).toBe(during.pr_number);
    expect(pullRequestsOf(done)).toHaveLength(1);
    expect(implementing.get('RESUME-B')).toBe(1);
    expect(skipped(done)).toEqual(expect.arrayContaining(['implementing', 'validating', 'push']));
    expect(done.rounds.map((r) => r.verdict)).toEqual(['approve']);
    expect(localTaskBranches()).toBe('');
  }, 120_000);

  it('answers the review it was answering when the crash came, then goes on to the next round', async () => {
    hold.fix = true;
    const id = await submit('Make the test pass (RESUME-C)');
    await reached(id, (t) => t.state === 'fixing' && t.rounds.length === 1);
    hold.fix = false;
    await app.crashAndRestart();

    const done = await finished(id);
    expect(done.state, JSON.stringify(done.error)).toBe('done');
    expect(done.rounds.map((r) => r.verdict)).toEqual(['changes_requested', 'approve']);
    // Round 1 judged the first version; only the fixed one was reviewed again.
    expect(reviewing.get('RESUME-C')).toBe(2);
    expect(implementing.get('RESUME-C')).toBe(1);
    expect(checkpoints(done)).toContain('fixed');
    expect(pullRequestsOf(done)).toHaveLength(1);
    expect(git(project.remote, 'show', `${done.branch}:fix.txt`)).toBe('fixed, reviewed');
    expect(localTaskBranches()).toBe('');
  }, 120_000);

  it('keeps the branch of a failed task that holds commits, so its work is not lost', async () => {
    const id = await submit('Make the test pass (RESUME-D)');
    const failed = await finished(id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('validation_failed');
    expect(failed.worktree).toBeNull();
    expect(git(project.root, 'show', `${failed.branch}:fix.txt`)).toBe('almost');
  }, 120_000);
});
