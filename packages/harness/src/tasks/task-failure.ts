import type { PendingApproval } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../core/index.js';

/**
 * Why a run stopped short, told apart by type: the pipeline settles each kind differently (failed,
 * needs_input, cancelled) or not at all (shutdown, superseded), and never by matching a message or
 * an error code.
 */

/** The task failed; `code` is stable (tests, dashboards and retries branch on it). */
export class TaskFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TaskFailure';
  }
}

/** A command needs a person's approval (`rules.on_prompt = "needs_input"`): the task waits. */
export class TaskNeedsInput extends Error {
  constructor(
    message: string,
    /** What the task waits for; stored on the task for the person who answers. */
    readonly approval: PendingApproval | null = null,
  ) {
    super(message);
    this.name = 'TaskNeedsInput';
  }
}

/** The abort reason when someone cancels a running task: it ends `cancelled`. */
export class TaskCancelled extends HarnessError {
  constructor() {
    super(ErrorCodes.cancelled, 'cancelled by request');
    this.name = 'TaskCancelled';
  }
}

/** The abort reason when the server stops: the task is left as it is, for the next start to resume. */
export class ServerShutdown extends HarnessError {
  constructor() {
    super(ErrorCodes.unavailable, 'server shutting down');
    this.name = 'ServerShutdown';
  }
}

/**
 * A write of this run was refused: the task left the state the run expected, or its lease passed
 * to another owner (a server that recovered it). The run stops and writes nothing more.
 */
export class RunSuperseded extends HarnessError {
  constructor(taskId: string, what: string) {
    super(ErrorCodes.conflict, `task ${taskId}: ${what} refused, the run no longer holds the task`, {
      data: { task_id: taskId },
    });
    this.name = 'RunSuperseded';
  }
}
