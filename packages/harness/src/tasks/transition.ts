import { type Task, type TaskState, isTaskTransition } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError } from '../core/index.js';
import type { EventLog } from '../observe/index.js';
import type { LeaseToken, Store, TaskPatch } from '../store/index.js';
import { RunSuperseded } from './task-failure.js';

export interface TransitionDeps {
  store: Store;
  events: EventLog;
  clock: Clock;
}

/** The event that announces a change; `task.stage` with the new state unless the caller says otherwise. */
export type Announcement = Omit<Parameters<EventLog['append']>[0], 'task_id'>;

export interface TransitionOptions {
  patch?: TaskPatch;
  /** The run's lease: the change is stored only while the task is still held under it. */
  lease?: LeaseToken;
  announce?: Announcement;
}

/**
 * The only way a task's state changes: the edge is checked against the protocol's transition
 * table, the change is stored only if the task is still in the state the caller saw (and still
 * leased to the caller, when it names its lease), with its announcement in the same transaction,
 * and announced once committed — so what is announced has happened, and what happened is
 * announced. A refused store throws `RunSuperseded`; an edge outside the table, `conflict`.
 */
export async function transition(
  deps: TransitionDeps,
  task: Task,
  to: TaskState,
  options: TransitionOptions = {},
): Promise<Task> {
  if (!isTaskTransition(task.state, to))
    throw new HarnessError(
      ErrorCodes.conflict,
      `task ${task.id}: ${task.state} → ${to} is not a task transition`,
    );
  const change = {
    from: task.state,
    to,
    patch: { ...options.patch, updated_at: deps.clock.now().toISOString() },
    ...(options.lease === undefined ? {} : { lease: options.lease }),
  };
  // One transaction: a crash cannot leave a change stored and never announced.
  const stored = await deps.events.appendWith(
    { kind: 'task.stage', data: { stage: to }, ...options.announce, task_id: task.id },
    (event) => deps.store.tasks.transitionLogged(task.id, change, event),
  );
  if (stored === null) throw new RunSuperseded(task.id, `${task.state} → ${to}`);
  return stored.task;
}
