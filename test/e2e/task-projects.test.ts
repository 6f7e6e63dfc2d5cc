/**
 * A task naming its project by a path that is not registered: refused over REST, JSON-RPC and in a
 * batch, with the path and how to register it; registered (and said so) under allowed_project_roots.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HarnessUnderTest,
  HttpClient,
  makeProject,
  startHarnessUnderTest,
  tempDir,
} from '@harness/testkit';

describe('tasks on a project path', () => {
  const dir = tempDir('harness-task-projects-');
  const allowed = path.join(dir.path, 'allowed');
  let app: HarnessUnderTest;
  let outside: { root: string };
  let inside: { root: string };

  beforeAll(async () => {
    mkdirSync(allowed);
    outside = makeProject(path.join(dir.path, 'elsewhere'), 'app');
    inside = makeProject(allowed, 'gadgets');
    app = await startHarnessUnderTest(dir.path, [
      '[server]',
      `project_root = "${allowed}"`,
      `allowed_project_roots = ["${allowed}"]`,
    ]);
  });
  afterAll(async () => {
    await app.stop();
    dir.remove();
  });

  const post = (route: string, body: unknown) => app.post(route, body);

  function expectRegisterHint(message: string) {
    expect(message).toContain(`project: ${outside.root} is not a registered project`);
    expect(message).toContain(`[[projects]] name = "app", root = "${outside.root}"`);
    expect(message).toContain(`--project app=${outside.root}`);
    expect(message).toContain('server.allowed_project_roots');
  }

  it('refuses an unregistered path over REST, naming it and how to register it', async () => {
    const response = await post('/tasks', { prompt: 'x', project: outside.root, review: false });
    expect(response.status).toBe(403);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('forbidden');
    expectRegisterHint(error.message);
    const projects = (await (await fetch(`${app.server.url}/api/projects`)).json()) as {
      projects: { root: string }[];
    };
    expect(projects.projects.map((p) => p.root)).not.toContain(outside.root);
  });

  it('refuses it over JSON-RPC task/create and in each item of a batch', async () => {
    const client = new HttpClient(app.server.url);
    await client.request('initialize', { client_info: { name: 'test' } });
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
    const reply = (await client.request('task/create', {
      prompt: 'x',
      project: outside.root,
      review: false,
    })) as { error?: { message: string } };
    expect(reply.error).toBeDefined();
    expectRegisterHint(reply.error!.message);

    const batch = (await (
      await post('/tasks/batch', { tasks: [{ prompt: 'x', project: outside.root, review: false }] })
    ).json()) as { results: { error?: { code: string; message: string } }[] };
    expect(batch.results[0]?.error?.code).toBe('forbidden');
    expectRegisterHint(batch.results[0]!.error!.message);
  });

  it('registers a path inside server.allowed_project_roots and says so in the timeline', async () => {
    const response = await post('/tasks', {
      prompt: 'x',
      project: inside.root,
      review: false,
      deliver: 'none',
    });
    expect(response.status).toBe(202);
    const { task_id, task } = (await response.json()) as { task_id: string; task: { project: string } };
    expect(task.project).toBe('gadgets');
    const detail = (await (await fetch(`${app.server.url}/tasks/${task_id}`)).json()) as {
      timeline: { kind: string; data: { project?: string; root?: string } }[];
    };
    expect(detail.timeline.find((event) => event.kind === 'project.registered')?.data).toMatchObject({
      project: 'gadgets',
      root: inside.root,
    });
    const projects = (await (await fetch(`${app.server.url}/api/projects`)).json()) as {
      projects: { name: string; root: string }[];
    };
    expect(projects.projects).toContainEqual(expect.objectContaining({ name: 'gadgets', root: inside.root }));
    await post(`/tasks/${task_id}/cancel`, {});
  });
});
