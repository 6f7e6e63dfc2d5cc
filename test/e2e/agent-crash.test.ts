/**
 * Agents die with the server. A task's agent (the real Claude Code CLI, running a slow command: a wait loop)
 * is running in its worktree when the server gets `kill -9`: its processes end at once — under
 * bubblewrap by `--die-with-parent`, without it by the guard watching the server — the store
 * holds the record of its process group until the next server has dealt with it (and, should the
 * guard be gone too, ends the group when it starts), and the next server's run of the task never
 * overlaps a process of the old one.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  startGithubStandIn,
  isolatedEnv,
  repoRoot,
  startHttpHarness,
  tempDir,
  makeProject,
  viewOf,
  eventually,
  type ProcessInfo,
  processesIn,
  stillRunning,
} from '@harness/testkit';

type Timeline = { timeline: { kind: string }[] };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recordedGroups(dataDir: string): { pgid: number; task_id: string | null }[] {
  const db = new Database(path.join(dataDir, 'harness.db'));
  try {
    return db.prepare('SELECT pgid, task_id FROM process_groups').all() as never;
  } finally {
    db.close();
  }
}

/** Guard processes (see core/process-groups.ts) watching any of `groups`. */
function guardsOf(groups: number[]): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
        return argv.includes('harness-group-guard') && groups.includes(Number(argv.at(-2)));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function crashWhileAgentWorks(
  sandboxMode: 'danger-full-access' | 'workspace-write',
  guard: 'guarded' | 'guard killed too' = 'guarded',
) {
  const dir = tempDir('harness-agent-crash-');
  cleanups.push(() => dir.remove());
  const hub = await startGithubStandIn({ token: 't' });
  cleanups.push(() => hub.close());
  hub.addRepo('acme/slow');
  const { root } = makeProject(dir.path, 'slow', '[validation]\npre_commit = []\n');
  const model = await startScriptedAnthropicServer([]);
  cleanups.push(() => model.close());

  let restarted = false;
  let old: ProcessInfo[] = [];
  /** For each model request of the new server: the old server's processes still running then. */
  const overlaps: ProcessInfo[][] = [];
  model.script.respondWith((body) => {
    if (restarted) overlaps.push(stillRunning(old));
    if (viewOf(body).afterTool) return { text: 'Done.' };
    // Claude Code refuses a bare long `sleep`; a wait loop on a file nobody creates is its own idiom.
    const command = restarted
      ? 'echo resumed > resumed.txt'
      : 'until [ -e .never-created ]; do sleep 1; done';
    return { tool_calls: [{ name: 'Bash', input: { command } }] };
  });
  const config = path.join(dir.path, 'config.toml');
  writeFileSync(
    config,
    [
      '[agents]',
      'default_agent = "claude"',
      `sandbox_mode = "${sandboxMode}"`,
      '[agents.review]',
      'enabled = false',
      '[github]',
      `api_url = "${hub.url}"`,
      'token = "t"',
      '[otel]',
      'exporter = "disabled"',
      '[[projects]]',
      'name = "slow"',
      `root = "${root}"`,
      '',
    ].join('\n'),
  );
  const env = isolatedEnv(dir.path, {
    PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
    HARNESS_CONFIG: config,
    ...scriptedClaudeEnv(model.baseUrl),
  });
  const dataDir = path.join(dir.path, 'data');
  const args = ['--transport', 'http', '--data-dir', dataDir];
  let server = await startHttpHarness(args, env);
  cleanups.push(() => server.stop().then(() => undefined));
  const task = async (id: string) =>
    (await (await fetch(`${server.url}/tasks/${id}`)).json()) as Task & Timeline;

  const created = await fetch(`${server.url}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'Take your time', project: 'slow' }),
  });
  const { task_id } = (await created.json()) as { task_id: string };
  const worktree = (
    await eventually(
      () => task(task_id),
      (t) => t.worktree !== null,
    )
  ).worktree!;
  old = await eventually(
    () => processesIn(worktree),
    (found) => found.some((p) => p.command.includes('.never-created')),
  );
  expect(old.map((p) => p.command)).toContainEqual(expect.stringContaining('.never-created'));

  if (guard === 'guard killed too') {
    // As if the guard had died with the server: only the next start-up can end the agent now.
    const guards = guardsOf(recordedGroups(dataDir).map((g) => g.pgid));
    expect(guards.length).toBeGreaterThan(0);
    for (const pid of guards) process.kill(pid, 'SIGKILL');
  }
  await server.stop('SIGKILL');
  // The record of the agent's group outlives the server, for the next one to act on.
  expect(recordedGroups(dataDir).map((g) => g.task_id)).toContain(task_id);
  if (guard === 'guarded') {
    const alive = await eventually(
      () => stillRunning(old),
      (left) => left.length === 0,
    );
    expect(alive).toEqual([]);
  } else expect(stillRunning(old).length).toBeGreaterThan(0);

  restarted = true;
  server = await startHttpHarness(args, env);
  // Listening means start-up is over, and start-up ends what the last server left running.
  expect(stillRunning(old)).toEqual([]);
  const finished = await eventually(
    () => task(task_id),
    (t) => ['done', 'failed', 'cancelled'].includes(t.state),
  );
  expect(finished.state, JSON.stringify(finished.error)).toBe('done');
  expect(finished.timeline.map((e) => e.kind)).toContain('task.recovered');
  expect(overlaps.length).toBeGreaterThan(0);
  expect(overlaps.flat()).toEqual([]);
  await server.stop();
  expect(recordedGroups(dataDir)).toEqual([]);
}

describe('agents across kill -9 of the server', () => {
  it('without bubblewrap, the agent and its command end with the server', async () => {
    await crashWhileAgentWorks('danger-full-access');
  }, 120_000);

  it('under bubblewrap, the sandboxed agent and its command end with the server', async () => {
    await crashWhileAgentWorks('workspace-write');
  }, 120_000);

  it('without bubblewrap and without its guard, the next server ends the agent before resuming', async () => {
    await crashWhileAgentWorks('danger-full-access', 'guard killed too');
  }, 120_000);
});
