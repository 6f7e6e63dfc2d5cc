import type { Task, TaskState } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import type {
  ClaimRequest,
  ClaimedTask,
  InFlightTask,
  LeaseToken,
  LoggedTransition,
  NewEvent,
  TaskListFilter,
  TaskPatch,
  TaskRepository,
  TaskStateChange,
} from '../store.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import {
  type TaskRow,
  inFlightTask,
  patchableTaskColumns,
  publicTask,
  refuseUnlisted,
  runningStatesSql,
  taskJsonColumns,
} from '../task-rows.js';
import type { PgDb, Queryable } from './db.js';
import { appendEventOn } from './event-repo.js';

/** Every column of a task but its id and seq, in the order `enqueue` writes them. */
const taskColumns = [
  'project',
  'kind',
  'prompt',
  'issue',
  'pr',
  'description',
  'agent',
  'reviewer',
  'review',
  'budget_usd',
  'priority',
  'state',
  'branch',
  'worktree',
  'pr_url',
  'pr_number',
  'deliver',
  'delivery',
  'commit_sha',
  'base_commit',
  'rounds',
  'validation_attempts',
  'cost_usd',
  'score',
  'grade',
  'error',
  'pending_approval',
  'approvals',
  'preflight',
  'source',
  'external_id',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
  'routing',
  'plan',
] as const;

/** A column's value as a statement parameter: JSON columns as their text, the rest as they are. */
function columnValue(column: string, value: unknown): unknown {
  return taskJsonColumns.has(column) && value !== null ? JSON.stringify(value) : value;
}

/** Positional parameters ($1, $2, …) collected while a statement is put together. */
class Parameters {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** The SET clauses for a patch (unknown keys and undefined values skipped). */
function assignments(patch: TaskPatch, params: Parameters): string[] {
  const sets: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || !patchableTaskColumns.has(key)) continue;
    sets.push(`${key} = ${params.add(columnValue(key, value))}`);
  }
  return sets;
}

/** ` AND` the lease condition of a guarded write, or nothing: the database itself refuses a stale lease. */
function leaseGuard(lease: LeaseToken | undefined, params: Parameters): string {
  if (lease === undefined) return '';
  return ` AND lease_owner = ${params.add(lease.owner)} AND lease_generation = ${params.add(lease.generation)}`;
}

/**
 * Transaction-scoped advisory locks of the queue (the two-key form, so they never meet the
 * migration's one-key lock). Claims take one lock so that the running counts a claimer reads stay
 * true until it commits: two servers never both see room for the same last slot. Enqueues take
 * another so that the queued count and the insert are one step.
 */
const queueLockClass = 0x48545153; // "HTQS"
const claimLock = 1;
const enqueueLock = 2;

async function lockQueue(client: Queryable, lock: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [queueLockClass, lock]);
}

async function transitionOn(db: Queryable, id: string, change: TaskStateChange): Promise<Task | null> {
  refuseUnlisted(id, change.from, change.to);
  const params = new Parameters();
  const where = `id = ${params.add(id)} AND state = ${params.add(change.from)}`;
  const sets = assignments(change.patch ?? {}, params);
  sets.push(`state = ${params.add(change.to)}`);
  const { rows } = await db.query<TaskRow>(
    `UPDATE tasks SET ${sets.join(', ')} WHERE ${where}${leaseGuard(change.lease, params)} RETURNING *`,
    params.values,
  );
  return rows[0] === undefined ? null : publicTask(rows[0]);
}

export class PgTaskRepository implements TaskRepository {
  constructor(private readonly db: PgDb) {}

  async enqueue(task: Task, maxQueued: number): Promise<Task> {
    await this.db.transaction(async (client) => {
      await lockQueue(client, enqueueLock);
      const { rows } = await client.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM tasks WHERE state = 'queued'`,
      );
      const n = rows[0]?.n ?? 0;
      if (n >= maxQueued) {
        throw new HarnessError(
          ErrorCodes.queueFull,
          `the task queue is full (${n} queued, limit ${maxQueued}); try again later`,
          { data: { queued: n, limit: maxQueued } },
        );
      }
      const params = new Parameters();
      const values = [params.add(task.id)];
      for (const column of taskColumns) values.push(params.add(columnValue(column, task[column])));
      // seq is an identity column: handed out in insertion order, which the enqueue lock makes arrival order.
      await client.query(
        `INSERT INTO tasks (id, ${taskColumns.join(', ')}) VALUES (${values.join(', ')})`,
        params.values,
      );
    });
    return task;
  }

  async get(id: string): Promise<Task | null> {
    const row = await this.db.one<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return row ? publicTask(row) : null;
  }

  async list(filter: TaskListFilter): Promise<{ tasks: Task[]; next_cursor: string | null }> {
    const params = new Parameters();
    const where: string[] = [];
    if (filter.state !== undefined) where.push(`state = ${params.add(filter.state)}`);
    if (filter.project !== undefined) where.push(`project = ${params.add(filter.project)}`);
    if (filter.cursor) {
      const [createdAt, id] = decodeCursor(filter.cursor, 'the task list');
      where.push(`(created_at, id) < (${params.add(createdAt)}, ${params.add(id)})`);
    }
    const rows = await this.db.rows<TaskRow>(
      `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ${params.add(filter.limit + 1)}`,
      params.values,
    );
    const tasks = rows.slice(0, filter.limit).map(publicTask);
    const last = tasks.at(-1);
    return {
      tasks,
      next_cursor: rows.length > filter.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  async update(id: string, patch: TaskPatch, guard: { lease?: LeaseToken } = {}): Promise<Task | null> {
    const params = new Parameters();
    const where = `id = ${params.add(id)}`;
    const sets = assignments(patch, params);
    if (sets.length === 0) return this.get(id);
    const row = await this.db.one<TaskRow>(
      `UPDATE tasks SET ${sets.join(', ')} WHERE ${where}${leaseGuard(guard.lease, params)} RETURNING *`,
      params.values,
    );
    return row ? publicTask(row) : null;
  }

  async transition(id: string, change: TaskStateChange): Promise<Task | null> {
    return transitionOn(this.db, id, change);
  }

  async transitionLogged(
    id: string,
    change: TaskStateChange,
    event: NewEvent,
  ): Promise<LoggedTransition | null> {
    // The change first, then the event (its seq drawn under the append lock, held to the commit):
    // nothing holding that lock ever waits for a task's row, so the two cannot deadlock.
    return this.db.transaction(async (client) => {
      const task = await transitionOn(client, id, change);
      if (task === null) return null;
      const logged = await appendEventOn(client, event);
      if (logged === null)
        throw new HarnessError(ErrorCodes.conflict, `event ${event.id} was stored already`);
      return { task, event: logged };
    });
  }

  async queued(limit: number): Promise<Task[]> {
    const rows = await this.db.rows<TaskRow>(
      `SELECT * FROM tasks WHERE state = 'queued' ORDER BY priority DESC, seq LIMIT $1`,
      [limit],
    );
    return rows.map(publicTask);
  }

  async claimNext(request: ClaimRequest): Promise<ClaimedTask | null> {
    refuseUnlisted('(next)', 'queued', 'preparing');
    return this.db.transaction(async (client) => {
      await lockQueue(client, claimLock);
      // Read under the claim lock, so the running counts are exact; SKIP LOCKED passes over a
      // queued task another statement is changing (a cancel) instead of waiting for it.
      const { rows } = await client.query<TaskRow>(
        `WITH running AS (
           SELECT project, COUNT(*) AS n FROM tasks WHERE state IN (${runningStatesSql}) GROUP BY project
         ), candidate AS (
           SELECT t.id FROM tasks t LEFT JOIN running r ON r.project = t.project
           WHERE t.state = 'queued'
             AND (SELECT COUNT(*) FROM tasks WHERE state IN (${runningStatesSql})) < $1
             AND COALESCE(r.n, 0) < COALESCE(($2::jsonb ->> t.project)::bigint, $3)
           ORDER BY t.priority DESC, COALESCE(r.n, 0), t.seq
           LIMIT 1 FOR UPDATE OF t SKIP LOCKED
         )
         UPDATE tasks SET state = 'preparing', lease_owner = $4, lease_expires_at = $5,
           lease_generation = tasks.lease_generation + 1, started_at = COALESCE(tasks.started_at, $6),
           updated_at = $6
         FROM candidate WHERE tasks.id = candidate.id
         RETURNING tasks.*`,
        [
          request.globalLimit,
          JSON.stringify(request.projectLimits),
          request.defaultProjectLimit,
          request.owner,
          request.expires_at,
          request.now,
        ],
      );
      const claimed = rows[0];
      if (claimed === undefined) return null;
      return {
        task: publicTask(claimed),
        lease: { owner: request.owner, generation: claimed.lease_generation },
      };
    });
  }

  async renewLeases(owner: string, expiresAt: string): Promise<void> {
    await this.db.query(
      `UPDATE tasks SET lease_expires_at = $2 WHERE lease_owner = $1
         AND state NOT IN ('queued', 'done', 'failed', 'cancelled')
         AND (lease_expires_at IS NULL OR lease_expires_at < $2)`,
      [owner, expiresAt],
    );
  }

  async inFlight(): Promise<InFlightTask[]> {
    const rows = await this.db.rows<TaskRow>(
      `SELECT * FROM tasks WHERE state NOT IN ('queued', 'done', 'failed', 'cancelled') ORDER BY seq`,
    );
    return rows.map(inFlightTask);
  }

  async countsByProject(): Promise<{ project: string; state: TaskState; n: number; cost_usd: number }[]> {
    return this.db.rows(
      `SELECT project, state, COUNT(*) AS n, SUM(cost_usd) AS cost_usd FROM tasks
       GROUP BY project, state ORDER BY project, state`,
    );
  }

  async countFinishedSince(project: string, since: string): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      'SELECT COUNT(*) AS n FROM tasks WHERE project = $1 AND finished_at > $2',
      [project, since],
    );
    return row?.n ?? 0;
  }

  async findByExternalId(source: string, externalId: string): Promise<Task | null> {
    const row = await this.db.one<TaskRow>(
      'SELECT * FROM tasks WHERE source = $1 AND external_id = $2 ORDER BY seq DESC LIMIT 1',
      [source, externalId],
    );
    return row ? publicTask(row) : null;
  }
}
