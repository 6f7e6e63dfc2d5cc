import type {
  Decision,
  Event,
  Severity,
  Signal,
  SignalType,
  Draft,
  DraftStatus,
  GcRun,
  ReplayReport,
  Task,
  TaskState,
  Thread,
  ThreadStatus,
  Turn,
} from '@harness/protocol';

/**
 * The persistence port. Every method is async so that a Postgres backend can implement the same
 * interface; the embedded SQLite backend answers synchronously underneath.
 */
export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  readonly threads: ThreadRepository;
  readonly turns: TurnRepository;
  readonly events: EventRepository;
  readonly tasks: TaskRepository;
  readonly projects: ProjectRepository;
  readonly webhookDeliveries: WebhookDeliveryRepository;
  readonly webhookTriggers: WebhookTriggerRepository;
  readonly processGroups: ProcessGroupRepository;
  readonly checkpoints: TaskCheckpointRepository;
  readonly scans: ScanRepository;
  readonly signals: SignalRepository;
  readonly gc: GcRepositories;
  readonly skills: SkillRepository;
  /**
   * Calls `listener` after events are committed by any process sharing this database, this one
   * included (Postgres: LISTEN/NOTIFY; and once more after a lost listening connection comes back,
   * since notifications sent meanwhile are gone). The listener reads them by seq: seqs are handed
   * out in commit order, so reading after the last seq seen never skips one. Absent for SQLite,
   * which one process writes. Resolves once listening; the function it returns stops it.
   */
  onEventsCommitted?(listener: () => void): Promise<() => Promise<void>>;
  schemaVersion(): Promise<number>;
  /** Cheap liveness probe of the underlying database. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface ThreadListFilter {
  status?: ThreadStatus;
  project_root?: string;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface ThreadPage {
  threads: Thread[];
  next_cursor: string | null;
}

export type ThreadPatch = Partial<
  Pick<Thread, 'status' | 'title' | 'native_session_id' | 'agent' | 'metadata'>
>;

export interface ThreadRepository {
  create(thread: Thread): Promise<void>;
  get(id: string): Promise<Thread | null>;
  list(filter: ThreadListFilter): Promise<ThreadPage>;
  update(id: string, patch: ThreadPatch, updatedAt: string): Promise<Thread | null>;
  /** Deletes the thread and its turns; events stay as the audit trail. */
  delete(id: string): Promise<boolean>;
  /**
   * Atomically creates `fork` as a copy of `sourceId`'s turns (all of them, or up to and including
   * `fromTurnId`), each copied turn with a fresh id from `newTurnId`.
   */
  fork(
    sourceId: string,
    fork: Thread,
    fromTurnId: string | undefined,
    newTurnId: () => string,
  ): Promise<Thread>;
  counts(): Promise<Record<string, number>>;
}

/**
 * A turn marked running, with the process that runs it (`host/pid/instance`; null from before
 * owners were kept) and until when that process vouches for it (null from before turn leases).
 */
export type RunningTurn = Turn & { owner: string | null; lease_expires_at: string | null };

/** Who runs a turn and until when: the owner renews it while the turn runs. */
export interface TurnLease {
  owner: string;
  expires_at: string;
}

/** What ending a turn writes. */
export type TurnEnding = Pick<Turn, 'status' | 'error' | 'completed_at'> &
  Partial<Pick<Turn, 'items' | 'usage'>>;

export interface TurnRepository {
  /**
   * `lease`: the process running the turn and until when, so that only the turns of a server that
   * is gone (or stopped renewing) are recovered.
   */
  create(turn: Turn, lease?: TurnLease): Promise<void>;
  /** Extends the leases of the owner's running and queued turns to `expiresAt`; never shortens one. */
  renewLeases(owner: string, expiresAt: string): Promise<void>;
  get(id: string): Promise<Turn | null>;
  listForThread(threadId: string): Promise<Turn[]>;
  /** Turns still marked running or queued, with their owners (which of them were cut off?). */
  listRunning(): Promise<RunningTurn[]>;
  update(id: string, patch: Partial<Omit<Turn, 'id' | 'thread_id' | 'seq'>>): Promise<Turn | null>;
  /**
   * Ends a turn still running or queued; null when it has ended already. The first end stands: a
   * server that lost a turn to a takeover cannot overwrite "interrupted" with its late result.
   */
  end(id: string, patch: TurnEnding): Promise<Turn | null>;
  nextSeq(threadId: string): Promise<number>;
  counts(): Promise<Record<string, number>>;
}

export interface NewEvent {
  id: string;
  ts: string;
  kind: string;
  thread_id?: string | null;
  turn_id?: string | null;
  task_id?: string | null;
  session_id?: string | null;
  tool?: string | null;
  decision?: Decision | null;
  reason?: string | null;
  duration_ms?: number | null;
  data?: unknown;
  /** The project's name; an event of a task defaults to the task's project. */
  project?: string | null;
}

export interface EventFilter {
  project?: string;
  thread_id?: string;
  turn_id?: string;
  task_id?: string;
  session_id?: string;
  kinds?: string[];
  decision?: Decision;
  since?: string;
  until?: string;
  after_seq?: number;
  limit: number;
  order: 'asc' | 'desc';
}

export interface EventKindCounts {
  kind: string;
  total: number;
  pass: number;
  warn: number;
  block: number;
}

export interface EventAggregate {
  total: number;
  by_decision: Record<string, number>;
  by_kind: EventKindCounts[];
  /** Events whose decision blocked something and whose kind or tool concerns security or policy. */
  security_blocks: number;
  /** Events with decision block or escalate. */
  instability: number;
  slow: number;
}

/** Which events an aggregate covers: a time range, optionally one project's, optionally some kinds. */
export interface EventScope {
  since?: string;
  until?: string;
  project?: string;
  kinds?: readonly string[];
}

/** Counts per (kind, tool), with when the group was last seen. */
export interface EventToolCounts extends EventKindCounts {
  tool: string | null;
  last_seen: string;
}

export interface EventRepository {
  /** Appends an event; an id already stored is not written twice (the stored event is returned). */
  append(event: NewEvent): Promise<{ event: Event; duplicate: boolean }>;
  query(filter: EventFilter): Promise<Event[]>;
  aggregate(range: EventScope, slowMs: number): Promise<EventAggregate>;
  /** Counts grouped by kind and tool, most frequent first, at most `limit` groups. */
  toolCounts(scope: EventScope, limit: number): Promise<EventToolCounts[]>;
  /**
   * Deletes events older than `before`; returns how many. Signal detection's checkpoints and counts
   * go with them (the next pass recounts what is kept); the last detected signals stay until then.
   */
  purgeBefore(before: string): Promise<number>;
}

export interface TaskListFilter {
  state?: TaskState;
  project?: string;
  limit: number;
  cursor?: string;
}

/** Fields a write may change; the state changes only through `TaskRepository.transition`. */
export type TaskPatch = Partial<Omit<Task, 'id' | 'created_at' | 'state'>>;

/**
 * A run's hold on a task: who claimed it and the generation that claim was given. Every claim of a
 * task (first, or a takeover after its holder died) gives a new generation, and a write guarded by
 * an older one is refused by the database itself (a conditional statement), so a worker that lost
 * its lease — stalled, partitioned, presumed dead — cannot change the task once another holds it.
 */
export interface LeaseToken {
  owner: string;
  generation: number;
}

/**
 * One state change: applied only while the task is still in `from` and, when `lease` is given,
 * still held under that lease — so a run whose lease was taken over cannot move it.
 */
/** A task changed, and the event stored with the change. */
export interface LoggedTransition {
  task: Task;
  event: Event;
}

export interface TaskStateChange {
  from: TaskState;
  to: TaskState;
  patch?: TaskPatch;
  lease?: LeaseToken;
}

/**
 * What a server asks for when it has room for one more task: the best queued task whose project is
 * under its limit, counted over every server sharing the store, claimed atomically. Tasks count
 * against the limits while they run (any state between `preparing` and the end but `needs_input`).
 */
export interface ClaimRequest {
  owner: string;
  /** The lease's expiry (ISO): the claimer renews it while the task runs. */
  expires_at: string;
  now: string;
  /** Tasks running at once across the whole fleet, at most. */
  globalLimit: number;
  /** Each project's limit across the fleet; a project not named gets `defaultProjectLimit`. */
  projectLimits: Record<string, number>;
  defaultProjectLimit: number;
}

/** A task just claimed (now `preparing`) and the lease its run writes under. */
export interface ClaimedTask {
  task: Task;
  lease: LeaseToken;
}

/** A task in flight with who holds it. */
export type InFlightTask = Task & {
  lease_owner: string | null;
  lease_expires_at: string | null;
  lease_generation: number;
};

export interface TaskRepository {
  /** Inserts a queued task unless `maxQueued` tasks are already queued (then `queue_full`), atomically. */
  enqueue(task: Task, maxQueued: number): Promise<Task>;
  get(id: string): Promise<Task | null>;
  list(filter: TaskListFilter): Promise<{ tasks: Task[]; next_cursor: string | null }>;
  /**
   * Applies a patch (never the state), only while the task is held under `lease` when one is
   * given; null if it was not applied.
   */
  update(id: string, patch: TaskPatch, guard?: { lease?: LeaseToken }): Promise<Task | null>;
  /**
   * Moves a task from one state to another. Throws (`conflict`) for a change the protocol's
   * `taskTransitions` table does not allow; null when the task was no longer in `from` or no longer
   * held under `lease`.
   */
  transition(id: string, change: TaskStateChange): Promise<Task | null>;
  /**
   * `transition`, with `event` (its announcement) appended in the same transaction: both are
   * stored or neither, so a crash between a change and its announcement cannot lose the
   * announcement. Null when the change is refused (nothing stored).
   */
  transitionLogged(id: string, change: TaskStateChange, event: NewEvent): Promise<LoggedTransition | null>;
  /** Queued tasks in queue order (priority, then arrival). */
  queued(limit: number): Promise<Task[]>;
  /**
   * Claims the next task (higher priority first; at equal priority the project with the fewest
   * tasks running, then the oldest), moving it to `preparing` under a new lease generation; null
   * when nothing queued fits under the limits. Two servers claiming at once never get the same
   * task, and never together exceed a limit.
   */
  claimNext(request: ClaimRequest): Promise<ClaimedTask | null>;
  /** Extends the owner's leases to `expiresAt`; a lease already later is left as it is (never shortened). */
  renewLeases(owner: string, expiresAt: string): Promise<void>;
  /** Tasks in flight (not queued, not finished) with their lease. */
  inFlight(): Promise<InFlightTask[]>;
  countsByProject(): Promise<{ project: string; state: TaskState; n: number; cost_usd: number }[]>;
  /** How many of `project`'s tasks finished after `since` (an ISO timestamp). */
  countFinishedSince(project: string, since: string): Promise<number>;
  findByExternalId(source: string, externalId: string): Promise<Task | null>;
}

export interface ProjectRecord {
  name: string;
  root: string;
  is_default: boolean;
  max_concurrent: number;
  default_agent: string | null;
  reviewer_agent: string | null;
  created_at: string;
}

/** Projects registered at run time (config and flag projects live in the config, not here). */
export interface ProjectRepository {
  upsert(project: ProjectRecord): Promise<void>;
  list(): Promise<ProjectRecord[]>;
  delete(name: string): Promise<boolean>;
}

export interface WebhookDeliveryRecord {
  /** GitHub's `X-GitHub-Delivery` id. */
  id: string;
  event: string;
  received_at: string;
  /** What came of it (`task <id>`, `refused: …`, `ignored: …`); null while it is being handled. */
  outcome: string | null;
}

/** Webhook deliveries already received, so a redelivery (same id) is answered without being redone. */
export interface WebhookDeliveryRepository {
  /** Records the delivery atomically; false when its id was already recorded. */
  insert(record: Omit<WebhookDeliveryRecord, 'outcome'>): Promise<boolean>;
  get(id: string): Promise<WebhookDeliveryRecord | null>;
  setOutcome(id: string, outcome: string): Promise<void>;
  /** Forgets a delivery whose handling failed, so GitHub's redelivery is handled. */
  delete(id: string): Promise<boolean>;
  /** Forgets deliveries received before `before` that never got an outcome (cut off by a crash). */
  deleteUnsettledBefore(before: string): Promise<number>;
  /** Deletes deliveries received before `before`; returns how many. */
  purgeBefore(before: string): Promise<number>;
}

export interface WebhookTriggerRecord {
  /** What was asked, independent of the delivery: `issue_comment:<repo id>:<comment id>`, … */
  key: string;
  /** The delivery that claimed it. */
  delivery_id: string;
  /** The task it started; null while that task is being created, or when it was refused. */
  task_id: string | null;
  /** Answered with a refusal (no write access, or a command that does not fit where it was asked). */
  refused: boolean;
  claimed_at: string;
}

export type TriggerClaim = { claimed: true } | { claimed: false; holder: WebhookTriggerRecord };

/**
 * Comments, reviews and issue events that started (or are starting) a task or were refused, so the
 * same one redelivered under a new delivery id starts nothing and is not answered twice. A claim
 * is taken before the task is created or the refusal posted.
 */
export interface WebhookTriggerRepository {
  /** Claims `key` atomically: of two concurrent claims exactly one wins; the loser sees the holder. */
  claim(record: Omit<WebhookTriggerRecord, 'task_id' | 'refused'>): Promise<TriggerClaim>;
  get(key: string): Promise<WebhookTriggerRecord | null>;
  setTask(key: string, task_id: string): Promise<void>;
  setRefused(key: string): Promise<void>;
  /** Gives up a claim that has neither task nor refusal (its handling failed); false otherwise. */
  release(key: string, delivery_id: string): Promise<boolean>;
  /** Claims with neither task nor refusal: what a crash between claim and task can leave behind. */
  unsettled(): Promise<WebhookTriggerRecord[]>;
  /** Deletes claims taken before `before`; returns how many. */
  purgeBefore(before: string): Promise<number>;
}

/** An agent's (or a validation command's) process group, written down while it runs. */
export interface ProcessGroupRecord {
  pgid: number;
  /** The leader's start time (clock ticks since boot): pid and start time name one process for good. */
  start_time: string;
  /** The server that started it (a lease owner, `host/pid/instance`). */
  owner: string;
  command: string;
  task_id: string | null;
  turn_id: string | null;
  started_at: string;
}

/** Process groups that must not outlive their server: a restarted server ends the survivors. */
export interface ProcessGroupRepository {
  add(record: ProcessGroupRecord): Promise<void>;
  remove(pgid: number, startTime: string): Promise<void>;
  list(): Promise<ProcessGroupRecord[]>;
}

/**
 * A stage of a task that finished and need not be done again: `implemented` (the implementor's
 * work committed at `sha`), `validated` (validation passed at `sha`), `pushed` (the branch is at
 * `sha` on the remote), `pr_opened`, `reviewed` (round `round` judged `sha`) and `fixed` (the
 * answer to review round `round` committed at `sha`).
 */
export type TaskCheckpointStage = 'implemented' | 'validated' | 'pushed' | 'pr_opened' | 'reviewed' | 'fixed';

export interface TaskCheckpoint {
  task_id: string;
  stage: TaskCheckpointStage;
  round: number | null;
  sha: string | null;
  /** Whatever the stage needs to be resumed (e.g. the implementor's summary for the PR body). */
  data: Record<string, unknown>;
  recorded_at: string;
}

export interface TaskCheckpointRepository {
  /**
   * Records a checkpoint — only while the task is held under `lease` when one is given, like the
   * task row's writes. False when refused: a run whose lease was taken over records nothing.
   */
  add(checkpoint: TaskCheckpoint, guard?: { lease?: LeaseToken }): Promise<boolean>;
  /** In the order they were recorded. */
  list(taskId: string): Promise<TaskCheckpoint[]>;
}

/** Who ran a rule scan. */
export type ScanTrigger = 'cli' | 'rpc' | 'pipeline' | 'gc' | 'metrics' | 'preflight';

/** One stored rule scan; its findings are events (`rule.finding`, `session_id` = the scan's id). */
export interface ScanRecord {
  id: string;
  project: string;
  root: string;
  trigger: ScanTrigger;
  task_id: string | null;
  /** The files scanned (relative to the root), or null for the whole project. */
  files: string[] | null;
  started_at: string;
  duration_ms: number;
  finding_count: number;
  by_severity: Record<Severity, number>;
  /** Findings per rule id. */
  by_rule: Record<string, number>;
}

export interface ScanRepository {
  insert(scan: ScanRecord): Promise<void>;
  /** The project's most recent scan of the whole project (not of a few files), if any. */
  latestFull(project: string): Promise<ScanRecord | null>;
  list(filter: { project?: string; since?: string; until?: string; limit: number }): Promise<ScanRecord[]>;
}

/**
 * The running totals behind one (type, key) of a project's signals: counters and a bounded
 * evidence sample, so a detection pass reads only the events after the checkpoint.
 */
export interface SignalAggregate {
  type: SignalType;
  key: string;
  count: number;
  /** Ids of the first (oldest) events, at most 50. */
  event_ids: string[];
  /** Distinct files and tasks seen, each at most 50, in the order first seen. */
  files: string[];
  task_ids: string[];
  first_seen: string | null;
  last_seen: string | null;
  /** Detector-specific counters (e.g. the warn-rate buckets of warn_escalation). */
  extra: Record<string, unknown>;
}

/** Where a project's detection stopped: the last event seq processed, under which settings. */
export interface SignalCheckpoint {
  project: string;
  last_seq: number;
  /** What the aggregates depend on (e.g. the slow-operation threshold): a change means recounting. */
  settings: string;
  updated_at: string;
}

export interface SignalRepository {
  checkpoint(project: string): Promise<SignalCheckpoint | null>;
  aggregates(project: string): Promise<SignalAggregate[]>;
  /**
   * Atomically: the new checkpoint, the changed aggregates, and the project's detected signals
   * (replacing the previous set). `reset` first drops the project's aggregates (a recount).
   */
  save(
    checkpoint: SignalCheckpoint,
    changed: readonly SignalAggregate[],
    signals: readonly Signal[],
    reset: boolean,
  ): Promise<void>;
  /** The latest detected signals, strongest first; of one project or all. */
  list(filter: { project?: string }): Promise<Signal[]>;
}

/** GC's drafts and runs. */
export interface GcRepositories {
  readonly drafts: DraftRepository;
  readonly runs: GcRunRepository;
}

export interface DraftListFilter {
  project?: string;
  status?: DraftStatus;
  limit: number;
}

/** What a decision (adopt, reject, expire) writes on a draft. */
export type DraftDecision = Pick<Draft, 'status' | 'decided_at' | 'decided_by'> &
  Partial<Pick<Draft, 'reject_reason' | 'task_id'>>;

/** Remediation drafts. Never deleted: an expired or rejected draft stays, with who and why. */
export interface DraftRepository {
  insert(draft: Draft): Promise<void>;
  get(id: string): Promise<Draft | null>;
  /** Newest first. */
  list(filter: DraftListFilter): Promise<Draft[]>;
  /** Applies a decision only while the draft is still `from`, atomically; null when it was not. */
  decide(id: string, from: DraftStatus, decision: DraftDecision): Promise<Draft | null>;
  setReplay(id: string, replay: ReplayReport): Promise<Draft | null>;
  /** Marks pending drafts whose `expires_at` is at or before `now` expired (by `gc`); returns them. */
  expire(now: string, project?: string): Promise<Draft[]>;
  /** Ids of the signals that have a pending draft in `project`. */
  pendingSignalIds(project: string): Promise<Set<string>>;
  counts(project: string): Promise<Record<DraftStatus, number>>;
}

/** A GC run as stored, with the server that runs it (`host/pid/instance`). */
export type GcRunRecord = GcRun & { owner: string };

export type GcRunPatch = Partial<Omit<GcRunRecord, 'id' | 'project' | 'started_at' | 'owner'>>;

/** One row per GC run: the budget window is summed from them, and a restart finds a run cut off. */
export interface GcRunRepository {
  /** Records a `running` run unless the project already has one (then false): one run per project. */
  start(run: GcRunRecord): Promise<boolean>;
  update(id: string, patch: GcRunPatch): Promise<void>;
  get(id: string): Promise<GcRunRecord | null>;
  /** The project's run still marked running, if any. */
  running(project: string): Promise<GcRunRecord | null>;
  /** The project's latest run that is not running. */
  last(project: string): Promise<GcRunRecord | null>;
  /** Every project's runs still marked running. */
  listRunning(): Promise<GcRunRecord[]>;
  /** Marks a run still `running` abandoned (its server is gone), noting why; false if it was not running. */
  abandon(id: string, at: string): Promise<boolean>;
  /** USD spent by every project's runs started at or after `since`. */
  spentSince(since: string): Promise<number>;
}

/** What Harness tracks of one skill file: the content it last saw there, and how often it changed. */
export interface SkillRecord {
  /** The SKILL.md or flat .md, absolute: the key (the same name may live in several places). */
  path: string;
  name: string;
  scope: string;
  content_hash: string;
  /** 1 when first seen; one more each time the file's content hash changes. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface SkillUse {
  skill: string;
  task_id: string | null;
  thread_id: string | null;
  at: string;
}

/** A skill's uses, and the outcome of each finished task that used it, oldest finish first. */
export interface SkillUsage {
  uses: number;
  outcomes: ('succeeded' | 'failed')[];
}

export interface SkillRepository {
  /**
   * Records the content seen at `path`: a new record at version 1, the same record when the hash
   * is unchanged, else the version bumped — atomically, so two readers never bump it twice.
   */
  observe(
    seen: Pick<SkillRecord, 'path' | 'name' | 'scope' | 'content_hash'>,
    at: string,
  ): Promise<SkillRecord>;
  get(path: string): Promise<SkillRecord | null>;
  /** Forgets the file's record (its uses stay: they are history, kept by name). */
  remove(path: string): Promise<boolean>;
  recordUse(use: SkillUse): Promise<void>;
  /** Uses and task outcomes of each named skill (a task counts once per skill, however often it used it). */
  usage(names: readonly string[]): Promise<Map<string, SkillUsage>>;
}
