import type Database from 'better-sqlite3';
import type { Task, TaskState } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import type {
  ClaimRequest,
  ClaimedTask,
  LeaseToken,
  LoggedTransition,
  NewEvent,
  TaskListFilter,
  TaskPatch,
  TaskRepository,
  TaskStateChange,
} from '../store.js';
import {
  type TaskRow,
  inFlightTask,
  patchableTaskColumns,
  publicTask,
  refuseUnlisted,
  runningStatesSql,
  taskJsonColumns,
} from '../task-rows.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { SqliteEventRepository } from './event-repo.js';

/** The SET clauses and their arguments for a patch (unknown keys and undefined values skipped). */
function assignments(id: string, patch: TaskPatch): { sets: string[]; args: Record<string, unknown> } {
  const sets: string[] = [];
  const args: Record<string, unknown> = { id };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || !patchableTaskColumns.has(key)) continue;
    sets.push(`${key} = @${key}`);
    if (typeof value === 'boolean') args[key] = value ? 1 : 0;
    else args[key] = taskJsonColumns.has(key) && value !== null ? JSON.stringify(value) : value;
  }
  return { sets, args };
}

/** ` AND` the lease condition for a guarded write (and its arguments), or nothing. */
function leaseGuard(lease: LeaseToken | undefined, args: Record<string, unknown>): string {
  if (lease === undefined) return '';
  args.lease_owner = lease.owner;
  args.lease_generation = lease.generation;
  return ' AND lease_owner = @lease_owner AND lease_generation = @lease_generation';
}

export class SqliteTaskRepository implements TaskRepository {
  constructor(
    private readonly db: Database.Database,
    private readonly events: SqliteEventRepository,
  ) {}

  async enqueue(task: Task, maxQueued: number): Promise<Task> {
    const insert = this.db.transaction(() => {
      const { n } = this.db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE state = 'queued'`).get() as {
        n: number;
      };
      if (n >= maxQueued) {
        throw new HarnessError(
          ErrorCodes.queueFull,
          `the task queue is full (${n} queued, limit ${maxQueued}); try again later`,
          {
            data: { queued: n, limit: maxQueued },
          },
        );
      }
      this.db
        .prepare(
          `INSERT INTO tasks (id, seq, project, kind, prompt, issue, pr, description, agent, reviewer, review, budget_usd,
             priority, state, branch, worktree, pr_url, pr_number, deliver, delivery, commit_sha, base_commit, rounds, validation_attempts,
             cost_usd, score, grade, error, pending_approval, approvals, source, external_id, created_at, updated_at,
              started_at, finished_at, routing, preflight)
            VALUES (@id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM tasks), @project, @kind, @prompt, @issue, @pr,
              @description, @agent, @reviewer, @review, @budget_usd, @priority, @state, @branch, @worktree, @pr_url, @pr_number,
              @deliver, @delivery, @commit_sha, @base_commit, @rounds,
              @validation_attempts, @cost_usd, @score, @grade, @error, @pending_approval, @approvals, @source, @external_id, @created_at, @updated_at,
              @started_at, @finished_at, @routing, @preflight)`,
        )
        .run({
          ...task,
          review: task.review ? 1 : 0,
          rounds: JSON.stringify(task.rounds),
          error: task.error && JSON.stringify(task.error),
          pending_approval: task.pending_approval && JSON.stringify(task.pending_approval),
          approvals: JSON.stringify(task.approvals),
          routing: task.routing && JSON.stringify(task.routing),
          preflight: task.preflight && JSON.stringify(task.preflight),
        });
      // The plan column came later (migration 15): set on its own, so the insert above stays as it was.
      if (task.plan !== null) {
        this.db.prepare('UPDATE tasks SET plan = ? WHERE id = ?').run(JSON.stringify(task.plan), task.id);
      }
    });
    insert();
    return task;
  }

  async get(id: string): Promise<Task | null> {
    const row = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return row ? publicTask(row) : null;
  }

  async list(filter: TaskListFilter): Promise<{ tasks: Task[]; next_cursor: string | null }> {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: filter.limit + 1 };
    for (const key of ['state', 'project'] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${key} = @${key}`);
      args[key] = filter[key];
    }
    if (filter.cursor) {
      [args.cursor_created, args.cursor_id] = decodeCursor(filter.cursor, 'the task list');
      where.push('(created_at < @cursor_created OR (created_at = @cursor_created AND id < @cursor_id))');
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY created_at DESC, id DESC LIMIT @limit`,
      )
      .all(args) as TaskRow[];
    const tasks = rows.slice(0, filter.limit).map(publicTask);
    const last = tasks.at(-1);
    return {
      tasks,
      next_cursor: rows.length > filter.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  async update(id: string, patch: TaskPatch, guard: { lease?: LeaseToken } = {}): Promise<Task | null> {
    const { sets, args } = assignments(id, patch);
    if (sets.length === 0) return this.get(id);
    const result = this.db
      .prepare(`UPDATE tasks SET ${sets.join(', ')} WHERE id = @id${leaseGuard(guard.lease, args)}`)
      .run(args);
    return result.changes === 0 ? null : this.get(id);
  }

  async transition(id: string, change: TaskStateChange): Promise<Task | null> {
    return this.transitionNow(id, change);
  }

  async transitionLogged(
    id: string,
    change: TaskStateChange,
    event: NewEvent,
  ): Promise<LoggedTransition | null> {
    return this.db.transaction((): LoggedTransition | null => {
      const task = this.transitionNow(id, change);
      if (task === null) return null;
      const logged = this.events.appendNow(event);
      // Thrown inside the transaction: the change goes back with it.
      if (logged.duplicate)
        throw new HarnessError(ErrorCodes.conflict, `event ${event.id} was stored already`);
      return { task, event: logged.event };
    })();
  }

  private transitionNow(id: string, change: TaskStateChange): Task | null {
    refuseUnlisted(id, change.from, change.to);
    const { sets, args } = assignments(id, change.patch ?? {});
    sets.push('state = @to');
    Object.assign(args, { to: change.to, from: change.from });
    const guard = ` AND state = @from${leaseGuard(change.lease, args)}`;
    const row = this.db
      .prepare(`UPDATE tasks SET ${sets.join(', ')} WHERE id = @id${guard} RETURNING *`)
      .get(args) as TaskRow | undefined;
    return row === undefined ? null : publicTask(row);
  }

  async queued(limit: number): Promise<Task[]> {
    const rows = this.db
      .prepare(`SELECT * FROM tasks WHERE state = 'queued' ORDER BY priority DESC, seq LIMIT ?`)
      .all(limit) as TaskRow[];
    return rows.map(publicTask);
  }

  async claimNext(request: ClaimRequest): Promise<ClaimedTask | null> {
    refuseUnlisted('(next)', 'queued', 'preparing');
    // IMMEDIATE: the write lock is taken before the counts are read, so two servers sharing the
    // file cannot both see room for one more.
    const claim = this.db.transaction((): ClaimedTask | null => {
      const row = this.db
        .prepare(
          `WITH running AS (
             SELECT project, COUNT(*) AS n FROM tasks WHERE state IN (${runningStatesSql}) GROUP BY project
           )
           SELECT t.id FROM tasks t LEFT JOIN running r ON r.project = t.project
           WHERE t.state = 'queued'
             AND (SELECT COUNT(*) FROM tasks WHERE state IN (${runningStatesSql})) < @global_limit
             AND COALESCE(r.n, 0) < COALESCE(json_extract(@limits, '$."' || t.project || '"'), @default_limit)
           ORDER BY t.priority DESC, COALESCE(r.n, 0), t.seq LIMIT 1`,
        )
        .get({
          global_limit: request.globalLimit,
          limits: JSON.stringify(request.projectLimits),
          default_limit: request.defaultProjectLimit,
        }) as { id: string } | undefined;
      if (row === undefined) return null;
      const claimed = this.db
        .prepare(
          `UPDATE tasks SET state = 'preparing', lease_owner = @owner, lease_expires_at = @expires_at,
             lease_generation = lease_generation + 1, started_at = COALESCE(started_at, @now), updated_at = @now
           WHERE id = @id AND state = 'queued' RETURNING *`,
        )
        .get({
          id: row.id,
          owner: request.owner,
          expires_at: request.expires_at,
          now: request.now,
        }) as TaskRow;
      return {
        task: publicTask(claimed),
        lease: { owner: request.owner, generation: claimed.lease_generation },
      };
    });
    return claim.immediate();
  }

  async renewLeases(owner: string, expiresAt: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE tasks SET lease_expires_at = @expires_at WHERE lease_owner = @owner
           AND state NOT IN ('queued', 'done', 'failed', 'cancelled')
           AND (lease_expires_at IS NULL OR lease_expires_at < @expires_at)`,
      )
      .run({ owner, expires_at: expiresAt });
  }

  async inFlight() {
    const rows = this.db
      .prepare(
        `SELECT * FROM tasks WHERE state NOT IN ('queued', 'done', 'failed', 'cancelled') ORDER BY seq`,
      )
      .all() as TaskRow[];
    return rows.map(inFlightTask);
  }

  async countsByProject() {
    return this.db
      .prepare(
        'SELECT project, state, COUNT(*) AS n, SUM(cost_usd) AS cost_usd FROM tasks GROUP BY project, state',
      )
      .all() as { project: string; state: TaskState; n: number; cost_usd: number }[];
  }

  async countFinishedSince(project: string, since: string): Promise<number> {
    const row = this.db
      .prepare('SELECT COUNT(*) AS n FROM tasks WHERE project = ? AND finished_at > ?')
      .get(project, since) as { n: number };
    return row.n;
  }

  async findByExternalId(source: string, externalId: string): Promise<Task | null> {
    const row = this.db
      .prepare('SELECT * FROM tasks WHERE source = ? AND external_id = ? ORDER BY seq DESC LIMIT 1')
      .get(source, externalId) as TaskRow | undefined;
    return row ? publicTask(row) : null;
  }
}
