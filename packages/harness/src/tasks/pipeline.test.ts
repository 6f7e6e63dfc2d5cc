/**
 * The pipeline's stages and transitions with an in-process agent that implements our adapter
 * contract (it edits the worktree as told), on real git in a temp dir, a real SQLite file, real
 * validation processes and the GitHub stand-in. The real CLIs are exercised by test/e2e.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Event, newTask, type Task, type TaskDiff, taskCreateSchema } from '@harness/protocol';
import {
  type AgentAdapter,
  type AgentEvent,
  AgentRegistry,
  type TerminalEvent,
  type TurnSkills,
  apiRetryEvent,
} from '../agents/index.js';
import {
  type Git,
  type HarnessConfig,
  HarnessError,
  createGit,
  createProcessRunner,
  loadConfig,
  silentLogger,
  systemClock,
} from '../core/index.js';
import { type GithubStandIn, claimTask, startGithubStandIn } from '@harness/testkit';
import { GithubClient } from '../github/index.js';
import { ExecPlan } from '../plans/index.js';
import { EventLog } from '../observe/index.js';
import { ProjectRegistry } from '../projects/index.js';
import { SqliteStore, type Store } from '../store/index.js';
import {
  NotificationHub,
  type SkillsForTurn,
  ThreadService,
  TurnService,
  policyGateFor,
} from '../threads/index.js';
import { TaskPipeline, outcomeOf } from './pipeline.js';
import { TaskScheduler } from './scheduler.js';
import { taskDiff } from './task-diff.js';
import { TaskService } from './task-service.js';
import { RunSuperseded, ServerShutdown, TaskCancelled, TaskFailure, TaskNeedsInput } from './task-failure.js';
import { WorktreeManager } from './worktrees.js';

/**
 * One agent turn: the files it writes, the command it then asks the turn's command gate to run
 * (run with sh when allowed; a refusal ends the turn `policy_blocked`, as the real adapters do),
 * what it does meanwhile, and its final message.
 */
interface ScriptedTurn {
  files?: Record<string, string>;
  command?: string;
  during?: () => Promise<void>;
  /** Keeps working (after `files` and `during`) until it is interrupted, as a long turn does. */
  untilInterrupted?: boolean;
  text?: string;
  /** The model API failed this many times before the turn went on (each an `api_retry` event). */
  retries?: number;
}

/** What a fake agent was asked: each turn's prompt and the session it was to continue. */
interface Asked {
  prompt: string;
  resumeSessionId: string | undefined;
  skills?: TurnSkills | undefined;
}

const usage = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: 0.5,
};

/** Our AgentAdapter contract, answered in-process: turn n does script[n] and succeeds. */
function fakeAgent(
  script: ScriptedTurn[],
  name: 'claude' | 'codex' | 'anthropic_api' = 'claude',
  asked: Asked[] = [],
): AgentAdapter {
  let n = 0;
  return {
    name,
    probe: async () => ({
      name,
      enabled: true,
      usable: true,
      reason: null,
      version: 'fake',
      binary_path: null,
      default_model: null,
      command_gate: 'enforced',
      model_access: null,
      model_access_reason: null,
    }),
    startTurn(options) {
      const step = script[n++] ?? {};
      asked.push({
        prompt: options.prompt,
        resumeSessionId: options.resumeSessionId,
        skills: options.skills,
      });
      const base = { turn_id: `${name}-${n}`, agent: name };
      const session_id = `${name}-session`;
      // Interrupted (a cancel) while it works, it ends as a real agent does: with an error, its
      // file changes left uncommitted in the worktree.
      let interrupted: string | null = null;
      let wake = () => undefined as void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      let terminal: TerminalEvent = {
        ...base,
        type: 'result',
        text: 'done',
        session_id,
        num_turns: 1,
        usage,
      };
      const events: AgentEvent[] = Object.keys(step.files ?? {}).map((file) => ({
        ...base,
        type: 'file_change',
        path: file,
        kind: 'add',
      }));
      // As the real adapters do: each skill given up front is a use.
      for (const skill of options.skills?.catalogue ?? []) {
        if (options.skills?.activate.includes(skill.name))
          events.unshift({
            ...base,
            type: 'skill_used',
            skill: skill.name,
            file: skill.file,
            activation: 'explicit',
          });
      }
      const done = (async () => {
        for (const [file, text] of Object.entries(step.files ?? {}))
          writeFileSync(path.join(options.cwd, file), text);
        if (step.command !== undefined) {
          const verdict = options.commandGate
            ? await options.commandGate({ command: step.command, cwd: options.cwd })
            : { decision: 'allow' as const };
          events.push({
            ...base,
            type: 'command_gate',
            command: step.command,
            ...verdict,
            reason: verdict.reason ?? null,
          });
          if (verdict.decision !== 'allow') {
            terminal = {
              ...base,
              type: 'error',
              code: 'policy_blocked',
              message: `the command policy stopped the agent: \`${step.command}\` (${verdict.reason ?? ''})`,
              retryable: false,
              session_id,
              http_status: null,
              stderr_tail: null,
              usage,
            };
            return terminal;
          }
          execFileSync('sh', ['-c', step.command], { cwd: options.cwd });
        }
        await step.during?.();
        if (step.untilInterrupted === true) await woken;
        if (interrupted !== null)
          terminal = {
            ...base,
            type: 'error',
            code: 'cancelled',
            message: interrupted,
            retryable: false,
            session_id: null,
            http_status: null,
            stderr_tail: null,
            usage,
          };
        return terminal;
      })();
      const retries = Array.from({ length: step.retries ?? 0 }, (_, i): AgentEvent => {
        const retry = {
          attempt: i + 1,
          max_retries: 10,
          delay_ms: 500 * (i + 1),
          status: 529,
          error: 'overloaded',
        };
        return { ...base, ...apiRetryEvent(retry) };
      });
      events.unshift(...retries);
      if (step.text !== undefined) events.push({ ...base, type: 'text', text: step.text });
      return {
        id: base.turn_id,
        interrupt: (reason: string) => {
          interrupted = reason;
          wake();
        },
        done,
        async *[Symbol.asyncIterator]() {
          await done;
          yield* events;
          yield terminal;
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

interface Fixture {
  dir: string;
  remote: string;
  store: Store;
  hub: GithubStandIn;
  root: string;
  /**
   * With a reviewer script, a second agent (codex) reviews; `asked` collects the implementor's
   * prompts; with a challenger script, a third agent (anthropic_api) is there to challenge;
   * `skillsForTurn` is the turn service's skills port.
   */
  pipeline(
    script: ScriptedTurn[],
    reviewerScript?: ScriptedTurn[],
    asked?: Asked[],
    challengerScript?: ScriptedTurn[],
    skillsForTurn?: SkillsForTurn,
  ): TaskPipeline;
  /** Submission, as `POST /tasks` and `task/create` do it (its scheduler never claims a task itself). */
  service(): TaskService;
  config: HarnessConfig;
  git: Git;
}

/**
 * `branch`: the remote's and the checkout's branch; `token: false`: no GitHub token is set;
 * `onPrompt`: `rules.on_prompt`. The project's `.harness/policy` applies to every agent turn.
 */
async function fixture({
  branch = 'main',
  token = true,
  onPrompt = 'refuse' as 'refuse' | 'needs_input',
} = {}): Promise<Fixture> {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-pipeline-'));
  const remote = path.join(dir, 'remotes', 'acme', 'widgets.git');
  mkdirSync(remote, { recursive: true });
  git(remote, 'init', '-q', '--bare', '-b', branch);
  const root = path.join(dir, 'widgets');
  mkdirSync(path.join(root, '.harness'), { recursive: true });
  writeFileSync(
    path.join(root, '.harness', 'config.toml'),
    '[validation]\npre_commit = ["grep -q fixed fix.txt"]\n',
  );
  git(dir, 'init', '-q', '-b', branch, root);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'init');
  git(root, 'remote', 'add', 'origin', remote);
  git(root, 'push', '-q', 'origin', branch);
  const hub = await startGithubStandIn({ token: 't' });
  hub.addRepo('acme/widgets');
  const configFile = path.join(dir, 'config.toml');
  writeFileSync(
    configFile,
    `[agents]\ndefault_agent = "claude"\n[agents.review]\nenabled = false\n[otel]\nexporter = "disabled"\n` +
      `[github]\napi_url = "${hub.url}"\ntoken = "t"\n[git]\nauthor_name = "Task Bot"\nauthor_email = "bot@example.com"\n` +
      `[[projects]]\nname = "widgets"\nroot = "${root}"\n`,
  );
  const { config } = loadConfig({ configPath: configFile, env: {} });
  const store = SqliteStore.open(path.join(dir, 'data'));
  const clock = systemClock;
  const logger = silentLogger;
  const events = new EventLog(store, logger, clock);
  const notifications = new NotificationHub();
  const threads = new ThreadService(store, events, notifications, clock, {
    projectRoot: root,
    allowedProjectRoots: [],
  });
  const runner = createProcessRunner();
  const gitPort = createGit({ runner });
  const github = new GithubClient({ api_url: hub.url, ...(token ? { token: 't' } : {}) });
  const pipeline = (
    script: ScriptedTurn[],
    reviewerScript?: ScriptedTurn[],
    asked?: Asked[],
    challengerScript?: ScriptedTurn[],
    skillsForTurn?: SkillsForTurn,
  ) => {
    const reviewer = reviewerScript ? [fakeAgent(reviewerScript, 'codex')] : [];
    const challenger = challengerScript ? [fakeAgent(challengerScript, 'anthropic_api')] : [];
    const agents = new AgentRegistry(config.agents, [
      fakeAgent(script, 'claude', asked),
      ...reviewer,
      ...challenger,
    ]);
    const commandGate = policyGateFor([]);
    const turns = new TurnService({
      ...{ store, events, hub: notifications, threads, agents, clock, logger },
      commandGate,
      ...(skillsForTurn ? { skillsForTurn } : {}),
    });
    return new TaskPipeline({
      store,
      events,
      clock,
      logger,
      projects: new ProjectRegistry(config, store, clock),
      threads,
      turns,
      agents,
      worktrees: new WorktreeManager({ git: gitPort, root: path.join(dir, 'data', 'worktrees'), logger }),
      git: gitPort,
      runner,
      github,
      author: { name: config.git.author_name, email: config.git.author_email },
      onPrompt,
    });
  };
  const service = () => {
    const projects = new ProjectRegistry(config, store, clock);
    const scheduler = new TaskScheduler({
      ...{ store, events, clock, logger, runner: pipeline([]) },
      // It never claims: the tests run the pipeline on the tasks themselves.
      ...{ globalLimit: 0, maxQueued: 10, projectLimit: () => Promise.resolve(1) },
    });
    const agents = new AgentRegistry(config.agents, [fakeAgent([]), fakeAgent([], 'codex')]);
    return new TaskService(store, projects, scheduler, events, clock, agents, { git: gitPort, github });
  };
  return { dir, remote, store, hub, root, pipeline, service, config, git: gitPort };
}

let seq = 0;
/** A queued task, claimed for `owner` as the scheduler would: it is `preparing` under that lease. */
async function claimedTask(store: Store, owner: string, overrides: Partial<Task> = {}): Promise<Task> {
  const at = new Date().toISOString();
  const task = newTask({
    id: `task-${++seq}`,
    project: 'widgets',
    kind: 'prompt',
    prompt: 'Make the check pass',
    review: false,
    created_at: at,
    ...overrides,
  });
  await store.tasks.enqueue(task, 100);
  await claimTask(store, task.id, owner, at);
  return { ...task, state: 'preparing' };
}

async function timeline(store: Store, taskId: string): Promise<Event[]> {
  return store.events.query({ task_id: taskId, limit: 1000, order: 'asc' });
}
/** The worktrees git knows in the project checkout (the checkout itself first). */
const worktrees = () =>
  git(f.root, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
const stages = (events: Event[]) =>
  events.filter((e) => e.kind === 'task.stage').map((e) => (e.data as { stage: string }).stage);

let f: Fixture;
beforeEach(async () => {
  f = await fixture();
});
afterEach(async () => {
  await f.hub.close();
  await f.store.close();
  rmSync(f.dir, { recursive: true, force: true });
});

describe('the task pipeline', () => {
  it('walks a task through its stages to done, committing as the configured author', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    const signal = new AbortController().signal;
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' } }])
      .run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'done', validation_attempts: 1, error: null, cost_usd: 0.5 });
    const events = await timeline(f.store, task.id);
    expect(stages(events)).toEqual(['preparing', 'implementing', 'validating', 'pr_open']);
    expect(events.at(-1)).toMatchObject({ kind: 'task.finished', decision: 'complete' });
    expect(f.hub.pullRequests('acme/widgets')).toHaveLength(1);
    expect(git(f.remote, 'log', '-1', '--format=%an <%ae>', stored.branch!)).toBe(
      'Task Bot <bot@example.com>',
    );
    expect(stored.worktree).toBeNull();
    expect(worktrees()).toEqual([f.root]);
  });

  it('sends a failed validation back to the agent: validating → fixing → validating', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    const script = [{ files: { 'fix.txt': 'not yet' } }, { files: { 'fix.txt': 'fixed' } }];
    await f
      .pipeline(script)
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    expect(await f.store.tasks.get(task.id)).toMatchObject({ state: 'done', validation_attempts: 2 });
    expect(stages(await timeline(f.store, task.id))).toEqual([
      'preparing',
      'implementing',
      'validating',
      'fixing',
      'validating',
      'pr_open',
    ]);
  });

  it('announces the validation commands it detected, and where from, once, when none are configured', async () => {
    writeFileSync(path.join(f.root, '.harness', 'config.toml'), '');
    writeFileSync(path.join(f.root, 'Makefile'), 'test:\n\tgrep -q fixed fix.txt\n');
    git(f.root, 'add', 'Makefile');
    git(f.root, 'commit', '-qm', 'a Makefile');
    git(f.root, 'push', '-q', 'origin', 'main');
    const task = await claimedTask(f.store, 'owner-1');
    const script = [{ files: { 'fix.txt': 'not yet' } }, { files: { 'fix.txt': 'fixed' } }];
    await f
      .pipeline(script)
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    expect(await f.store.tasks.get(task.id)).toMatchObject({ state: 'done', validation_attempts: 2 });
    const events = await timeline(f.store, task.id);
    const detected = events.filter((e) => e.kind === 'task.validation_detected');
    expect(detected).toHaveLength(1);
    expect(detected[0]?.data).toMatchObject({
      language: 'make',
      summary: 'make test (Makefile test target)',
      commands: [{ phase: 'pre_push', command: 'make test', from: 'Makefile test target' }],
    });
    const validations = events.filter((e) => e.kind === 'task.validation').map((e) => e.data);
    expect(validations).toMatchObject([
      { passed: false, commands: [{ command: 'make test', passed: false }] },
      { passed: true, commands: [{ command: 'make test', passed: true }] },
    ]);
    // Announced before the commands it names ran.
    expect(events.indexOf(detected[0] as Event)).toBeLessThan(
      events.findIndex((e) => e.kind === 'task.validation'),
    );
  });

  it("puts the model API's retries on the task's timeline, worded for people", async () => {
    const task = await claimedTask(f.store, 'owner-1');
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' }, retries: 2 }])
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });
    expect(await f.store.tasks.get(task.id)).toMatchObject({ state: 'done' });
    const retries = (await timeline(f.store, task.id)).filter((e) => e.kind === 'agent.api_retry');
    expect(retries.map((e) => (e.data as { message: string }).message)).toEqual([
      'model API error 529 (overloaded), retry 1 of 10 in 0.5 s',
      'model API error 529 (overloaded), retry 2 of 10 in 1 s',
    ]);
  });

  it('announces nothing when the project configures its validation commands', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' } }])
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });
    const events = await timeline(f.store, task.id);
    expect(events.some((e) => e.kind === 'task.validation')).toBe(true);
    expect(events.some((e) => e.kind === 'task.validation_detected')).toBe(false);
  });

  it('ends a cancelled run cancelled, and gives its worktree back', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    const controller = new AbortController();
    const cancel = async () => void controller.abort(new TaskCancelled());
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' }, during: cancel }])
      .run(task, { signal: controller.signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'cancelled', error: { code: 'cancelled' } });
    expect(stored.finished_at).not.toBeNull();
    expect(stored.worktree).toBeNull();
    expect(worktrees()).toEqual([f.root]);
  });

  it('leaves a run stopped by shutdown as it was, for the next start to resume', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    const controller = new AbortController();
    const shutdown = async () => void controller.abort(new ServerShutdown());
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' }, during: shutdown }])
      .run(task, { signal: controller.signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored.state).not.toMatch(/^(done|failed|cancelled)$/);
    expect(stored.finished_at).toBeNull();
    expect(existsSync(stored.worktree!)).toBe(true);
    expect((await timeline(f.store, task.id)).map((e) => e.kind)).not.toContain('task.finished');
  });

  it('stops a run whose lease another owner took over, without one more write', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    // While the first run's agent works, a second server decides the first is dead and takes the task.
    const takeOver = async () => {
      const current = (await f.store.tasks.get(task.id))!;
      const requeued = await f.store.tasks.transition(task.id, {
        from: current.state,
        to: 'queued',
        lease: { owner: 'owner-1', generation: 1 },
      });
      expect(requeued?.state).toBe('queued');
      const at = new Date().toISOString();
      await claimTask(f.store, task.id, 'owner-2', at);
    };
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' }, during: takeOver }])
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    // The second owner's claim stands: the first run's cost, stage and settle were all refused.
    expect(stored).toMatchObject({ state: 'preparing', cost_usd: 0, finished_at: null, error: null });
    expect(existsSync(stored.worktree!)).toBe(true);
    const kinds = (await timeline(f.store, task.id)).map((e) => e.kind);
    expect(kinds).not.toContain('task.finished');
    expect(stages(await timeline(f.store, task.id))).toEqual(['preparing', 'implementing']);
  });
});

describe('the task pipeline with an independent reviewer', () => {
  const verdict = (v: object) => '```json\n' + JSON.stringify(v) + '\n```';
  const withOverlay = (toml: string) => writeFileSync(path.join(f.root, '.harness', 'config.toml'), toml);
  beforeEach(() =>
    withOverlay(
      '[validation]\npre_commit = ["grep -q fixed fix.txt"]\n[review]\nenabled = true\nmax_rounds = 2\n',
    ),
  );
  const checkpoints = async (taskId: string) =>
    (await f.store.checkpoints.list(taskId)).map((c) =>
      c.round === null ? c.stage : `${c.stage}@${c.round}`,
    );

  it('takes requested changes back to the implementor: reviewing → fixing → validating → reviewing → done', async () => {
    const task = await claimedTask(f.store, 'owner-1', { review: true });
    const implementor = [
      { files: { 'fix.txt': 'fixed' } },
      { files: { 'fix.txt': 'fixed, and documented' } },
    ];
    const finding = { file: 'fix.txt', line: 1, severity: 'medium', message: 'say why' };
    const reviewer = [
      { text: verdict({ verdict: 'changes_requested', summary: 'almost', findings: [finding] }) },
      { text: verdict({ verdict: 'approve', summary: 'good' }) },
    ];
    await f
      .pipeline(implementor, reviewer)
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({
      state: 'done',
      error: null,
      reviewer: 'codex',
      validation_attempts: 2,
      cost_usd: 2,
    });
    expect(stored.rounds.map((r) => [r.round, r.verdict, r.findings.length])).toEqual([
      [1, 'changes_requested', 1],
      [2, 'approve', 0],
    ]);
    expect(stages(await timeline(f.store, task.id))).toEqual([
      'preparing',
      'implementing',
      'validating',
      'pr_open',
      'reviewing',
      'fixing',
      'validating',
      'reviewing',
    ]);
    expect(await checkpoints(task.id)).toEqual([
      'implemented',
      'validated',
      'pushed',
      'pr_opened',
      'reviewed@1',
      'fixed@1',
      'validated',
      'pushed',
      'reviewed@2',
    ]);
    // The fix was pushed to the pull request's branch.
    expect(git(f.remote, 'show', `${stored.branch!}:fix.txt`)).toBe('fixed, and documented');
  });

  it('fails a task whose reviewer answers without a verdict, never taking it as approval', async () => {
    const task = await claimedTask(f.store, 'owner-1', { review: true });
    const reviewer = [{ text: 'Looks fine to me!' }];
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' } }], reviewer)
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'failed', error: { code: 'review_protocol_error' } });
    expect(stored.rounds.map((r) => r.verdict)).toEqual(['protocol_error']);
  });

  it('fails a task whose reviewer still wants changes after the last round', async () => {
    const task = await claimedTask(f.store, 'owner-1', { review: true });
    const changes = { text: verdict({ verdict: 'changes_requested', summary: 'no' }) };
    const implementor = [{ files: { 'fix.txt': 'fixed' } }, { files: { 'fix.txt': 'fixed again' } }];
    await f
      .pipeline(implementor, [changes, changes])
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({
      state: 'failed',
      error: { code: 'review_not_approved', message: 'the reviewer did not approve after 2 round(s)' },
    });
    expect(stored.rounds).toHaveLength(2);
  });

  it('with a challenger of another provider: a dispute kept to the last round fails as review_not_converged', async () => {
    const review = f.config.agents.review;
    review.challenger_agent = 'anthropic_api';
    try {
      const task = await claimedTask(f.store, 'owner-1', { review: true });
      const finding = { file: 'fix.txt', line: 1, severity: 'high', confidence: 0.9, message: 'wrong word' };
      const raise = { text: verdict({ verdict: 'changes_requested', summary: 'no', issues: [finding] }) };
      const keep = {
        text: verdict({ verdict: 'changes_requested', assessments: [{ id: 'I1', stance: 'agree' }] }),
      };
      const dispute = {
        text: verdict({
          verdict: 'approve',
          assessments: [{ id: 'I1', stance: 'dispute', reason: 'it is right' }],
        }),
      };
      const implementor = [{ files: { 'fix.txt': 'fixed' } }, { files: { 'fix.txt': 'fixed again' } }];
      await f
        .pipeline(implementor, [raise, keep, raise, keep], undefined, [dispute, dispute])
        .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

      const stored = (await f.store.tasks.get(task.id))!;
      expect(stored).toMatchObject({ state: 'failed', error: { code: 'review_not_converged' } });
      expect(stored.rounds.map((r) => [r.verdict, r.challenger, r.contested?.length])).toEqual([
        ['not_converged', 'anthropic_api', 1],
        ['not_converged', 'anthropic_api', 1],
      ]);
      expect(stored.rounds[0]?.findings).toEqual([
        { file: 'fix.txt', line: 1, severity: 'high', message: 'wrong word' },
      ]);
    } finally {
      review.challenger_agent = 'none';
    }
  });

  it('skips the review stage of a task submitted with review: false and takes it to done', async () => {
    const task = await claimedTask(f.store, 'owner-1', { review: false });
    const reviewer = [{ text: verdict({ verdict: 'changes_requested', summary: 'never asked' }) }];
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' } }], reviewer)
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'done', error: null, reviewer: null, rounds: [], cost_usd: 0.5 });
    expect(stages(await timeline(f.store, task.id))).toEqual([
      'preparing',
      'implementing',
      'validating',
      'pr_open',
    ]);
  });

  it('picks the usable agent other than the implementor when the reviewer is "auto"', async () => {
    withOverlay('[validation]\npre_commit = ["grep -q fixed fix.txt"]\n[review]\nreviewer_agent = "auto"\n');
    const task = await claimedTask(f.store, 'owner-1', { review: true });
    await f
      .pipeline(
        [{ files: { 'fix.txt': 'fixed' } }],
        [{ text: verdict({ verdict: 'approve', summary: 'ok' }) }],
      )
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'done', agent: 'claude', reviewer: 'codex' });
    expect(stored.rounds.map((r) => [r.reviewer, r.verdict])).toEqual([['codex', 'approve']]);
  });

  it('stops a task whose cost passes its budget_usd, before the next stage', async () => {
    // Each fake turn costs $0.50: the implementing turn alone passes a $0.40 budget.
    const task = await claimedTask(f.store, 'owner-1', { review: true, budget_usd: 0.4 });
    await f
      .pipeline(
        [{ files: { 'fix.txt': 'fixed' } }],
        [{ text: verdict({ verdict: 'approve', summary: 'ok' }) }],
      )
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'failed', cost_usd: 0.5, error: { code: 'budget_exceeded' } });
    expect(stored.error?.message).toContain('budget_usd of $0.4');
    expect(stages(await timeline(f.store, task.id))).toEqual(['preparing', 'implementing']);
    expect(f.hub.pullRequests('acme/widgets')).toHaveLength(0);
  });

  it('fails a task whose agent changed nothing, before any push or pull request', async () => {
    withOverlay('[validation]\npre_commit = ["true"]\n');
    const task = await claimedTask(f.store, 'owner-1');
    await f
      .pipeline([{}])
      .run(task, { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } });

    expect(await f.store.tasks.get(task.id)).toMatchObject({
      state: 'failed',
      error: { code: 'no_changes' },
    });
    expect(await checkpoints(task.id)).toEqual(['implemented', 'validated']);
    expect(f.hub.pullRequests('acme/widgets')).toHaveLength(0);
  });
});

describe('delivery without GitHub: an origin on master and no GitHub token', () => {
  beforeEach(async () => {
    await f.hub.close();
    await f.store.close();
    rmSync(f.dir, { recursive: true, force: true });
    f = await fixture({ branch: 'master', token: false });
  });
  const signal = new AbortController().signal;
  const fixed = [{ files: { 'fix.txt': 'fixed' } }];
  const remoteBranches = () => git(f.remote, 'for-each-ref', '--format=%(refname)', 'refs/heads');

  it("auto pushes the task branch, from the remote's HEAD branch (master), and says it chose a branch", async () => {
    const task = await claimedTask(f.store, 'owner-1');
    await f.pipeline(fixed).run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'done', error: null, delivery: 'branch', pr_url: null });
    const branch = stored.branch!;
    expect(stored.commit_sha).toBe(git(f.remote, 'rev-parse', `refs/heads/${branch}`));
    // The task started from master: its commit's parent is master's head.
    expect(git(f.remote, 'rev-parse', `${stored.commit_sha}^`)).toBe(git(f.remote, 'rev-parse', 'master'));
    const events = await timeline(f.store, task.id);
    expect(stages(events)).not.toContain('pr_open');
    const chosen = events.find((e) => e.kind === 'task.delivery')!;
    expect(chosen.data).toMatchObject({ asked: 'auto', delivery: 'branch' });
    expect(chosen.reason).toContain('no GitHub token is set');
    expect(events.at(-1)?.data).toMatchObject({ delivery: 'branch', branch, commit_sha: stored.commit_sha });
    expect(f.hub.pullRequests('acme/widgets')).toHaveLength(0);
  });

  it('none keeps the commit on a local branch after the task is done, and pushes nothing', async () => {
    const task = await claimedTask(f.store, 'owner-1', { deliver: 'none' });
    await f.pipeline(fixed).run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'done', error: null, delivery: 'none' });
    expect(git(f.root, 'rev-parse', `refs/heads/${stored.branch!}`)).toBe(stored.commit_sha);
    expect(git(f.root, 'show', `${stored.commit_sha}:fix.txt`)).toBe('fixed');
    expect(remoteBranches()).toBe('refs/heads/master');
  });

  it('refuses an explicit pull request at submission, naming what is missing', async () => {
    const service = f.service();
    const asked = service.create({ prompt: 'Fix it', deliver: 'pull_request', priority: 0 });
    await expect(asked).rejects.toThrow(HarnessError);
    await expect(asked).rejects.toThrow(
      /the task asks for delivery by pull request, which cannot be opened: no GitHub token is set \(\[github\] token/,
    );
    writeFileSync(path.join(f.root, '.harness', 'config.toml'), '[git]\ndeliver = "pull_request"\n');
    await expect(service.create({ prompt: 'Fix it', priority: 0 })).rejects.toThrow(
      /\[git\] deliver of project "widgets" asks for delivery by pull request/,
    );
    expect((await f.store.tasks.list({ limit: 10 })).tasks).toHaveLength(0);
  });
});

describe('a task that needs input, answered', () => {
  const POLICY =
    'prefix_rule(pattern = ["touch", "approved.txt"], decision = "prompt", justification = "ask first")\n';
  const owner = 'owner-1';
  const signal = new AbortController().signal;
  beforeEach(async () => {
    await f.hub.close();
    await f.store.close();
    rmSync(f.dir, { recursive: true, force: true });
    f = await fixture({ onPrompt: 'needs_input' });
    mkdirSync(path.join(f.root, '.harness', 'policy'), { recursive: true });
    writeFileSync(path.join(f.root, '.harness', 'policy', 'agents.star'), POLICY);
  });

  /** The first run: the agent drafts fix.txt, then asks for the command the policy says needs approval. */
  async function waitingTask(pipeline: TaskPipeline): Promise<Task> {
    const task = await claimedTask(f.store, owner);
    await pipeline.run(task, { signal, lease: { owner, generation: 1 } });
    return (await f.store.tasks.get(task.id))!;
  }
  /** What the scheduler does with a queued task: claims it and runs it. */
  async function resume(pipeline: TaskPipeline, id: string): Promise<Task> {
    const at = new Date().toISOString();
    const lease = await claimTask(f.store, id, owner, at);
    await pipeline.run({ ...(await f.store.tasks.get(id))!, state: 'preparing' }, { signal, lease });
    return (await f.store.tasks.get(id))!;
  }
  const asksFirst = { files: { 'fix.txt': 'fixed' }, command: 'touch approved.txt' };

  it('records what it waits for, and after allow_once resumes the same stage, worktree and session to done', async () => {
    const asked: Asked[] = [];
    const pipeline = f.pipeline([asksFirst, { command: 'touch approved.txt' }], undefined, asked);
    const waiting = await waitingTask(pipeline);
    expect(waiting).toMatchObject({
      state: 'needs_input',
      error: { code: 'needs_input' },
      pending_approval: { command: 'touch approved.txt', stage: 'implementing', role: 'implementor' },
    });
    expect(waiting.pending_approval?.reason).toContain('ask first');
    expect(waiting.error?.message).toContain('task/respond');
    expect(existsSync(path.join(waiting.worktree!, 'fix.txt'))).toBe(true);

    const queued = await f.service().respond({ task_id: waiting.id, decision: 'allow_once' }, 'a test');
    expect(queued).toMatchObject({ state: 'queued', pending_approval: null, error: null });
    expect(queued.approvals).toMatchObject([
      { command: 'touch approved.txt', decision: 'allow_once', decided_by: 'a test', used: false },
    ]);

    const done = await resume(pipeline, waiting.id);
    expect(done).toMatchObject({ state: 'done', error: null, worktree: null });
    expect(done.approvals).toMatchObject([{ used: true, delivered: true }]);
    // The agent's uncommitted draft survived the wait, and the approved command ran once.
    expect(git(f.remote, 'show', `${done.branch!}:fix.txt`)).toBe('fixed');
    expect(git(f.remote, 'ls-tree', '--name-only', done.branch!)).toContain('approved.txt');
    // The same conversation continued, told what the person answered.
    expect(asked[1]?.resumeSessionId).toBe('claude-session');
    expect(asked[1]?.prompt).toMatch(
      /^Your task was paused because `touch approved.txt`.*approved it to run once/,
    );
    const events = await timeline(f.store, waiting.id);
    expect(events.find((e) => e.kind === 'task.responded')).toMatchObject({
      decision: 'pass',
      data: { command: 'touch approved.txt', decision: 'allow_once', decided_by: 'a test' },
    });
    // needs_input is announced by task.finished, and queued again by task.responded.
    const kinds = events.map((e) => e.kind).filter((k) => k === 'task.finished' || k === 'task.responded');
    expect(kinds).toEqual(['task.finished', 'task.responded', 'task.finished']);
    expect(stages(events)).toEqual([
      'preparing',
      'implementing',
      'preparing',
      'implementing',
      'validating',
      'pr_open',
    ]);
    expect(events.map((e) => e.kind)).not.toContain('task.interrupted_work_discarded');
  });

  it('tells the agent a person refused the command, with their note, and never lets it run', async () => {
    const asked: Asked[] = [];
    const pipeline = f.pipeline([asksFirst, { command: 'touch approved.txt' }], undefined, asked);
    const waiting = await waitingTask(pipeline);
    const note = 'not on this machine; write the file with echo instead';
    await f.service().respond({ task_id: waiting.id, decision: 'deny', note }, 'a test');

    const failed = await resume(pipeline, waiting.id);
    expect(asked[1]?.prompt).toContain('A person REFUSED it');
    expect(asked[1]?.prompt).toContain(note);
    // The agent tried it anyway: the gate refused it, naming who refused and why.
    expect(failed).toMatchObject({ state: 'failed', error: { code: 'agent_policy_blocked' } });
    expect(failed.error?.message).toContain(
      `a person (a test) refused \`touch approved.txt\` for this task: ${note}`,
    );
    expect(existsSync(path.join(waiting.worktree!, 'approved.txt'))).toBe(false);
  });

  it('can be cancelled while it waits, and refuses answers unless it waits', async () => {
    const pipeline = f.pipeline([asksFirst]);
    const waiting = await waitingTask(pipeline);
    const service = f.service();
    await expect(
      service.respond({ task_id: 'task_missing', decision: 'deny' }, 'a test'),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(existsSync(waiting.worktree!)).toBe(true);
    const cancelled = await service.cancel(waiting.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', pending_approval: null, worktree: null });
    expect(cancelled.finished_at).not.toBeNull();
    // Its worktree is given back, as a cancelled run's is; the uncommitted draft stays, committed
    // to its branch as the unfinished work of a task cancelled while it waited.
    expect(existsSync(waiting.worktree!)).toBe(false);
    expect(git(f.root, 'show', `${waiting.branch!}:fix.txt`)).toBe('fixed');
    expect(git(f.root, 'log', '-1', '--format=%s', waiting.branch!)).toBe(
      `Unfinished work of task ${waiting.id}, cancelled at needs_input`,
    );
    await expect(
      service.respond({ task_id: waiting.id, decision: 'allow_once' }, 'a test'),
    ).rejects.toMatchObject({
      code: 'conflict',
      message: `task ${waiting.id} is cancelled, not waiting for input: only a task in needs_input can be answered`,
    });
  });
});

describe('the work is never lost: a failed or cancelled task keeps its branch', () => {
  const withOverlay = (toml: string) => writeFileSync(path.join(f.root, '.harness', 'config.toml'), toml);
  const signal = new AbortController().signal;
  const kinds = async (taskId: string) => (await timeline(f.store, taskId)).map((e) => e.kind);

  it("keeps the branch with the agent's commit when validation never passes", async () => {
    withOverlay('[validation]\npre_commit = ["grep -q fixed fix.txt"]\nmax_retries = 0\n');
    const task = await claimedTask(f.store, 'owner-1');
    await f
      .pipeline([{ files: { 'fix.txt': 'not yet' } }])
      .run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'failed', worktree: null, branch: `harness/${task.id}` });
    expect(git(f.root, 'show', `refs/heads/${stored.branch!}:fix.txt`)).toBe('not yet');
    expect(worktrees()).toEqual([f.root]);
    const kept = (await timeline(f.store, task.id)).find((e) => e.kind === 'task.branch_kept')!;
    expect(kept.data).toEqual({ branch: stored.branch, unfinished_work_commit: null });
    expect(kept.reason).toContain(`stays on branch ${stored.branch!}`);

    const diff = await f.service().diff(task.id);
    expect(diff).toMatchObject({
      task_id: task.id,
      source: 'branch',
      branch: stored.branch,
      base: git(f.root, 'rev-parse', 'main'),
      files: [{ path: 'fix.txt', status: 'added', additions: 1, deletions: 0, binary: false }],
      truncated: false,
    });
    expect(diff.diff).toContain('+++ b/fix.txt\n@@ -0,0 +1 @@\n+not yet');
  });

  it('commits what a cancelled agent left uncommitted to the branch, naming the task and the stage', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    const controller = new AbortController();
    let live: TaskDiff | null = null;
    const cancel = async () => {
      live = await f.service().diff(task.id);
      controller.abort(new TaskCancelled());
    };
    await f
      .pipeline([{ files: { 'fix.txt': 'half done' }, during: cancel, untilInterrupted: true }])
      .run(task, { signal: controller.signal, lease: { owner: 'owner-1', generation: 1 } });
    // While the agent worked, its new file (untracked, uncommitted) was in the diff of its worktree.
    expect(live).toMatchObject({ source: 'worktree', files: [{ path: 'fix.txt', status: 'added' }] });
    expect(live!.diff).toContain('+half done');

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'cancelled', worktree: null, branch: `harness/${task.id}` });
    const ref = `refs/heads/${stored.branch!}`;
    expect(git(f.root, 'show', `${ref}:fix.txt`)).toBe('half done');
    expect(git(f.root, 'log', '-1', '--format=%s|%an', ref)).toBe(
      `Unfinished work of task ${task.id}, cancelled at implementing|Task Bot`,
    );
    const kept = (await timeline(f.store, task.id)).find((e) => e.kind === 'task.branch_kept')!;
    expect(kept.data).toEqual({
      branch: stored.branch,
      unfinished_work_commit: git(f.root, 'rev-parse', ref),
    });
    // The same work, read from the kept branch once the worktree is gone.
    const after = await f.service().diff(task.id);
    expect(after).toMatchObject({ source: 'branch', files: live!.files, diff: live!.diff });
  });

  it('gives the diff of a done task whose branch was pushed and deleted locally, from its commit', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' } }])
      .run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'done', delivery: 'pull_request', worktree: null });
    expect(git(f.root, 'branch', '--list', 'harness/*')).toBe('');
    const diff = await f.service().diff(task.id);
    expect(diff).toMatchObject({
      source: 'branch',
      base: stored.base_commit,
      commit_sha: stored.commit_sha,
      files: [{ path: 'fix.txt', status: 'added', additions: 1, deletions: 0 }],
    });
    expect(diff.diff).toContain('+fixed');
  });

  it('cuts a diff past its size cap, at a line end, and says so', async () => {
    withOverlay('[validation]\npre_commit = ["true"]\n');
    const big = Array.from({ length: 4000 }, (_, i) => `line ${i} of a long file`).join('\n');
    const task = await claimedTask(f.store, 'owner-1', { deliver: 'none' });
    await f
      .pipeline([{ files: { 'big.txt': big } }])
      .run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    const settings = await new ProjectRegistry(f.config, f.store, systemClock).settings('widgets');
    const diff = await taskDiff(f.git, stored, settings, 4096);
    expect(diff.truncated).toBe(true);
    expect(Buffer.byteLength(diff.diff)).toBeLessThanOrEqual(4096);
    expect(diff.diff.endsWith('\n')).toBe(true);
    expect(diff.files).toEqual([
      { path: 'big.txt', status: 'added', additions: 4000, deletions: 0, binary: false },
    ]);
    expect((await f.service().diff(task.id)).truncated).toBe(false);
  });

  it('refuses the diff of an unknown task with not_found', async () => {
    await expect(f.service().diff('task-missing')).rejects.toMatchObject({
      code: 'not_found',
      message: 'task not found: task-missing',
    });
  });

  it('commits the work of a task cancelled while it waited for input, and gives its worktree back', async () => {
    const task = await claimedTask(f.store, 'owner-1');
    const manager = new WorktreeManager({
      git: f.git,
      root: path.join(f.dir, 'data', 'worktrees'),
      logger: silentLogger,
    });
    const wt = await manager.create({
      ...{ projectRoot: f.root, taskId: task.id, remote: 'origin', baseBranch: 'main' },
      branchPrefix: 'harness/',
    });
    await f.store.tasks.update(task.id, { branch: wt.branch, worktree: wt.path, base_commit: wt.baseCommit });
    for (const [from, to] of [
      ['preparing', 'implementing'],
      ['implementing', 'needs_input'],
    ] as const)
      expect(
        await f.store.tasks.transition(task.id, { from, to, lease: { owner: 'owner-1', generation: 1 } }),
      ).not.toBeNull();
    writeFileSync(path.join(wt.path, 'fix.txt'), 'waiting for approval');

    const cancelled = await f.service().cancel(task.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', worktree: null, branch: wt.branch });
    expect(existsSync(wt.path)).toBe(false);
    const ref = `refs/heads/${wt.branch}`;
    expect(git(f.root, 'show', `${ref}:fix.txt`)).toBe('waiting for approval');
    expect(git(f.root, 'log', '-1', '--format=%s', ref)).toBe(
      `Unfinished work of task ${task.id}, cancelled at needs_input`,
    );
    expect((await f.service().diff(task.id)).files).toMatchObject([{ path: 'fix.txt', status: 'added' }]);
  });

  it('drops a branch that holds nothing, and the task says it has none', async () => {
    withOverlay('[validation]\npre_commit = ["true"]\n');
    const task = await claimedTask(f.store, 'owner-1');
    await f.pipeline([{}]).run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    expect(await f.store.tasks.get(task.id)).toMatchObject({
      state: 'failed',
      error: { code: 'no_changes' },
      worktree: null,
      branch: null,
    });
    expect(git(f.root, 'branch', '--list', 'harness/*')).toBe('');
    expect(await kinds(task.id)).not.toContain('task.branch_kept');
    expect(await f.service().diff(task.id)).toMatchObject({
      source: 'none',
      branch: null,
      files: [],
      diff: '',
      truncated: false,
    });
  });

  it('deletes the branch, work and all, with [git] keep_failed_branches = false', async () => {
    withOverlay(
      '[git]\nkeep_failed_branches = false\n[validation]\npre_commit = ["grep -q fixed fix.txt"]\nmax_retries = 0\n',
    );
    const task = await claimedTask(f.store, 'owner-1');
    await f
      .pipeline([{ files: { 'fix.txt': 'not yet' } }])
      .run(task, { signal, lease: { owner: 'owner-1', generation: 1 } });

    const stored = (await f.store.tasks.get(task.id))!;
    expect(stored).toMatchObject({ state: 'failed', worktree: null, branch: `harness/${task.id}` });
    expect(git(f.root, 'branch', '--list', 'harness/*')).toBe('');
    const deleted = (await timeline(f.store, task.id)).find((e) => e.kind === 'task.branch_deleted')!;
    expect(deleted.reason).toContain('keep_failed_branches = false');
    const gone = f.service().diff(task.id);
    await expect(gone).rejects.toMatchObject({ code: 'branch_gone', data: { branch: stored.branch } });
    await expect(gone).rejects.toThrow(
      `the work of task ${task.id} is gone: branch ${stored.branch!} is neither in ${f.root}`,
    );
  });
});

describe('how a run ended', () => {
  const live = new AbortController().signal;
  const aborted = (reason: unknown) => {
    const controller = new AbortController();
    controller.abort(reason);
    return controller.signal;
  };

  it('is told apart by type, not by message or code', () => {
    expect(outcomeOf(new TaskNeedsInput('approve `rm`'), live).kind).toBe('needs_input');
    expect(outcomeOf(new Error('aborted'), aborted(new TaskCancelled())).kind).toBe('cancelled');
    expect(outcomeOf(new Error('aborted'), aborted(new ServerShutdown())).kind).toBe('shutdown');
    expect(outcomeOf(new RunSuperseded('t', 'a write'), live).kind).toBe('superseded');
    expect(outcomeOf(new TaskFailure('no_changes', 'nothing'), live)).toEqual({
      kind: 'failed',
      error: { code: 'no_changes', message: 'nothing' },
      unexpected: false,
    });
    // An error that merely says "cancelled" or carries the shutdown code is a failure like any other.
    expect(outcomeOf(new HarnessError('unavailable', 'server shutting down'), live).kind).toBe('failed');
    expect(outcomeOf(new TaskFailure('cancelled', 'cancelled by request'), live).kind).toBe('failed');
  });
});

describe('a task that carries an ExecPlan', () => {
  it('writes it into the worktree, tells the agent, and records the progress the agent left', async () => {
    const created = await f.service().create({
      prompt: 'Make the check pass',
      plan: '# Fix the check\n\nThe pre-commit check fails.',
      review: false,
      priority: 0,
    });
    const plan = created.plan!;
    expect(plan).toMatchObject({ title: 'Fix the check', status: 'draft', progress: { done: 0, total: 0 } });
    expect(plan.path).toBe(`.agent/plans/${plan.plan_id}.md`);
    expect((await f.store.tasks.get(created.id))!.plan).toEqual(plan);
    const at = new Date().toISOString();
    await claimTask(f.store, created.id, 'owner-1', at);
    // The agent's turn: the fix, and the plan brought up to date (activated, a milestone done).
    const edited = ExecPlan.parse(plan.markdown)
      .activate()
      .addMilestone('fix.txt says fixed')
      .completeMilestone(0);
    const asked: Asked[] = [];
    const script = [{ files: { 'fix.txt': 'fixed', [plan.path]: edited.toMarkdown() } }];
    await f
      .pipeline(script, undefined, asked)
      .run(
        { ...created, state: 'preparing' },
        { signal: new AbortController().signal, lease: { owner: 'owner-1', generation: 1 } },
      );

    const stored = (await f.store.tasks.get(created.id))!;
    expect(stored.state).toBe('done');
    expect(stored.plan).toMatchObject({ status: 'active', progress: { done: 1, total: 1 }, path: plan.path });
    expect(stored.plan!.markdown).toBe(edited.toMarkdown());
    expect(asked[0]?.prompt).toContain(`This task has an ExecPlan at ${plan.path}`);
    const recorded = (await timeline(f.store, created.id)).filter((e) => e.kind === 'task.plan');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]?.data).toMatchObject({ status: 'active', progress: { done: 1, total: 1 } });
    expect(git(f.remote, 'show', `${stored.branch!}:${plan.path}`)).toContain('- **Status**: active');
  });

  it('takes a plan file of the project as it is, a spec file as a spec, and refuses paths outside', async () => {
    const service = f.service();
    mkdirSync(path.join(f.root, 'docs'));
    writeFileSync(
      path.join(f.root, 'docs/plan.md'),
      '# Kept\n\n- **ID**: kept-1\n- **Status**: active\n\n## Progress\n\n- [ ] one\n',
    );
    writeFileSync(path.join(f.root, 'docs/spec.md'), '# From a spec file\n\nDo it.\n');
    const kept = await service.create({ prompt: 'x', plan: 'docs/plan.md', review: false, priority: 0 });
    expect(kept.plan).toMatchObject({
      plan_id: 'kept-1',
      path: 'docs/plan.md',
      status: 'active',
      progress: { done: 0, total: 1 },
    });
    const specced = await service.create({ prompt: 'x', plan: 'docs/spec.md', review: false, priority: 0 });
    expect(specced.plan).toMatchObject({ title: 'From a spec file', status: 'draft' });
    expect(specced.plan!.path).toMatch(/^\.agent\/plans\/plan_/);
    await expect(
      service.create({ prompt: 'x', plan: '../outside.md', review: false, priority: 0 }),
    ).rejects.toThrow(/plan: \.\.\/outside\.md is outside the project/);
    await expect(
      service.create({ prompt: 'x', plan: 'docs/none.md', review: false, priority: 0 }),
    ).rejects.toThrow(/plan: no file docs\/none\.md in the project/);
  });
});

describe('skills a task names', () => {
  it('asks the skills port with the project root and the task skills, gives the agent the answer, and stores each use', async () => {
    const task = await f.service().create({
      prompt: 'Make the check pass',
      project: 'widgets',
      priority: 0,
      skills: ['deploy-check'],
    });
    const at = new Date().toISOString();
    await claimTask(f.store, task.id, 'o', at);
    const ports: Parameters<SkillsForTurn>[0][] = [];
    const skill = {
      name: 'deploy-check',
      description: 'Checks deploys',
      file: '/skills/deploy-check/SKILL.md',
    };
    const asked: Asked[] = [];
    await f
      .pipeline([{ files: { 'fix.txt': 'fixed' } }], undefined, asked, undefined, (input) => {
        ports.push(input);
        return Promise.resolve({ catalogue: [skill], activate: input.taskSkills ?? [] });
      })
      .run(
        { ...task, state: 'preparing' },
        { signal: new AbortController().signal, lease: { owner: 'o', generation: 1 } },
      );
    expect(ports[0]).toMatchObject({
      projectRoot: f.root,
      taskSkills: ['deploy-check'],
      prompt: expect.any(String),
    });
    expect(ports[0]?.cwd).not.toBe(f.root); // the task's worktree
    expect(asked[0]?.skills).toEqual({ catalogue: [skill], activate: ['deploy-check'] });
    const used = (await timeline(f.store, task.id)).filter((e) => e.kind === 'skill.used');
    expect(used.map((e) => e.data)).toEqual([
      { skill: 'deploy-check', file: skill.file, activation: 'explicit' },
    ]);
  });

  it('refuses a skill name that could escape its folder, naming where', () => {
    const parsed = taskCreateSchema.safeParse({ prompt: 'x', skills: ['ok-name', '../etc'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]).toMatchObject({
      path: ['skills', 1],
      message: expect.stringContaining('without ".."') as string,
    });
  });
});
