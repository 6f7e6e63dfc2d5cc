/**
 * The guard stage of validation, end to end through the pipeline: an in-process agent that edits
 * the worktree as told, real `.harness/guards/*.sh` scanners, real git in a temp dir (with an
 * origin and the GitHub stand-in, so "not delivered" is checked where delivery would go) and a
 * real SQLite store.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Event, newTask, type Task } from '@harness/protocol';
import { type GithubStandIn, claimTask, startGithubStandIn } from '@harness/testkit';
import { type AgentAdapter, AgentRegistry, type TerminalEvent } from '../agents/index.js';
import { createGit, createProcessRunner, loadConfig, silentLogger, systemClock } from '../core/index.js';
import { GithubClient } from '../github/index.js';
import type { Rule } from '../guards/index.js';
import { EventLog } from '../observe/index.js';
import { ProjectRegistry } from '../projects/index.js';
import { SqliteStore, type Store } from '../store/index.js';
import { NotificationHub, ThreadService, TurnService, policyGateFor } from '../threads/index.js';
import { TaskPipeline } from './pipeline.js';
import { WorktreeManager } from './worktrees.js';

/** Each turn writes these files; the prompts it was given are collected. */
type Turn = Record<string, string>;

function fakeAgent(script: Turn[], prompts: string[]): AgentAdapter {
  let n = 0;
  const usage = {
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: 0.1,
  };
  return {
    name: 'claude',
    probe: async () => ({
      ...{ name: 'claude' as const, enabled: true, usable: true, reason: null, version: 'fake' },
      ...{ binary_path: null, default_model: null, command_gate: 'enforced' as const },
      ...{ model_access: null, model_access_reason: null },
    }),
    startTurn(options) {
      const files = script[n++] ?? {};
      prompts.push(options.prompt);
      const base = { turn_id: `claude-${n}`, agent: 'claude' as const };
      const terminal: TerminalEvent = {
        ...base,
        type: 'result',
        text: 'done',
        session_id: 'claude-session',
        num_turns: 1,
        usage,
      };
      const done = (async () => {
        for (const [file, text] of Object.entries(files)) {
          mkdirSync(path.dirname(path.join(options.cwd, file)), { recursive: true });
          // `-> TARGET` makes a symlink.
          if (text.startsWith('-> ')) symlinkSync(text.slice(3), path.join(options.cwd, file));
          else writeFileSync(path.join(options.cwd, file), text);
        }
        return terminal;
      })();
      return {
        id: base.turn_id,
        interrupt: () => undefined,
        done,
        async *[Symbol.asyncIterator]() {
          yield await done;
        },
      };
    },
  };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

/** Reports every `eval(` outside .git and .harness as SEC-EVAL, as FILE:LINE:RULE_ID:MESSAGE. */
const evalGuard = `#!/bin/bash
cd "$1" || exit 2
grep -rn --exclude-dir=.git --exclude-dir=.harness 'eval(' . | while IFS=: read -r file line rest; do
  echo "\${file#./}:$line:SEC-EVAL:eval() runs whatever string it is given"
done
`;

const evalRule: Rule = {
  id: 'SEC-EVAL',
  title: 'No eval',
  severity: 'high',
  category: 'security',
  paths: ['**/*.js'],
  description: 'eval() executes arbitrary strings as code. Parse the data instead (JSON.parse).',
  fixPattern: null,
  source: { file: 'builtin:security.md', line: 3 },
};

interface Fixture {
  dir: string;
  root: string;
  remote: string;
  store: Store;
  hub: GithubStandIn;
  run(script: Turn[], prompts?: string[]): Promise<Task>;
}

let seq = 0;

async function fixture(files: Record<string, string>): Promise<Fixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-guard-stage-'));
  const remote = path.join(dir, 'remotes', 'acme', 'widgets.git');
  mkdirSync(remote, { recursive: true });
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  const root = path.join(dir, 'widgets');
  for (const [file, text] of Object.entries({ '.harness/guards/sec-eval.sh': evalGuard, ...files })) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  git(dir, 'init', '-q', '-b', 'main', root);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
  git(root, 'remote', 'add', 'origin', remote);
  git(root, 'push', '-q', 'origin', 'main');
  const hub = await startGithubStandIn({ token: 't' });
  hub.addRepo('acme/widgets');
  const configFile = path.join(dir, 'config.toml');
  writeFileSync(
    configFile,
    `[agents]\ndefault_agent = "claude"\n[agents.review]\nenabled = false\n[otel]\nexporter = "disabled"\n` +
      `[github]\napi_url = "${hub.url}"\ntoken = "t"\n[[projects]]\nname = "widgets"\nroot = "${root}"\n`,
  );
  const { config } = loadConfig({ configPath: configFile, env: {} });
  const store = SqliteStore.open(path.join(dir, 'data'));
  const events = new EventLog(store, silentLogger, systemClock);
  const notifications = new NotificationHub();
  const threads = new ThreadService(store, events, notifications, systemClock, {
    projectRoot: root,
    allowedProjectRoots: [],
  });
  const runner = createProcessRunner();
  const gitPort = createGit({ runner });
  const run = async (script: Turn[], prompts: string[] = []): Promise<Task> => {
    const agents = new AgentRegistry(config.agents, [fakeAgent(script, prompts)]);
    const turns = new TurnService({
      ...{ store, events, hub: notifications, threads, agents, clock: systemClock, logger: silentLogger },
      commandGate: policyGateFor([]),
    });
    const pipeline = new TaskPipeline({
      ...{ store, events, clock: systemClock, logger: silentLogger, threads, turns, agents, runner },
      projects: new ProjectRegistry(config, store, systemClock),
      worktrees: new WorktreeManager({
        git: gitPort,
        root: path.join(dir, 'data', 'worktrees'),
        logger: silentLogger,
      }),
      git: gitPort,
      github: new GithubClient({ api_url: hub.url, token: 't' }),
      author: { name: 'Task Bot', email: 'bot@example.com' },
      onPrompt: 'refuse',
      guardRules: async (projectRoot) => {
        expect(projectRoot).toBe(root);
        return new Map([[evalRule.id, evalRule]]);
      },
    });
    const at = new Date().toISOString();
    const task = newTask({
      ...{ id: `task-${++seq}`, project: 'widgets', kind: 'prompt', prompt: 'Parse the input' },
      ...{ review: false, created_at: at },
    });
    await store.tasks.enqueue(task, 100);
    await claimTask(store, task.id, 'o', at);
    await pipeline.run(
      { ...task, state: 'preparing' },
      { signal: new AbortController().signal, lease: { owner: 'o', generation: 1 } },
    );
    return (await store.tasks.get(task.id))!;
  };
  return { dir, root, remote, store, hub, run };
}

const timeline = (store: Store, taskId: string): Promise<Event[]> =>
  store.events.query({ task_id: taskId, limit: 1000, order: 'asc' });
const guardEvents = async (store: Store, taskId: string) =>
  (await timeline(store, taskId)).filter((e) => e.kind === 'task.guards');
const overlay = (extra = '') => ({ '.harness/config.toml': `[validation]\npre_commit = ["true"]\n${extra}` });

let f: Fixture | undefined;
afterEach(async () => {
  if (f === undefined) return;
  await f.hub.close();
  await f.store.close();
  rmSync(f.dir, { recursive: true, force: true });
  f = undefined;
});

describe('the guard stage of validation', () => {
  it('sends a new high finding back with file:line and the rule text; fixed, the task is delivered', async () => {
    f = await fixture(overlay());
    const prompts: string[] = [];
    const task = await f.run(
      [
        { 'src/app.js': 'const x = 1;\nconst y = eval(input);\n' },
        { 'src/app.js': 'const y = JSON.parse(input);\n' },
      ],
      prompts,
    );

    expect(task).toMatchObject({ state: 'done', validation_attempts: 2, error: null });
    expect(prompts[1]).toContain(
      'src/app.js:2 [SEC-EVAL] (high) No eval — eval() runs whatever string it is given',
    );
    expect(prompts[1]).toContain('eval() executes arbitrary strings as code. Parse the data instead');
    const guards = await guardEvents(f.store, task.id);
    expect(guards.map((e) => [e.decision, e.data])).toEqual([
      ['block', expect.objectContaining({ round: 1, new: 1, preexisting: 0, blocking: 1, broken: [] })],
      ['pass', expect.objectContaining({ round: 2, new: 0, preexisting: 0, blocking: 0 })],
    ]);
    expect((guards[0]!.data as { severities: unknown }).severities).toEqual({
      critical: 0,
      high: 1,
      medium: 0,
      low: 0,
    });
    const scans = await f.store.scans.list({ project: 'widgets', limit: 10 });
    expect(scans.map((s) => [s.trigger, s.task_id, s.finding_count])).toEqual(
      expect.arrayContaining([
        ['pipeline', task.id, 1],
        ['pipeline', task.id, 0],
      ]),
    );
    const findings = (await timeline(f.store, task.id)).filter((e) => e.kind === 'rule.finding');
    expect(findings.map((e) => [e.tool, e.decision, e.project])).toEqual([['SEC-EVAL', 'block', 'widgets']]);
    expect(f.hub.pullRequests('acme/widgets')).toHaveLength(1);
  });

  it('sends a failed command and new findings back in one fix round', async () => {
    f = await fixture({ '.harness/config.toml': '[validation]\npre_commit = ["grep -q fixed fix.txt"]\n' });
    const prompts: string[] = [];
    const task = await f.run(
      [
        { 'fix.txt': 'not yet', 'src/app.js': 'eval(input);\n' },
        { 'fix.txt': 'fixed', 'src/app.js': 'JSON.parse(input);\n' },
      ],
      prompts,
    );

    expect(task).toMatchObject({ state: 'done', validation_attempts: 2 });
    expect(prompts[1]).toContain("The validation commands failed and the project's guards found problems");
    expect(prompts[1]).toContain('Validation failed: `grep -q fixed fix.txt`');
    expect(prompts[1]).toContain('src/app.js:1 [SEC-EVAL] (high) No eval');
  });

  it('fails a task whose new finding remains after the last round with guard_findings, and delivers nothing', async () => {
    f = await fixture(overlay('max_retries = 1\n'));
    const bad = { 'src/app.js': 'eval(input);\n' };
    const task = await f.run([bad, { 'src/other.js': 'ok();\n' }]);

    expect(task).toMatchObject({
      state: 'failed',
      validation_attempts: 2,
      error: { code: 'guard_findings' },
    });
    expect(task.error!.message).toContain('src/app.js:1 [SEC-EVAL] (high)');
    expect(task.pr_url).toBeNull();
    expect(f.hub.pullRequests('acme/widgets')).toHaveLength(0);
    expect(git(f.remote, 'branch', '--list')).not.toContain(task.branch!);
    // Kept like any failed task's branch, the work on it.
    expect(git(f.root, 'show', `refs/heads/${task.branch!}:src/app.js`)).toBe('eval(input);');
  });

  it('does not hold a finding the base commit already had against the task, though the file moved lines', async () => {
    f = await fixture({ ...overlay(), 'src/legacy.js': 'const v = eval(raw);\n' });
    const task = await f.run([{ 'src/legacy.js': '// parsed below\nconst w = 2;\nconst v = eval(raw);\n' }]);

    expect(task).toMatchObject({ state: 'done', validation_attempts: 1 });
    const [event] = await guardEvents(f.store, task.id);
    expect(event).toMatchObject({ decision: 'pass' });
    expect(event!.data).toMatchObject({ new: 0, preexisting: 1, blocking: 0 });
  });

  it('is not thrown off by a symlink out of the project among the changed files', async () => {
    f = await fixture(overlay('max_retries = 0\n'));
    const task = await f.run([{ 'src/app.js': 'eval(input);\n', 'src/outside.js': '-> /etc/hostname' }]);

    expect(task).toMatchObject({ state: 'failed', error: { code: 'guard_findings' } });
    const [event] = await guardEvents(f.store, task.id);
    expect(event!.data).toMatchObject({ scanned: true, files: 1, blocking: 1 });
  });

  it('lets a high finding through with guard_severity = "critical", and says so', async () => {
    f = await fixture(overlay('guard_severity = "critical"\n'));
    const task = await f.run([{ 'src/app.js': 'eval(input);\n' }]);

    expect(task).toMatchObject({ state: 'done', validation_attempts: 1 });
    const [event] = await guardEvents(f.store, task.id);
    expect(event!.data).toMatchObject({ threshold: 'critical', new: 1, blocking: 0 });
  });

  it('never fails a task for a guard that crashes, and names the guard in the event', async () => {
    f = await fixture({
      ...overlay(),
      '.harness/guards/broken.sh': 'echo "boom: no such tool" >&2\nexit 3\n',
      'src/app.js': 'const input = "{}";\n',
    });
    const task = await f.run([{ 'src/app.js': 'JSON.parse(input);\n' }]);

    expect(task).toMatchObject({ state: 'done' });
    const [event] = await guardEvents(f.store, task.id);
    expect(event).toMatchObject({ decision: 'warn' });
    expect(event!.reason).toContain('BROKEN exited with code 3: boom: no such tool');
    expect(event!.data).toMatchObject({
      new: 0,
      blocking: 0,
      // It broke on the task's files and on the same files at the base commit.
      broken: [
        { guard: 'BROKEN', reason: 'exited with code 3: boom: no such tool' },
        { guard: 'BROKEN', reason: "on the base commit's files: exited with code 3: boom: no such tool" },
      ],
    });
  });

  it('judges a task by the base commit’s guards: one the agent rewrote is neither obeyed nor run', async () => {
    f = await fixture(overlay('max_retries = 0\n'));
    const marker = path.join(f.root, '..', 'ran-outside-the-sandbox');
    // The agent silences the eval guard and adds one that would run code of its own on the host.
    const task = await f.run([
      {
        'src/app.js': 'eval(x);\n',
        '.harness/guards/sec-eval.sh': 'exit 0\n',
        '.harness/guards/escape.sh': `touch ${JSON.stringify(marker)}\n`,
      },
    ]);

    expect(task).toMatchObject({ state: 'failed', error: { code: 'guard_findings' } });
    expect(task.error!.message).toContain('src/app.js:1 [SEC-EVAL] (high)');
    expect(existsSync(marker)).toBe(false);
    const [event] = await guardEvents(f.store, task.id);
    expect(event).toMatchObject({ decision: 'block' });
    expect(event!.reason).toContain(
      'the task changed .harness/guards/escape.sh, .harness/guards/sec-eval.sh',
    );
    expect(event!.data).toMatchObject({
      new: 1,
      guards_changed: ['.harness/guards/escape.sh', '.harness/guards/sec-eval.sh'],
    });
  });

  it('skips the scan when no guard exists and no rule applies to the changed files', async () => {
    f = await fixture(overlay());
    rmSync(path.join(f.root, '.harness', 'guards'), { recursive: true });
    git(f.root, 'commit', '-qam', 'no guards');
    git(f.root, 'push', '-q', 'origin', 'main');
    const task = await f.run([{ 'notes.txt': 'eval(x)\n' }]);

    expect(task).toMatchObject({ state: 'done' });
    const events = await guardEvents(f.store, task.id);
    expect(events.map((e) => e.data)).toEqual([
      expect.objectContaining({ scanned: false, skipped: 'no guard or rule applies to the changed files' }),
    ]);
    expect(await f.store.scans.list({ project: 'widgets', limit: 10 })).toEqual([]);
  });
});
