import {
  type Task,
  type TaskState,
  isTaskTransition,
  taskStateSchema,
  terminalTaskStates,
} from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../core/index.js';
import type { InFlightTask } from './store.js';

/**
 * A task's row as both backends store it: JSON fields as their text (read back byte for byte), the
 * review flag as the backend's boolean (SQLite 0/1, PostgreSQL boolean), and the lease.
 */
export type TaskRow = Omit<
  Task,
  'review' | 'rounds' | 'error' | 'pending_approval' | 'approvals' | 'routing' | 'plan' | 'preflight'
> & {
  seq?: number;
  review: number | boolean;
  rounds: string;
  error: string | null;
  pending_approval: string | null;
  approvals: string;
  routing: string | null;
  plan: string | null;
  preflight: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  lease_generation: number;
};

/** Columns holding JSON text. */
export const taskJsonColumns: ReadonlySet<string> = new Set([
  'rounds',
  'error',
  'pending_approval',
  'approvals',
  'routing',
  'plan',
  'preflight',
]);

/** What a patch may write: every column but the id, the seq, the state and created_at, which have their own paths. */
export const patchableTaskColumns: ReadonlySet<string> = new Set([
  ...['project', 'kind', 'prompt', 'issue', 'pr', 'description', 'agent', 'reviewer', 'review'],
  ...['budget_usd', 'priority', 'branch', 'worktree', 'pr_url', 'pr_number', 'deliver', 'delivery'],
  ...['commit_sha', 'base_commit', 'rounds', 'validation_attempts', 'cost_usd', 'score', 'grade'],
  ...['error', 'pending_approval', 'approvals', 'preflight', 'source', 'external_id', 'updated_at'],
  ...['started_at', 'finished_at', 'routing', 'plan'],
]);

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

/** A stored row as a task in flight (with its lease). */
export function inFlightTask(row: TaskRow): InFlightTask {
  const { seq: _seq, ...rest } = row;
  return {
    ...rest,
    review: Boolean(row.review),
    rounds: JSON.parse(row.rounds) as Task['rounds'],
    error: parseJson<Task['error']>(row.error),
    pending_approval: parseJson<Task['pending_approval']>(row.pending_approval),
    approvals: JSON.parse(row.approvals) as Task['approvals'],
    routing: parseJson<Task['routing']>(row.routing),
    plan: parseJson<Task['plan']>(row.plan),
    preflight: parseJson<Task['preflight']>(row.preflight),
  };
}

/** A stored row as the task the API shows (no lease). */
export function publicTask(row: TaskRow): Task {
  const {
    lease_owner: _owner,
    lease_expires_at: _expires,
    lease_generation: _generation,
    ...task
  } = inFlightTask(row);
  return task;
}

/** The store is the last line: a state change the transition table lacks is never written. */
export function refuseUnlisted(id: string, from: TaskState, to: TaskState): void {
  if (!isTaskTransition(from, to))
    throw new HarnessError(ErrorCodes.conflict, `task ${id}: ${from} → ${to} is not a task transition`, {
      data: { task_id: id, from, to },
    });
}

/**
 * The states a task runs in (counted against the concurrency limits: in flight, but not waiting
 * for a person), as an SQL list.
 */
export const runningStatesSql = taskStateSchema.options
  .filter((state) => state !== 'queued' && state !== 'needs_input' && !terminalTaskStates.has(state))
  .map((state) => `'${state}'`)
  .join(', ');
