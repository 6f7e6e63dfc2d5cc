/**
 * The task pipeline end to end, through the built server: REST and JSON-RPC submissions, the real
 * Claude Code CLI implementing in a worktree, validation with a fix round, a pull request on a
 * local GitHub stand-in pushed to a local bare remote, and an independent review by a different
 * agent (the Anthropic API adapter), with its outcome posted on the PR.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedAnthropicServer,
  type ScriptTurn,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  type GithubStandIn,
  startGithubStandIn,
  HttpClient,
  tempDir,
  githubStandInConfig,
  claudeWithApiReviewer,
  type HarnessUnderTest,
  startHarnessUnderTest,
  projectEntry,
  approve,
  makeProject,
  requestChanges,
  viewOf,
  git,
} from '@harness/testkit';

const token = 'stand-in-token';

describe('task pipeline', () => {
  const dir = tempDir('harness-tasks-');
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let app: HarnessUnderTest;
  let widgets: { root: string; remote: string };
  /** How the reviewer answers round N of a task whose prompt contains the key. */
  const reviews = new Map<string, (round: number) => ScriptTurn>();

  beforeAll(async () => {
    widgets = makeProject(dir.path, 'widgets');
    hub = await startGithubStandIn({ token });
    hub.addRepo('acme/widgets');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const view = viewOf(body);
      const key = [...reviews.keys()].find((k) => JSON.stringify(body).includes(k));
      if (view.lastPrompt.includes('You are reviewing'))
        return (
          (key === undefined ? undefined : reviews.get(key)?.(view.count('You are reviewing'))) ?? approve()
        );
      if (view.afterTool) return { text: 'Done: fix.txt now says fixed.' };
      if (JSON.stringify(body).includes('NO-OP')) return { text: 'I decided nothing needs changing.' };
      if (view.lastPrompt.includes('validation commands failed'))
        return { tool_calls: [{ name: 'Bash', input: { command: 'echo fixed > fix.txt' } }] };
      if (view.lastPrompt.includes('asked for changes'))
        return { tool_calls: [{ name: 'Bash', input: { command: 'echo "fixed, reviewed" > fix.txt' } }] };
      // The first attempt is wrong on purpose when asked to be sloppy, so validation sends it back.
      const command = view.lastPrompt.includes('SLOPPY') ? 'echo almost > fix.txt' : 'echo fixed > fix.txt';
      return { tool_calls: [{ name: 'Bash', input: { command } }] };
    });
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...claudeWithApiReviewer(model),
        ...githubStandInConfig(hub, token),
        ...projectEntry('widgets', widgets.root),
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

  const post = (route: string, body: unknown) => app.post(route, body);

  const finished = (id: string) => app.finished(id);

  it('takes a prompt to a validated, reviewed pull request', async () => {
    const response = await post('/tasks', { prompt: 'Make the test pass (task A)', project: 'widgets' });
    expect(response.status).toBe(202);
    const { task_id } = (await response.json()) as { task_id: string };
    const task = await finished(task_id);
    expect(task.error).toBeNull();
    expect(task.state).toBe('done');
    expect(task.agent).toBe('claude');
    expect(task.reviewer).toBe('anthropic_api');
    expect(task.rounds.map((r) => r.verdict)).toEqual(['approve']);
    expect(task.grade).toMatch(/^[ABCD]$/);
    expect(task.pr_url).toMatch(/\/acme\/widgets\/pull\/\d+$/);
    const pr = hub.pullRequests('acme/widgets').find((p) => p.number === task.pr_number);
    expect(pr?.head).toBe(`acme:${task.branch}`);
    expect(
      hub
        .reviews('acme/widgets', task.pr_number!)
        .map((r) => r.body)
        .join(),
    ).toMatch(/Approved/);
    expect(git(widgets.remote, 'show', `${task.branch}:fix.txt`)).toBe('fixed');
    expect(task.worktree).toBeNull();
    const kinds = task.timeline.map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'task.queued',
        'task.stage',
        'agent.command',
        'task.validation',
        'task.pr',
        'task.review',
        'task.finished',
      ]),
    );
  });

  it('sends validation failures back to the agent, and review findings too, over JSON-RPC', async () => {
    reviews.set('task B', (round) => (round === 1 ? requestChanges('say that it was reviewed') : approve()));
    const client = new HttpClient(app.server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
    const created = (await client.request('task/create', {
      prompt: 'SLOPPY: make the test pass (task B)',
      project: 'widgets',
    })) as {
      result: { task_id: string };
    };
    const task = await finished(created.result.task_id);
    expect(task.state).toBe('done');
    expect(task.validation_attempts).toBeGreaterThanOrEqual(3);
    expect(task.rounds.map((r) => r.verdict)).toEqual(['changes_requested', 'approve']);
    expect(git(widgets.remote, 'show', `${task.branch}:fix.txt`)).toBe('fixed, reviewed');
    expect(hub.pullRequests('acme/widgets').filter((p) => p.head === `acme:${task.branch}`)).toHaveLength(1);
    const detail = (await client.request('task/get', { task_id: task.id })) as { result: { state: string } };
    expect(detail.result.state).toBe('done');
  });

  it('takes a GitHub issue to a pull request that closes it', async () => {
    const issue = hub.addIssue('acme/widgets', {
      title: 'Make the test pass (task F)',
      body: 'The check in test.sh fails.',
    });
    const { task_id } = (await (await post('/tasks', { issue, project: 'widgets' })).json()) as {
      task_id: string;
    };
    const task = await finished(task_id);
    expect(task.state).toBe('done');
    expect(task.kind).toBe('issue');
    const pr = hub.pullRequests('acme/widgets').find((p) => p.number === task.pr_number);
    expect(pr?.title).toBe('Make the test pass (task F)');
    expect(pr?.body).toContain(`Closes #${issue}.`);
    const asked = model.script.requests.map((r) => JSON.stringify(r.body)).join();
    expect(asked).toContain('The check in test.sh fails.');
  });

  it('continues a pull request on its own branch without opening another', async () => {
    const feature = path.join(dir.path, 'feature-clone');
    git(dir.path, 'clone', '-q', widgets.remote, feature);
    git(feature, 'checkout', '-q', '-b', 'feature-x');
    writeFileSync(path.join(feature, 'feature.txt'), 'work in progress\n');
    git(feature, 'add', '-A');
    git(feature, '-c', 'user.name=Dev', '-c', 'user.email=dev@example.com', 'commit', '-qm', 'start feature');
    git(feature, 'push', '-q', 'origin', 'feature-x');
    const pr = hub.addPullRequest('acme/widgets', {
      head: 'feature-x',
      title: 'Make the test pass (task G)',
      user: 'dev',
    });
    const { task_id } = (await (await post('/tasks', { pr, project: 'widgets' })).json()) as {
      task_id: string;
    };
    const task = await finished(task_id);
    expect(task.state).toBe('done');
    expect(task.pr_number).toBe(pr);
    expect(git(widgets.remote, 'show', 'feature-x:fix.txt')).toBe('fixed');
    expect(git(widgets.remote, 'show', 'feature-x:feature.txt')).toBe('work in progress');
    expect(hub.pullRequests('acme/widgets').filter((p) => p.head.endsWith(':feature-x'))).toHaveLength(1);
    expect(hub.reviews('acme/widgets', pr).length).toBeGreaterThan(0);
  });

  it('fails, never completes, a task whose agent changed nothing or never passed validation', async () => {
    const stuck = (await (await post('/tasks', { prompt: 'NO-OP please', project: 'widgets' })).json()) as {
      task_id: string;
    };
    const failedValidation = await finished(stuck.task_id);
    expect(failedValidation.state).toBe('failed');
    expect(failedValidation.error?.code).toBe('validation_failed');
    expect(failedValidation.validation_attempts).toBe(3);
    expect(failedValidation.pr_url).toBeNull();

    // A project registered at run time, with nothing to validate: the missing change is the failure.
    const gadgets = makeProject(dir.path, 'gadgets', '[validation]\npre_commit = []\n');
    const registered = await post('/api/projects', { id: 'gadgets', root: gadgets.root, max_concurrent: 1 });
    expect(registered.status).toBe(201);
    const idle = (await (await post('/tasks', { prompt: 'NO-OP again', project: 'gadgets' })).json()) as {
      task_id: string;
    };
    const noChanges = await finished(idle.task_id);
    expect(noChanges.state).toBe('failed');
    expect(noChanges.error?.code).toBe('no_changes');
    expect(noChanges.pr_url).toBeNull();
  });

  it('fails a task that ends without its pull request', async () => {
    hub.failNext('pulls.create', { count: 1, status: 422 });
    const { task_id } = (await (
      await post('/tasks', { prompt: 'Make the test pass (task D)', project: 'widgets' })
    ).json()) as { task_id: string };
    const task = await finished(task_id);
    expect(task.state).toBe('failed');
    expect(task.pr_url).toBeNull();
    expect(task.grade).toBe('D');
  });

  it('streams a task as Server-Sent Events: history first, resumable from Last-Event-ID', async () => {
    const { task_id } = (await (
      await post('/tasks', { prompt: 'Make the test pass (task E)', project: 'widgets' })
    ).json()) as { task_id: string };
    const read = async (headers: Record<string, string> = {}) => {
      const text = await (await fetch(`${app.server.url}/tasks/${task_id}/stream`, { headers })).text();
      return text
        .split('\n\n')
        .map((block) => ({ id: /^id: (\d+)$/m.exec(block)?.[1], kind: /^event: (.+)$/m.exec(block)?.[1] }))
        .filter((e) => e.id !== undefined)
        .map((e) => ({ id: Number(e.id), kind: e.kind }));
    };
    const all = await read();
    expect(all.at(-1)?.kind).toBe('task.finished');
    const ids = all.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    const resumed = await read({ 'last-event-id': String(ids[2]) });
    expect(resumed.map((e) => e.id)).toEqual(ids.slice(3));
  });

  it('answers bad requests clearly and shows the dashboard', async () => {
    const none = await post('/tasks', { project: 'widgets' });
    expect(none.status).toBe(400);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(
      /exactly one of prompt, issue or pr/,
    );
    expect((await post('/tasks', { prompt: 'x', project: 'nope' })).status).toBe(404);
    expect((await fetch(`${app.server.url}/tasks/task_missing`)).status).toBe(404);
    const bad = await fetch(`${app.server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    const dashboard = (await (await fetch(`${app.server.url}/api/dashboard`)).json()) as {
      global: { done: number; failed: number; grade: string; quality?: { grade: string } };
      projects: { id: string; tasks: { done: number }; quality?: { grade: string } }[];
    };
    // The quality grade from the event log, as `dashboard/get` gives it, global and per project.
    expect(dashboard.global.quality?.grade).toMatch(/^[ABCD]$/);
    expect(dashboard.projects.find((p) => p.id === 'widgets')?.quality?.grade).toMatch(/^[ABCD]$/);
    expect(dashboard.global.done).toBeGreaterThanOrEqual(3);
    expect(dashboard.global.failed).toBeGreaterThanOrEqual(2);
    // Failures beside the successes: the grade is capped below A.
    expect(dashboard.global.grade).toMatch(/^[BCD]$/);
    expect(dashboard.projects.find((p) => p.id === 'widgets')?.tasks.done).toBe(dashboard.global.done);
    expect(
      readdirSync(path.join(dir.path, 'data', 'worktrees')).flatMap((p) =>
        readdirSync(path.join(dir.path, 'data', 'worktrees', p)),
      ),
    ).not.toContain(expect.stringMatching(/^task_/));
  });
});
