/**
 * A new user's setup: only Claude Code enabled (Codex and the Anthropic API switched off). A task
 * that needs review has no one to review it, so it is refused when submitted, over REST and
 * JSON-RPC alike, saying "reviewer" and what to configure; `review: false` is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  HttpClient,
  type ScriptedAnthropicServer,
  makeProject,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  tempDir,
  type HarnessUnderTest,
  startHarnessUnderTest,
  projectEntry,
} from '@harness/testkit';

describe('submitting a task with no second agent to review it', () => {
  const dir = tempDir('harness-reviewer-');
  let model: ScriptedAnthropicServer;
  let app: HarnessUnderTest;

  beforeAll(async () => {
    const widgets = makeProject(dir.path, 'widgets');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith(() => ({ text: 'Nothing to do.' }));
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...['[agents]', 'default_agent = "claude"'],
        ...['[agents.codex]', 'enabled = false'],
        ...['[agents.anthropic_api]', 'enabled = false'],
        ...projectEntry('widgets', widgets.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
    );
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await model.close();
    dir.remove();
  });

  const post = (route: string, body: unknown) => app.post(route, body);

  it('refuses it over REST with a 422 that says reviewer and what to configure', async () => {
    const response = await post('/tasks', { prompt: 'Make the test pass', project: 'widgets' });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('no_reviewer');
    expect(error.message).toContain('no other agent is usable');
    expect(error.message).toContain('implementing agent claude');
    expect(error.message).toContain('codex: disabled in config; anthropic_api: disabled in config');
    expect(error.message).toContain('reviewer_agent');
    expect(error.message).toContain('"review": false');
    const listed = (await (await fetch(`${app.server.url}/tasks`)).json()) as { tasks: Task[] };
    expect(listed.tasks).toEqual([]);
  });

  it('refuses it over JSON-RPC task/create with the no_reviewer code', async () => {
    const client = new HttpClient(app.server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
    const reply = (await client.request('task/create', {
      prompt: 'Make the test pass',
      project: 'widgets',
    })) as {
      error: { code: number; message: string; data: { code: string } };
    };
    expect(reply.error.code).toBe(-32013);
    expect(reply.error.data.code).toBe('no_reviewer');
    expect(reply.error.message).toContain('reviewer');
  });

  it('refuses a reviewer that is the implementing agent', async () => {
    const response = await post('/tasks', {
      prompt: 'x',
      project: 'widgets',
      agent: 'claude',
      reviewer: 'claude',
    });
    expect(response.status).toBe(422);
    const { error } = (await response.json()) as { error: { message: string } };
    expect(error.message).toContain('the reviewer (claude) must not be the implementing agent');
  });

  it('accepts the task with review: false and a budget, recorded on it', async () => {
    const response = await post('/tasks', {
      prompt: 'Make the test pass',
      project: 'widgets',
      review: false,
      budget_usd: 2.5,
    });
    expect(response.status).toBe(202);
    const { task_id } = (await response.json()) as { task_id: string };
    const task = (await (await fetch(`${app.server.url}/tasks/${task_id}`)).json()) as Task;
    expect(task).toMatchObject({ review: false, reviewer: null, budget_usd: 2.5 });
    await post(`/tasks/${task_id}/cancel`, {});
  });
});
