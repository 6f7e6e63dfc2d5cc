/**
 * On a host without bubblewrap the default sandbox cannot be enforced: turns and tasks are refused
 * up front — no turn record, no worktree — with a message that says how to fix it, never run with
 * more access than configured. A user who asks for `danger-full-access` explicitly gets it.
 *
 * The server runs with a PATH that holds node, git and the agent CLIs but no `bwrap`.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  type ScriptedAnthropicServer,
  startScriptedAnthropicServer,
  HttpClient,
  isolatedEnv,
  repoRoot,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  makeProject,
} from '@harness/testkit';
import { findOnPath } from '../../packages/harness/src/sandbox/index.js';

const HOW_TO_FIX = [/apt-get install bubblewrap/, /agents\.sandbox_mode = "danger-full-access"/];

describe('without bubblewrap, the default sandbox refuses turns and tasks up front', () => {
  const dir = tempDir('harness-no-bwrap-');
  let model: ScriptedAnthropicServer;
  let server: RunningHarness;
  let client: HttpClient;
  let project: { root: string };

  beforeAll(async () => {
    const bin = path.join(dir.path, 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'node']) {
      const found = findOnPath(tool);
      if (found === null) throw new Error(`${tool} is needed on PATH for this test`);
      symlinkSync(found, path.join(bin, tool));
    }
    project = makeProject(dir.path, 'widgets', '[validation]\npre_commit = []\n');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith(() => ({ text: 'Answered with full access.' }));
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(
      config,
      [
        '[agents]',
        'default_agent = "anthropic_api"',
        '[agents.anthropic_api]',
        `base_url = "${model.baseUrl}"`,
        'api_key = "scripted"',
        '[agents.review]',
        'enabled = false',
        '[otel]',
        'exporter = "disabled"',
        '[[projects]]',
        'name = "widgets"',
        `root = "${project.root}"`,
        '',
      ].join('\n'),
    );
    const env = isolatedEnv(dir.path, {
      PATH: `${bin}:${path.join(repoRoot, 'node_modules/.bin')}`,
      HARNESS_CONFIG: config,
    });
    server = await startHttpHarness(['--transport', 'http', '--data-dir', path.join(dir.path, 'data')], env);
    client = new HttpClient(server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await model?.close();
    dir.remove();
  });

  const startThread = async (): Promise<string> =>
    ((await client.request('thread/start', { cwd: project.root })) as { result: { thread_id: string } })
      .result.thread_id;

  it('refuses a turn before writing it, saying how to fix it', async () => {
    const threadId = await startThread();
    const reply = (await client.request('turn/start', { thread_id: threadId, input: 'go' })) as {
      error?: { message: string };
    };
    expect(reply.error?.message).toMatch(/sandbox mode workspace-write cannot be enforced/);
    for (const hint of HOW_TO_FIX) expect(reply.error?.message).toMatch(hint);
    const resumed = (await client.request('thread/resume', { thread_id: threadId })) as {
      result: { turns: unknown[]; thread: { status: string } };
    };
    expect(resumed.result.turns).toEqual([]);
    expect(resumed.result.thread.status).toBe('idle');
    expect(model.script.requests).toHaveLength(0);
  });

  it('fails a task before it has a worktree, saying how to fix it', async () => {
    const response = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'anything', project: 'widgets' }),
    });
    const { task_id } = (await response.json()) as { task_id: string };
    let task: Task | undefined;
    for (let i = 0; i < 600 && !['failed', 'done'].includes(task?.state ?? ''); i++) {
      if (task !== undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      task = (await (await fetch(`${server.url}/tasks/${task_id}`)).json()) as Task;
    }
    expect(task?.state).toBe('failed');
    expect(task?.error?.code).toBe('sandbox_unavailable');
    for (const hint of HOW_TO_FIX) expect(task?.error?.message).toMatch(hint);
    expect(task?.worktree).toBeNull();
    expect(model.script.requests).toHaveLength(0);
  });

  it('runs a turn that asks for danger-full-access explicitly', async () => {
    const threadId = await startThread();
    const reply = (await client.request('turn/start', {
      thread_id: threadId,
      input: 'go',
      sandbox_mode: 'danger-full-access',
    })) as { result: { turn_id: string } };
    const turnId = reply.result.turn_id;
    let status = 'running';
    for (let i = 0; i < 600 && status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const polled = (await client.request('turn/status', { turn_id: turnId })) as {
        result: { turn: { status: string } };
      };
      status = polled.result.turn.status;
    }
    expect(status).toBe('completed');
    expect(model.script.requests).toHaveLength(1);
  });
});
