/**
 * `POST /tasks/batch` through the built server: 202 only when every item was accepted, 207
 * Multi-Status when some were not (each item's status and error in the body), the items' common
 * status when none was; `task/batch` answers item by item. And the dashboard names projects the
 * way `GET /api/projects` does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HarnessUnderTest,
  HttpClient,
  makeProject,
  projectEntry,
  type ScriptedAnthropicServer,
  startHarnessUnderTest,
  startScriptedAnthropicServer,
  tempDir,
} from '@harness/testkit';

interface BatchItem {
  status: number;
  task_id?: string;
  state?: string;
  error?: { code: string; message: string };
}
interface BatchBody {
  results: BatchItem[];
  error?: { code: string; message: string };
}

describe('POST /tasks/batch', () => {
  const dir = tempDir('harness-batch-');
  let model: ScriptedAnthropicServer;
  let app: HarnessUnderTest;

  beforeAll(async () => {
    const widgets = makeProject(dir.path, 'widgets');
    // The agent answers without changing anything: the accepted tasks fail later, which is not
    // what this file looks at.
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith(() => ({ text: 'Nothing to change.' }));
    app = await startHarnessUnderTest(dir.path, [
      ...['[agents]', 'default_agent = "anthropic_api"'],
      ...['[agents.anthropic_api]', `base_url = "${model.baseUrl}"`, 'api_key = "scripted"'],
      ...projectEntry('widgets', widgets.root),
    ]);
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    await model.close();
    dir.remove();
  });

  const batch = async (body: unknown) => {
    const response = await fetch(`${app.server.url}/tasks/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as BatchBody };
  };
  const accepted = { prompt: 'Fix it', project: 'widgets', review: false, deliver: 'none' };

  it('answers 202 when every item was accepted', async () => {
    const { status, body } = await batch({ tasks: [accepted, accepted] });
    expect(status).toBe(202);
    expect(body.error).toBeUndefined();
    expect(body.results).toEqual([
      { status: 202, task_id: expect.stringMatching(/^task_/), state: 'queued' },
      { status: 202, task_id: expect.stringMatching(/^task_/), state: 'queued' },
    ]);
  });

  it('answers 207 when some were accepted, with each item’s status and error, in order', async () => {
    const { status, body } = await batch({ tasks: [accepted, { prompt: 'Fix it', project: 'nowhere' }] });
    expect(status).toBe(207);
    expect(body.results[0]).toMatchObject({ status: 202, task_id: expect.stringMatching(/^task_/) });
    expect(body.results[1]).toEqual({
      status: 404,
      error: { code: 'not_found', message: 'project not found: nowhere' },
    });
  });

  it('answers the common status, with the error at the top, when every item failed the same way', async () => {
    const { status, body } = await batch({ issues: [1, 2], project: 'nowhere' });
    expect(status).toBe(404);
    expect(body.error).toEqual({
      code: 'not_found',
      message: 'none of the 2 tasks was accepted: project not found: nowhere',
    });
    expect(body.results.map((item) => item.status)).toEqual([404, 404]);
  });

  it('answers 207 when every item failed, for different reasons', async () => {
    const { status, body } = await batch({ tasks: [{ prompt: 'x', project: 'nowhere' }, { prompt: 7 }] });
    expect(status).toBe(207);
    expect(body.error).toBeUndefined();
    expect(body.results.map((item) => [item.status, item.error?.code])).toEqual([
      [404, 'not_found'],
      [400, 'invalid_params'],
    ]);
  });

  it('refuses a malformed batch as a whole with 400', async () => {
    const { status, body } = await batch({ tasks: [] });
    expect(status).toBe(400);
    expect(body.error?.message).toContain('give at least one of tasks');
  });

  it('task/batch answers item by item over JSON-RPC', async () => {
    const client = new HttpClient(app.server.url);
    await client.send(
      '[{"jsonrpc":"2.0","id":1,"method":"initialize"},{"jsonrpc":"2.0","method":"initialized"}]',
    );
    const reply = (await client.request('task/batch', {
      tasks: [accepted, { prompt: 'Fix it', project: 'nowhere' }],
    })) as { result: { results: BatchItem[] } };
    expect(reply.result.results[0]).toMatchObject({ task_id: expect.stringMatching(/^task_/) });
    expect(reply.result.results[1]).toEqual({
      error: { code: 'not_found', message: 'project not found: nowhere' },
    });
  });

  it('the dashboard names projects as GET /api/projects does', async () => {
    const listed = (await (await fetch(`${app.server.url}/api/projects`)).json()) as {
      projects: { name: string; root: string }[];
    };
    const dashboard = (await (await fetch(`${app.server.url}/api/dashboard`)).json()) as {
      projects: { name: string; id: string; root: string }[];
    };
    expect(dashboard.projects.map((p) => [p.name, p.root])).toEqual(
      listed.projects.map((p) => [p.name, p.root]),
    );
    expect(dashboard.projects.map((p) => p.id)).toEqual(listed.projects.map((p) => p.name));
  });
});
