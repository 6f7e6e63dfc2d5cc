import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Task } from '@harness/protocol';
import {
  type ScriptedAnthropicServer,
  startScriptedAnthropicServer,
} from '../../../packages/harness/src/agents/index.js';
import { type GithubStandIn, startGithubStandIn } from '../../../packages/harness/src/github/index.js';
import { isolatedEnv, repoRoot, type RunningHarness, startHttpHarness } from './harness-process.js';
import { makeProject, viewOf } from './pipeline-fixture.js';

/**
 * A server whose agent is the Anthropic API adapter against a scripted model that answers every
 * conversation at once (one file written, then "done"): an instant agent, so what is measured is
 * Harness itself. Review is off; projects have nothing to validate.
 */
export interface TaskServer {
  /** Replaced by a restart. */
  server: RunningHarness;
  model: ScriptedAnthropicServer;
  hub: GithubStandIn;
  post(route: string, body: unknown): Promise<Response>;
  task(id: string): Promise<Task & { timeline: { kind: string; seq: number; data: unknown }[] }>;
  finished(id: string): Promise<Task>;
  stop(): Promise<void>;
  /** kill -9, then start again on the same data directory, config, model and GitHub. */
  crashAndRestart(): Promise<void>;
}

export async function startTaskServer(
  dir: string,
  projects: { name: string; max_concurrent: number }[],
  limits: { global: number; queue: number },
  extraArgs: string[] = [],
  extraConfig: string[] = ['[otel]', 'exporter = "disabled"'],
): Promise<TaskServer> {
  const hub = await startGithubStandIn({ token: 't' });
  const model = await startScriptedAnthropicServer([]);
  let n = 0;
  model.script.respondWith((body) => {
    if (JSON.stringify(body).includes('STALL') && !viewOf(body).afterTool) return { stall: true };
    if (viewOf(body).afterTool) return { text: 'done' };
    return { tool_calls: [{ name: 'write_file', input: { path: `out-${++n}.txt`, content: `${n}\n` } }] };
  });
  const entries = projects.flatMap((p) => {
    hub.addRepo(`acme/${p.name}`);
    const { root } = makeProject(dir, p.name, '[validation]\npre_commit = []\n');
    return ['[[projects]]', `name = "${p.name}"`, `root = "${root}"`, `max_concurrent = ${p.max_concurrent}`];
  });
  const config = path.join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      '[agents]',
      'default_agent = "anthropic_api"',
      'stall_timeout_secs = 600',
      '[agents.anthropic_api]',
      `base_url = "${model.baseUrl}"`,
      'api_key = "scripted"',
      '[agents.review]',
      'enabled = false',
      '[concurrency]',
      `max_concurrent_tasks = ${limits.global}`,
      `max_queue_size = ${limits.queue}`,
      '[github]',
      `api_url = "${hub.url}"`,
      'token = "t"',
      ...extraConfig,
      ...entries,
      '',
    ].join('\n'),
  );
  const env = isolatedEnv(dir, {
    PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
    HARNESS_CONFIG: config,
  });
  const args = ['--transport', 'http', '--data-dir', path.join(dir, 'data'), ...extraArgs];
  const server = await startHttpHarness(args, env);
  const handle: TaskServer = {
    server,
    model,
    hub,
    post: (route, body) =>
      fetch(`${handle.server.url}${route}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    task: async (id) => (await (await fetch(`${handle.server.url}/tasks/${id}`)).json()) as never,
    finished: async (id) => {
      for (let i = 0; i < 3000; i++) {
        const task = await handle.task(id);
        if (['done', 'failed', 'cancelled', 'needs_input'].includes(task.state)) return task;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`task ${id} did not finish`);
    },
    crashAndRestart: async () => {
      await handle.server.stop('SIGKILL');
      handle.server = await startHttpHarness(args, env);
    },
    stop: async () => {
      await handle.server.stop();
      await model.close();
      await hub.close();
    },
  };
  return handle;
}
