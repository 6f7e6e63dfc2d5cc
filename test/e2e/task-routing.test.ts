/**
 * Routing by complexity, through the built server: each task submitted over JSON-RPC is classified
 * and records the agent and model chosen and why (`Task.routing`); the implementor's requests to the
 * model carry that model; an agent asked for that cannot run is refused at submission.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  HttpClient,
  type ScriptedAnthropicServer,
  makeProject,
  projectEntry,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  tempDir,
  type HarnessUnderTest,
  startHarnessUnderTest,
} from '@harness/testkit';

describe('routing tasks by complexity', () => {
  const dir = tempDir('harness-routing-');
  let model: ScriptedAnthropicServer;
  let app: HarnessUnderTest;
  let client: HttpClient;

  beforeAll(async () => {
    const widgets = makeProject(dir.path, 'widgets', '');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith(() => ({ text: 'Nothing to change.' }));
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...['[agents]', 'default_agent = "auto"'],
        ...[
          '[agents.complexity_preferred_agents]',
          'simple = ["anthropic_api"]',
          'complex = ["codex", "claude"]',
        ],
        ...['[agents.complexity_preferred_models.complex]', 'claude = "claude-opus-routed"'],
        ...['[agents.codex]', 'enabled = false'],
        ...['[agents.anthropic_api]', `base_url = "${model.baseUrl}"`, 'api_key = "scripted"'],
        ...projectEntry('widgets', widgets.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
    );
    client = new HttpClient(app.server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  }, 60_000);
  afterAll(async () => {
    await client.close();
    await app.stop();
    await model.close();
    dir.remove();
  });

  async function create(params: Record<string, unknown>): Promise<Task> {
    const reply = (await client.request('task/create', { project: 'widgets', review: false, ...params })) as {
      result?: { task: Task };
      error?: unknown;
    };
    if (reply.result === undefined) throw new Error(`task/create failed: ${JSON.stringify(reply.error)}`);
    return reply.result.task;
  }

  it('sends simple work to the agent preferred for it, with its default model, and says why', async () => {
    const task = await create({ prompt: 'Fix the typo in README.md' });
    expect(task.routing).toEqual({
      complexity: 'simple',
      agent: 'anthropic_api',
      model: 'claude-sonnet-4-20250514',
      reason:
        'simple work: anthropic_api: the first usable of complexity_preferred_agents.simple [anthropic_api]; its default model claude-sonnet-4-20250514',
    });
    expect(task.agent).toBe('anthropic_api');
    await app.finished(task.id);
  });

  it('sends complex work to the first usable preferred agent with the preferred model, which the model receives', async () => {
    const task = await create({ prompt: 'Refactor the widget loader across the codebase' });
    expect(task.routing).toMatchObject({
      complexity: 'complex',
      agent: 'claude',
      model: 'claude-opus-routed',
    });
    expect(task.routing?.reason).toContain(
      'claude: the first usable of complexity_preferred_agents.complex [codex, claude]',
    );
    const before = model.script.requests.length;
    const finished = await app.finished(task.id);
    expect(finished.routing).toEqual(task.routing);
    const models = model.script.requests.slice(before).map((r) => (r.body as { model?: string }).model);
    expect(models).toContain('claude-opus-routed');
    const fetched = (await client.request('task/get', { task_id: task.id })) as { result: Task };
    expect(fetched.result.routing?.model).toBe('claude-opus-routed');
  });

  it('falls back to the first usable agent for work no preference names', async () => {
    const task = await create({ prompt: 'Make the greeting friendlier' });
    expect(task.routing).toMatchObject({
      complexity: 'medium',
      agent: 'claude',
      reason:
        'medium work: claude: the first usable agent (default_agent = "auto"); its default model sonnet',
    });
    await app.finished(task.id);
  });

  it('refuses at submission an agent that cannot run, saying which and why', async () => {
    const reply = (await client.request('task/create', {
      project: 'widgets',
      prompt: 'Fix the typo',
      agent: 'codex',
    })) as { error: { code: number; message: string; data: { code: string } } };
    expect(reply.error.data.code).toBe('unavailable');
    expect(reply.error.message).toContain('agent codex is not usable: disabled in config');
    const listed = (await client.request('task/list', {})) as { result: { tasks: Task[] } };
    expect(listed.result.tasks.every((t) => t.agent !== 'codex')).toBe(true);
  });

  it('classifies without submitting: task/classify', async () => {
    const reply = (await client.request('task/classify', {
      prompt: 'Patch the login',
      issue: { title: 'Auth bypass in session check', labels: ['security'] },
    })) as { result: { complexity: string; reasons: string[] } };
    expect(reply.result.complexity).toBe('critical');
    expect(reply.result.reasons).toContain('critical: labelled "security"');
    const bad = (await client.request('task/classify', { prompt: '' })) as {
      error: { code: number; message: string };
    };
    expect(bad.error.code).toBe(-32602);
    expect(bad.error.message).toContain('prompt');
  });
});
