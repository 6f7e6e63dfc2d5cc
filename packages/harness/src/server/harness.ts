import os from 'node:os';
import path from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { RequestListener } from 'node:http';
import { type RpcNotification, terminalTaskStates } from '@harness/protocol';
import type { AgentRegistry } from '../agents/index.js';
import {
  type Clock,
  type Git,
  type HarnessConfig,
  type Logger,
  type ProcessRunner,
  defaultProject,
  operatorKeyPath,
} from '../core/index.js';
import { agentsMdSettingsFrom } from '../context/index.js';
import type { GithubClient } from '../github/index.js';
import { EventLog } from '../observe/index.js';
import { ProjectRegistry } from '../projects/index.js';
import type { Store } from '../store/index.js';
import { SkillService, builtinSkillsDir } from '../skills/index.js';
import {
  ServerProcessGroups,
  TaskPipeline,
  TaskScheduler,
  TaskService,
  WorktreeManager,
} from '../tasks/index.js';
import { NotificationHub, ThreadService, TurnService, policyGateFor, threadTopic } from '../threads/index.js';
import { createRestApp } from './rest/rest-app.js';
import { Connection, type TransportKind } from './rpc/connection.js';
import { createHandlers } from './rpc/handlers.js';
import { RpcRouter } from './rpc/router.js';
import { type Webhooks, wireWebhooks } from './webhooks/webhook-wiring.js';
import { createGc, type GcParts, type GcWiring } from './gc-wiring.js';
import { qualityGcWiring, ruleSourceFor } from './quality-wiring.js';
import { scanBaseline } from './scan-baseline.js';

/**
 * What the platform talks to the world through, built once by the composition root and shared by
 * every service: nothing below constructs its own runner, git, GitHub client, clock or logger.
 */
export interface HarnessPorts {
  runner: ProcessRunner;
  git: Git;
  /** The process's one GitHub client (pull requests, issue text, webhook replies and checks). */
  github: GithubClient;
  clock: Clock;
  logger: Logger;
}

export interface HarnessOptions {
  config: HarnessConfig;
  store: Store;
  agents: AgentRegistry;
  ports: HarnessPorts;
  /** Overrides where threads run by default (else the default project, else server.project_root). */
  projectRoot?: string;
  /** Overrides server.data_dir for what Harness keeps on disk beside the store (worktrees). */
  dataDir?: string;
  /** GC's signal detectors, replay, grade and drafting agent (server/gc-wiring.ts). */
  gc?: GcWiring;
  /** Whose skills are the user's: the home (default: this user's) and `$CODEX_HOME` (null: `~/.codex`). */
  skillHomes?: { home: string; codexHome: string | null };
  /**
   * False for a one-shot command (`harness exec`, the Action's turn): it claims no task and leaves
   * task worktrees and GC to the servers, so that a server sharing its store (a fleet's database, a
   * data directory) never finds its tasks taken or its worktrees reclaimed by a process about to exit.
   */
  runsTasks?: boolean;
  /** How often the worktrees of tasks that ended are looked for after start-up (default 5 minutes). */
  worktreeSweepMs?: number;
}

/**
 * A task can end without its run giving back its worktree on this host: cancelled while it waited
 * for input here, or taken over after this server stalled. The sweep finds those this often.
 */
const defaultWorktreeSweepMs = 5 * 60_000;

/**
 * The running platform without its transports: store, event log, services, the task queue and
 * the router. Each transport opens connections on it; `close` stops the queue, ends the turns and
 * connections, and closes the store.
 */
export class Harness {
  readonly router: RpcRouter;
  readonly hub = new NotificationHub();
  readonly events: EventLog;
  readonly threads: ThreadService;
  readonly turns: TurnService;
  readonly tasks: TaskService;
  readonly projects: ProjectRegistry;
  readonly agents: AgentRegistry;
  readonly store: Store;
  readonly logger: Logger;
  readonly rest: RequestListener;
  /** `POST /webhook`, served by the HTTP transport ahead of bearer auth (it has its own HMAC). */
  readonly webhooks: Webhooks;
  private readonly scheduler: TaskScheduler;
  private readonly worktrees: WorktreeManager;
  private readonly processGroups: ServerProcessGroups;
  private readonly connections = new Set<Connection>();
  private readonly worktreeSweep: { timer?: NodeJS.Timeout; running: Promise<void> | null } = {
    running: null,
  };
  readonly gc: GcParts;
  readonly skills: SkillService;

  private constructor(options: HarnessOptions) {
    const { config, store, agents } = options;
    const { runner, git, github, clock, logger } = options.ports;
    this.store = store;
    this.logger = logger;
    this.agents = agents;
    this.events = new EventLog(store, logger, clock);
    this.threads = new ThreadService(store, this.events, this.hub, clock, {
      projectRoot: options.projectRoot ?? defaultProject(config)?.root ?? config.server.project_root,
      allowedProjectRoots: config.server.allowed_project_roots,
      projectOf: (root) => this.projects.nameForRoot(root),
    });
    const policyPaths = config.rules.exec_policy_paths;
    const rules = ruleSourceFor(config);
    this.processGroups = new ServerProcessGroups(store, this.events, clock, logger);
    this.skills = new SkillService({
      store,
      clock,
      logger,
      home: options.skillHomes?.home ?? os.homedir(),
      codexHome: options.skillHomes?.codexHome ?? null,
      settings: {
        adminDir: config.skills.admin_dir,
        builtin: config.skills.builtin,
        always: config.skills.always,
      },
      builtinDir: builtinSkillsDir,
    });
    this.turns = new TurnService({
      store,
      events: this.events,
      hub: this.hub,
      threads: this.threads,
      agents,
      clock,
      logger,
      commandGate: policyGateFor(policyPaths),
      processGroups: (label) => this.processGroups.journal(label),
      skillsForTurn: (input) => this.skills.forTurn(input),
      skillUsed: (use) => this.skills.recordUse(use),
      leaseMs: config.concurrency.lease_seconds * 1000,
    });
    this.projects = new ProjectRegistry(config, store, clock);
    this.worktrees = new WorktreeManager({
      git,
      root: path.join(options.dataDir ?? config.server.data_dir, 'worktrees'),
      logger,
    });
    const pipeline = new TaskPipeline({
      store,
      events: this.events,
      clock,
      logger,
      projects: this.projects,
      threads: this.threads,
      turns: this.turns,
      agents,
      worktrees: this.worktrees,
      git,
      runner,
      github,
      author: { name: config.git.author_name, email: config.git.author_email },
      onPrompt: config.rules.on_prompt,
      processGroups: this.processGroups,
      guardRules: rules,
      scanBaseline: scanBaseline({ store, events: this.events, clock, rules, runner }),
    });
    this.scheduler = new TaskScheduler({
      store,
      events: this.events,
      runner: pipeline,
      clock,
      logger,
      // Fleet-wide: the store counts every server's running tasks against it.
      globalLimit: config.concurrency.max_concurrent_tasks,
      hostLimit:
        options.runsTasks === false
          ? 0
          : (config.concurrency.host_max_concurrent_tasks ?? config.concurrency.max_concurrent_tasks),
      leaseMs: config.concurrency.lease_seconds * 1000,
      maxQueued: config.concurrency.max_queue_size,
      projectLimit: async (name) => (await this.projects.settings(name)).max_concurrent,
      // The turns its dead server left running are over, wherever that server was.
      takenOver: async (taskId, owner) => void (await this.turns.interruptTaskTurns(taskId, owner)),
    });
    this.tasks = new TaskService(store, this.projects, this.scheduler, this.events, clock, agents, {
      git,
      github,
    });
    this.webhooks = wireWebhooks({
      config,
      store,
      logger,
      clock,
      github,
      events: this.events,
      tasks: this.tasks,
      projects: this.projects,
      git,
    });
    this.gc = createGc({
      ...{ config, store, events: this.events, clock, logger, runner, git, agents },
      projects: this.projects,
      tasks: this.tasks,
      dataDir: options.dataDir ?? config.server.data_dir,
      wiring: {
        ...qualityGcWiring({ config, store, events: this.events, runner, logger, rules, clock }),
        ...options.gc,
      },
      processGroups: () => this.processGroups.journal({ task_id: null, turn_id: null }),
    });
    // Without an API token, the operator key is what tells a person from an agent (operator.ts).
    const operatorKeyFile = config.server.api_token
      ? null
      : operatorKeyPath(options.dataDir ?? config.server.data_dir);
    const handlers = createHandlers({
      store,
      events: this.events,
      threads: this.threads,
      turns: this.turns,
      tasks: this.tasks,
      projects: this.projects,
      agents,
      hub: this.hub,
      rules: {
        policyPaths,
        discoveryPaths: config.rules.discovery_paths,
        allowedProjectRoots: config.server.allowed_project_roots,
      },
      serverRoot: options.projectRoot ?? defaultProject(config)?.root ?? config.server.project_root,
      clock,
      startedAt: clock.now(),
      connectionCount: () => this.connections.size,
      operatorKeyFile,
      quality: { thresholds: config.gc.signal_thresholds, rules, runner },
      gc: this.gc.service,
      skills: this.skills,
      // The registry's own settings when it has them, so the preview shows what the agents get.
      agentsMd: agents.agentsMd ?? agentsMdSettingsFrom(config.agents_md, {}),
      git,
    });
    this.router = new RpcRouter(handlers, logger);
    const restApp = createRestApp({
      tasks: this.tasks,
      projects: this.projects,
      events: this.events,
      store: this.store,
      logger,
      maxBodyBytes: config.server.max_body_bytes,
      operatorKeyFile,
    });
    const restListener = getRequestListener(restApp.fetch);
    // Safe to leave unawaited: the listener answers its own failures (a 500) and never rejects.
    this.rest = (req, res) => void restListener(req, res);
    // Clients hear every server's events (a fleet's tasks run anywhere) ...
    this.events.onLogged((event) => {
      if (event.thread_id) this.hub.publish(threadTopic(event.thread_id), 'event/logged', { event });
    });
    // ... while a finished task counts towards GC once: on the server that ran it.
    this.events.onAppend((event) => {
      if (event.kind === 'task.finished' && event.task_id !== null)
        void this.countFinishedTask(event.task_id);
    });
  }

  /** Opens the platform: retention, turn and task recovery, orphaned worktrees reclaimed, the queue started. */
  static async start(options: HarnessOptions): Promise<Harness> {
    const harness = new Harness(options);
    const { logger } = options.ports;
    // Before anything runs, so that streams miss none of the fleet's events from now on.
    await harness.events.follow();
    const purged = await harness.events.applyRetention(options.config.observe.log_retention_days);
    if (purged > 0) logger.info({ purged }, 'events past the retention period removed');
    // Before anything is resumed: an agent that outlived the last server must not work beside its successor.
    const ended = await harness.processGroups.endOrphans();
    if (ended > 0) logger.warn({ process_groups: ended }, 'agent processes left by the last server ended');
    const interrupted = await harness.turns.recover();
    if (interrupted > 0)
      logger.warn({ interrupted }, 'turns cut off by the last shutdown marked interrupted');
    harness.turns.watchLeases();
    if (options.runsTasks === false) return harness;
    await harness.reclaimWorktrees();
    harness.sweepWorktreesEvery(options.worktreeSweepMs ?? defaultWorktreeSweepMs);
    await harness.scheduler.start();
    const abandoned = await harness.gc.service.recover();
    if (abandoned > 0)
      logger.warn({ gc_runs: abandoned }, 'GC runs cut off by the last server marked abandoned');
    harness.gc.scheduler.start();
    return harness;
  }

  /** Removes the worktrees on this host of tasks not in flight (tasks this process runs keep theirs). */
  private async reclaimWorktrees(): Promise<void> {
    const live = (await this.store.tasks.inFlight()).map((task) => task.id);
    const reclaimed = await this.worktrees.reclaimOrphans(live);
    if (reclaimed.removed.length > 0)
      this.logger.warn({ worktrees: reclaimed.removed.length }, 'orphaned worktrees reclaimed');
    // A finished task whose worktree only this sweep removed must not go on reporting it.
    for (const { taskId, path: removed } of reclaimed.removed) {
      const task = await this.store.tasks.get(taskId);
      if (task?.worktree === removed && terminalTaskStates.has(task.state))
        await this.store.tasks.update(taskId, { worktree: null });
    }
  }

  private sweepWorktreesEvery(ms: number): void {
    this.worktreeSweep.timer = setInterval(() => {
      this.worktreeSweep.running ??= this.reclaimWorktrees()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'the worktree sweep failed'))
        .finally(() => (this.worktreeSweep.running = null));
    }, ms);
    this.worktreeSweep.timer.unref();
  }

  /** `gc.run_after_tasks`: a finished task counts towards its project's next GC run. */
  private async countFinishedTask(taskId: string): Promise<void> {
    try {
      const task = await this.store.tasks.get(taskId);
      if (task === null || !terminalTaskStates.has(task.state)) return;
      await this.gc.scheduler.taskFinished(await this.projects.get(task.project));
    } catch (error) {
      this.logger.warn({ err: error, task_id: taskId }, 'counting a finished task for GC failed');
    }
  }

  /** A new client session; `deliver` is how notifications reach it (null if the transport cannot push). */
  openConnection(
    transport: TransportKind,
    deliver: ((message: RpcNotification) => void) | null,
    operator: boolean,
  ): Connection {
    const connection = new Connection(transport, deliver, operator);
    this.connections.add(connection);
    connection.onClose(() => this.connections.delete(connection));
    return connection;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Running tasks get `graceMs` to finish; what is still running then is resumed at the next start. */
  async close(graceMs = 0): Promise<void> {
    clearInterval(this.worktreeSweep.timer);
    await this.worktreeSweep.running;
    await this.scheduler.stop(graceMs);
    this.gc.service.close();
    await this.gc.scheduler.stop();
    await this.turns.stopAll();
    await this.turns.stopWatching();
    await this.agents.close();
    this.webhooks.stop();
    for (const connection of [...this.connections]) connection.close();
    await this.events.stopFollowing();
    await this.store.close();
  }
}
