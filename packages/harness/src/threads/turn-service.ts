import type { MethodParams, Thread, Turn, TurnStatus } from '@harness/protocol';
import {
  type AgentEvent,
  type AgentName,
  type AgentRegistry,
  type AgentTurn,
  type CommandGate,
  type TerminalEvent,
  type TurnSkills,
} from '../agents/index.js';
import {
  type Clock,
  ErrorCodes,
  HarnessError,
  isOwnerGone,
  type Logger,
  newId,
  newProcessOwner,
  type ProcessGroupJournal,
  requireAgentName,
  sameProcess,
} from '../core/index.js';
import type { EventLog } from '../observe/index.js';
import type { RunningTurn as TurnRecord, Store } from '../store/index.js';
import { type NotificationHub, threadTopic } from './notification-hub.js';
import type { ThreadService } from './thread-service.js';
import { appendItem, itemFor } from './turn-items.js';

/**
 * The skills a turn's agent sees: the whole catalogue for its directory and the names to activate
 * (those named on the task or turn, configured for the project, or matched by the prompt).
 */
export type SkillsForTurn = (input: {
  projectRoot: string;
  cwd: string;
  taskSkills?: string[];
  prompt: string;
}) => Promise<TurnSkills>;

export interface TurnServiceDeps {
  store: Store;
  events: EventLog;
  hub: NotificationHub;
  threads: ThreadService;
  agents: AgentRegistry;
  clock: Clock;
  logger: Logger;
  /** The execution policy for a thread's directory; undefined lets every command through. */
  commandGate?: (projectRoot: string) => Promise<CommandGate | undefined>;
  /** Where a turn's process groups are written down while they run (ended after a crash). */
  processGroups?: (label: { task_id: string | null; turn_id: string }) => ProcessGroupJournal;
  /** The skills store's answer for a turn; without it, turns get no skills. */
  skillsForTurn?: SkillsForTurn;
  /** Told of each stored `skill.used`, so the skills store counts uses and scores skills. */
  skillUsed?: (use: { name: string; taskId?: string; threadId: string }) => Promise<void>;
  /**
   * How long a turn's lease runs (`[concurrency] lease_seconds`): renewed while the turn runs, and
   * what another server of the fleet waits past before it takes the turn for cut off. 30 s when absent.
   */
  leaseMs?: number;
}

/** What a caller inside Harness (the task pipeline) adds to a turn. */
export interface TurnContext {
  /** Tags every event of the turn, so a task's stream shows its agents' work. */
  taskId?: string;
  /**
   * Wraps the project's policy gate for this turn (a task's recorded approvals); the policy is
   * loaded as for any turn, and what the wrapper returns is the turn's gate.
   */
  gate?: (policy: CommandGate | undefined) => CommandGate | undefined;
  /** Skills the task names, activated on top of the turn's own `skills`. */
  skills?: string[];
  /** The project's root when the turn runs elsewhere (a task's worktree); the thread's directory otherwise. */
  projectRoot?: string;
}

/** `watchLeases` at work: its timer, when it last looked for abandoned turns, a look in progress. */
interface LeaseWatch {
  timer: NodeJS.Timeout;
  lastSweep: number;
  sweeping: Promise<void> | null;
}

interface RunningTurn {
  threadId: string;
  taskId: string | null;
  /** The project its events are tagged with (a task's events get the task's from the store). */
  project: string | null;
  agentTurn: AgentTurn;
  finished: Promise<Turn>;
  /** Set when the turn is interrupted to make way for a steering instruction. */
  steered: boolean;
}

/**
 * Turns: one prompt → completion on a thread, run by an agent adapter in the background. The turn
 * record is written first, every agent event is persisted as it arrives (so `event/query` replays
 * a turn), and the outcome is announced only after it is stored.
 */
export class TurnService {
  private readonly running = new Map<string, RunningTurn>();
  /** Threads with a turn starting or running: one turn at a time per thread. */
  private readonly busyThreads = new Set<string>();

  /** This service (`host/pid/instance`), stored with each turn it runs: who recovers it is decided by it. */
  private readonly owner = newProcessOwner();
  private readonly leaseMs: number;
  private watch: LeaseWatch | null = null;

  constructor(private readonly deps: TurnServiceDeps) {
    this.leaseMs = deps.leaseMs ?? 30_000;
  }

  async start(params: MethodParams<'turn/start'>, context: TurnContext = {}): Promise<Turn> {
    const thread = await this.deps.threads.require(params.thread_id);
    // Checked and claimed with no await in between, so two concurrent starts cannot both pass.
    if (this.busyThreads.has(thread.id)) {
      throw new HarnessError(
        ErrorCodes.conflict,
        `thread ${thread.id} already has a turn running; steer or cancel it`,
      );
    }
    this.busyThreads.add(thread.id);
    try {
      return await this.launch(thread, params, context);
    } catch (error) {
      this.busyThreads.delete(thread.id);
      throw error;
    }
  }

  private async launch(
    thread: Thread,
    params: MethodParams<'turn/start'>,
    context: TurnContext,
  ): Promise<Turn> {
    const { store, clock } = this.deps;
    const taskId = context.taskId ?? null;
    const project = taskId === null ? await this.deps.threads.projectOf(thread.project_root) : null;
    const agent = await this.chooseAgent(params.agent ?? thread.agent ?? undefined);
    // Before anything is written: a sandbox this host cannot enforce refuses the turn outright,
    // and so does a policy that fails to load.
    await this.deps.agents.assertSandboxUsable(params.sandbox_mode);
    const gate = await this.gateFor(thread.project_root, context.gate);
    const skills = await this.skillsFor(thread, params, context);
    const turn: Turn = {
      id: newId('turn'),
      thread_id: thread.id,
      seq: await store.turns.nextSeq(thread.id),
      status: 'running',
      input: params.input,
      agent,
      items: [{ type: 'user_message', text: params.input }],
      usage: null,
      error: null,
      started_at: clock.now().toISOString(),
      completed_at: null,
    };
    await store.turns.create(turn, { owner: this.owner, expires_at: this.leaseExpiry() });
    if (thread.agent === null) await store.threads.update(thread.id, { agent }, turn.started_at);
    await this.deps.threads.setStatus(thread.id, 'active');
    await this.deps.events.append({
      kind: 'turn.started',
      thread_id: thread.id,
      turn_id: turn.id,
      task_id: taskId,
      project,
      data: { agent },
    });
    this.deps.hub.publish(threadTopic(thread.id), 'turn/started', {
      thread_id: thread.id,
      turn_id: turn.id,
      agent,
    });

    const sessionId = thread.agent === agent ? (thread.native_session_id ?? undefined) : undefined;
    const agentTurn = this.deps.agents.get(agent).startTurn({
      prompt: params.input,
      cwd: thread.project_root,
      sandbox: this.deps.agents.sandboxFor(thread.project_root, params.sandbox_mode),
      limits: this.deps.agents.defaultLimits(),
      ...(params.model ? { model: params.model } : {}),
      ...(sessionId ? { resumeSessionId: sessionId } : {}),
      ...(this.deps.processGroups
        ? { processGroups: this.deps.processGroups({ task_id: taskId, turn_id: turn.id }) }
        : {}),
      ...gate,
      ...(skills === undefined ? {} : { skills }),
    });
    const entry: RunningTurn = {
      threadId: thread.id,
      taskId,
      project,
      agentTurn,
      steered: false,
      finished: Promise.resolve(turn),
    };
    entry.finished = this.follow(turn, agentTurn, entry).finally(() => {
      this.running.delete(turn.id);
      this.busyThreads.delete(thread.id);
    });
    this.running.set(turn.id, entry);
    return turn;
  }

  async cancel(turnId: string): Promise<{ cancelled: boolean; turn: Turn }> {
    const running = this.running.get(turnId);
    if (!running) return { cancelled: false, turn: await this.require(turnId) };
    running.agentTurn.interrupt('cancelled by the client');
    return { cancelled: true, turn: await running.finished };
  }

  /** Redirects a running turn: it is interrupted and a new turn continues the session with the instruction. */
  async steer(turnId: string, instruction: string): Promise<Turn> {
    const running = this.running.get(turnId);
    const turn = await this.require(turnId);
    if (!running)
      throw new HarnessError(
        ErrorCodes.conflict,
        `turn ${turnId} is not running (${turn.status}); start a new turn`,
      );
    running.steered = true;
    running.agentTurn.interrupt('steered by the client');
    await running.finished;
    return this.start({
      thread_id: turn.thread_id,
      input: instruction,
      ...(turn.agent ? { agent: turn.agent } : {}),
    });
  }

  async status(turnId: string): Promise<{ turn: Turn; running: boolean }> {
    return { turn: await this.require(turnId), running: this.running.has(turnId) };
  }

  /** Waits for a turn to finish (for `harness exec` and tests). */
  async wait(turnId: string): Promise<Turn> {
    return (await this.running.get(turnId)?.finished) ?? this.require(turnId);
  }

  /**
   * Marks interrupted the turns a server that is gone left running (they cannot be continued in
   * place): at start-up, those of any earlier server on this host. Those of a live process —
   * another server of the fleet, a `harness exec` beside this server — are theirs.
   */
  async recover(): Promise<number> {
    return this.interruptAbandoned(
      (turn) => turn.owner === null || (turn.owner !== this.owner && isOwnerGone(turn.owner)),
      'the server stopped while this turn was running',
    );
  }

  /**
   * From now until `stopWatching`: renews the leases of the turns this process runs, and every
   * lease period marks interrupted the turns of a process that stopped renewing theirs (a server
   * that died on another host, where there is no process to look for) or that is gone from this
   * host. A server that only stalled past its lease has its turns interrupted too; its late results
   * are then dropped (`finish`), as a task's writes are after a takeover.
   */
  watchLeases(): void {
    if (this.watch !== null) return;
    const watch: LeaseWatch = {
      timer: setInterval(() => this.leaseTick(watch), this.leaseMs / 3),
      lastSweep: performance.now(),
      sweeping: null,
    };
    watch.timer.unref();
    this.watch = watch;
  }

  private leaseTick(watch: LeaseWatch): void {
    if (this.running.size > 0)
      this.deps.store.turns
        .renewLeases(this.owner, this.leaseExpiry())
        .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'renewing turn leases failed'));
    if (watch.sweeping !== null || performance.now() - watch.lastSweep < this.leaseMs) return;
    watch.lastSweep = performance.now();
    watch.sweeping = this.interruptAbandoned(
      (turn) => this.isAbandoned(turn),
      'the server running this turn stopped renewing its lease',
    )
      .then(
        (n) => {
          if (n > 0)
            this.deps.logger.warn({ interrupted: n }, 'turns of a server that stopped marked interrupted');
        },
        (error: unknown) => this.deps.logger.warn({ err: error }, 'looking for abandoned turns failed'),
      )
      .finally(() => (watch.sweeping = null));
  }

  /** Stops `watchLeases` (before the store closes), waiting for a look in progress. */
  async stopWatching(): Promise<void> {
    const watch = this.watch;
    if (watch === null) return;
    clearInterval(watch.timer);
    this.watch = null;
    await watch.sweeping;
  }

  /** Another process's turn whose lease expired, or whose process was on this host and is gone. */
  private isAbandoned(turn: TurnRecord): boolean {
    if (turn.owner === null || turn.owner === this.owner) return false;
    // Another instance in this very process (tests start several) is not gone: its lease tells.
    const processGone = !sameProcess(turn.owner, this.owner) && isOwnerGone(turn.owner);
    const expired =
      turn.lease_expires_at !== null && Date.parse(turn.lease_expires_at) < this.deps.clock.now().getTime();
    return processGone || expired;
  }

  private leaseExpiry(): string {
    return new Date(this.deps.clock.now().getTime() + this.leaseMs).toISOString();
  }

  private async interruptAbandoned(
    abandoned: (turn: TurnRecord) => boolean,
    message: string,
  ): Promise<number> {
    const stale = (await this.deps.store.turns.listRunning()).filter(abandoned);
    let interrupted = 0;
    for (const turn of stale) if (await this.markInterrupted(turn, message)) interrupted++;
    return interrupted;
  }

  /**
   * A task taken over from a server whose lease died (`deadOwner`, on any host): the turns that
   * server's run left running are over, whatever its fate. Only that process's: the server that
   * claims the task next may already have started its own.
   */
  async interruptTaskTurns(taskId: string, deadOwner: string): Promise<number> {
    const started = await this.deps.events.query({
      task_id: taskId,
      kinds: ['turn.started'],
      order: 'desc',
      limit: 100,
    });
    const ofTask = new Set(started.map((event) => event.turn_id));
    const stale = (await this.deps.store.turns.listRunning()).filter(
      (turn) => ofTask.has(turn.id) && turn.owner !== null && sameProcess(turn.owner, deadOwner),
    );
    for (const turn of stale)
      await this.markInterrupted(turn, 'the server running this turn stopped; its task was taken over');
    return stale.length;
  }

  /** False when the turn had ended meanwhile (its server ended it a moment ago after all: that end stands). */
  private async markInterrupted(turn: Turn, message: string): Promise<boolean> {
    const error = { code: 'server_restarted', message };
    const ended = await this.deps.store.turns.end(turn.id, {
      status: 'interrupted',
      error,
      completed_at: this.deps.clock.now().toISOString(),
    });
    if (ended === null) return false;
    const thread = await this.deps.threads.get(turn.thread_id);
    if (thread?.status === 'active') await this.deps.threads.setStatus(thread.id, 'idle');
    // Whoever follows the thread or its task, on any server, learns that the turn is over.
    const [started] = await this.deps.events.query({
      turn_id: turn.id,
      kinds: ['turn.started'],
      order: 'asc',
      limit: 1,
    });
    await this.deps.events.append({
      kind: 'turn.failed',
      thread_id: turn.thread_id,
      turn_id: turn.id,
      task_id: started?.task_id ?? null,
      project: started?.project ?? null,
      decision: 'block',
      data: { status: 'interrupted', usage: null, error },
    });
    return true;
  }

  /** Interrupts every running turn and waits for them to settle (shutdown). */
  async stopAll(): Promise<void> {
    for (const running of this.running.values()) running.agentTurn.interrupt('server shutting down');
    await Promise.allSettled([...this.running.values()].map((r) => r.finished));
  }

  async compact(threadId: string): Promise<number> {
    await this.deps.threads.require(threadId);
    let compacted = 0;
    for (const turn of await this.deps.store.turns.listForThread(threadId)) {
      if (turn.status === 'running' || turn.items.length <= 1) continue;
      const kept = turn.items.filter((item) => item.type === 'user_message' || item.type === 'agent_message');
      await this.deps.store.turns.update(turn.id, {
        items: kept.slice(0, 1).concat(kept.slice(1).slice(-1)),
      });
      compacted++;
    }
    return compacted;
  }

  private async follow(turn: Turn, agentTurn: AgentTurn, entry: RunningTurn): Promise<Turn> {
    const items = [...turn.items];
    try {
      for await (const event of agentTurn) await this.record(turn, event, items, entry);
    } catch (error) {
      this.deps.logger.error({ err: error, turn_id: turn.id }, 'turn event stream failed');
    }
    const terminal = await agentTurn.done;
    return this.finish(turn, terminal, items, entry);
  }

  private async record(
    turn: Turn,
    event: AgentEvent,
    items: Turn['items'],
    entry: RunningTurn,
  ): Promise<void> {
    const { type, turn_id: _turnId, agent: _agent, ...data } = event;
    await this.deps.events.append({
      // A skill's use is its own kind, what skill scores join task outcomes on.
      kind: type === 'skill_used' ? 'skill.used' : `agent.${type}`,
      thread_id: turn.thread_id,
      turn_id: turn.id,
      task_id: entry.taskId,
      project: entry.project,
      tool: event.type === 'command' || event.type === 'command_gate' ? 'command' : null,
      decision: event.type === 'command_gate' ? event.decision : null,
      duration_ms: event.type === 'command' ? event.duration_ms : null,
      data,
    });
    if (event.type === 'skill_used') await this.noteSkillUse(event.skill, turn, entry);
    if (event.type === 'session') {
      await this.deps.store.threads.update(
        turn.thread_id,
        { native_session_id: event.session_id },
        this.deps.clock.now().toISOString(),
      );
    }
    const topic = threadTopic(turn.thread_id);
    if (event.type === 'text')
      this.deps.hub.publish(topic, 'message/delta', {
        thread_id: turn.thread_id,
        turn_id: turn.id,
        text: event.text,
      });
    const item = itemFor(event);
    if (item) {
      appendItem(items, { ...item });
      this.deps.hub.publish(topic, 'item/completed', { thread_id: turn.thread_id, turn_id: turn.id, item });
    }
  }

  private async finish(
    turn: Turn,
    terminal: TerminalEvent,
    items: Turn['items'],
    entry: RunningTurn,
  ): Promise<Turn> {
    const { store, clock } = this.deps;
    const steered = entry.steered;
    const status: TurnStatus =
      terminal.type === 'result'
        ? 'completed'
        : steered
          ? 'interrupted'
          : terminal.code === 'cancelled'
            ? 'cancelled'
            : 'failed';
    const error =
      terminal.type === 'error'
        ? { code: steered ? 'steered' : terminal.code, message: terminal.message }
        : null;
    const usage = terminal.usage ?? null;
    const ended = await store.turns.end(turn.id, {
      status,
      items,
      usage,
      error,
      completed_at: clock.now().toISOString(),
    });
    if (ended === null) return this.endedElsewhere(turn, status);
    if (terminal.session_id) {
      await store.threads.update(
        turn.thread_id,
        { native_session_id: terminal.session_id },
        clock.now().toISOString(),
      );
    }
    await this.deps.threads.setStatus(turn.thread_id, 'idle');
    await this.deps.events.append({
      kind: status === 'completed' ? 'turn.completed' : 'turn.failed',
      thread_id: turn.thread_id,
      turn_id: turn.id,
      task_id: entry.taskId,
      project: entry.project,
      decision: status === 'completed' ? 'complete' : 'block',
      data: { status, usage, error },
    });
    this.deps.hub.publish(threadTopic(turn.thread_id), 'turn/completed', {
      thread_id: turn.thread_id,
      turn_id: turn.id,
      status,
      usage,
      error,
    });
    return ended;
  }

  /**
   * This process was taken for gone (it stalled past its task's lease) and the turn was ended
   * for it: that stands. Its late outcome is logged, never stored or announced as the turn's.
   */
  private async endedElsewhere(turn: Turn, status: TurnStatus): Promise<Turn> {
    const stored = await this.require(turn.id);
    this.deps.logger.warn(
      { turn_id: turn.id, outcome: status, stored: stored.status },
      'the turn had been ended by another server while this one ran it; its outcome here is dropped',
    );
    return stored;
  }

  private async chooseAgent(requested: string | undefined): Promise<AgentName> {
    if (requested === undefined) return (await this.deps.agents.select()).name;
    return (await this.deps.agents.select({ agent: requireAgentName(requested) })).name;
  }

  private async gateFor(
    projectRoot: string,
    wrap: TurnContext['gate'],
  ): Promise<{ commandGate?: CommandGate }> {
    const policy = await this.deps.commandGate?.(projectRoot);
    const commandGate = wrap ? wrap(policy) : policy;
    return commandGate ? { commandGate } : {};
  }

  /** A failure to count a use is logged: the turn and its stored event stand regardless. */
  private async noteSkillUse(name: string, turn: Turn, entry: RunningTurn): Promise<void> {
    const taskId = entry.taskId ?? undefined;
    try {
      await this.deps.skillUsed?.({ name, threadId: turn.thread_id, ...(taskId ? { taskId } : {}) });
    } catch (error) {
      this.deps.logger.warn({ err: error, skill: name, turn_id: turn.id }, 'a skill use was not counted');
    }
  }

  /** The skills store's catalogue and activations for this turn; none without a store or skills. */
  private async skillsFor(
    thread: Thread,
    params: MethodParams<'turn/start'>,
    context: TurnContext,
  ): Promise<TurnSkills | undefined> {
    if (this.deps.skillsForTurn === undefined) return undefined;
    const named = [...new Set([...(context.skills ?? []), ...(params.skills ?? [])])];
    const skills = await this.deps.skillsForTurn({
      projectRoot: context.projectRoot ?? thread.project_root,
      cwd: thread.project_root,
      prompt: params.input,
      ...(named.length === 0 ? {} : { taskSkills: named }),
    });
    return skills.catalogue.length === 0 ? undefined : skills;
  }

  private async require(turnId: string): Promise<Turn> {
    const turn = await this.deps.store.turns.get(turnId);
    if (!turn) throw new HarnessError(ErrorCodes.notFound, `turn not found: ${turnId}`);
    return turn;
  }
}
