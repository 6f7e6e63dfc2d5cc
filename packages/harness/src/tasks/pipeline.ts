import type { Task, TaskState } from '@harness/protocol';
import { ErrorCodes, HarnessError, describeError } from '../core/index.js';
import type { TaskRunner } from './scheduler.js';
import { approvedRound, gradeTask } from './task-grade.js';
import { TaskFailure, TaskNeedsInput } from './task-failure.js';
import { type PipelineDeps, TaskRun } from './task-run.js';

/**
 * The task runner the scheduler calls: runs a task through its stages, then settles it — done,
 * failed (never "done" without its pull request), cancelled or waiting for input — with a grade,
 * and removes its worktree. A run stopped by shutdown is left as it was, for the next start.
 */
export class TaskPipeline implements TaskRunner {
  constructor(private readonly deps: PipelineDeps) {}

  async run(task: Task, signal: AbortSignal): Promise<void> {
    const run = new TaskRun(this.deps, task, signal);
    let outcome: { state: TaskState; error: { code: string; message: string } | null };
    try {
      await run.execute();
      outcome = { state: 'done', error: null };
    } catch (error) {
      if (isShutdown(signal)) return;
      outcome = this.classify(error, signal);
      if (outcome.state === 'failed' && !(error instanceof TaskFailure)) {
        this.deps.logger.error({ err: error, task_id: task.id }, 'task failed unexpectedly');
      }
    }
    await this.settle(run, outcome.state, outcome.error);
  }

  private classify(
    error: unknown,
    signal: AbortSignal,
  ): { state: TaskState; error: { code: string; message: string } | null } {
    if (signal.aborted)
      return { state: 'cancelled', error: { code: 'cancelled', message: 'cancelled by request' } };
    if (error instanceof TaskNeedsInput)
      return { state: 'needs_input', error: { code: 'needs_input', message: error.message } };
    if (error instanceof TaskFailure)
      return { state: 'failed', error: { code: error.code, message: error.message } };
    if (error instanceof HarnessError)
      return { state: 'failed', error: { code: error.code, message: error.message } };
    return { state: 'failed', error: { code: ErrorCodes.internal, message: describeError(error) } };
  }

  private async settle(
    run: TaskRun,
    state: TaskState,
    error: { code: string; message: string } | null,
  ): Promise<void> {
    const { clock, events } = this.deps;
    const now = clock.now();
    const finished = state === 'done' || state === 'failed' || state === 'cancelled';
    const grade =
      state === 'done' || state === 'failed'
        ? gradeTask({
            succeeded: state === 'done',
            validationAttempts: run.task.validation_attempts,
            reviewEnabled: run.task.reviewer !== null,
            approvedInRound: approvedRound(run.task),
            costUsd: run.task.cost_usd,
            durationMs: now.getTime() - Date.parse(run.task.started_at ?? run.task.created_at),
          })
        : null;
    // Cleanup comes before the final state, so a task reported finished has nothing left behind.
    // A task waiting for input keeps its worktree; a finished one gives it back.
    // A done task's branch was pushed and lives on the remote; a failed or cancelled task's branch
    // stays in the checkout when it holds commits, so its work is not lost.
    if (finished && run.task.worktree) {
      await this.deps.worktrees
        .remove(run.task.worktree, { branch: state === 'done' ? 'delete' : 'keep-if-committed' })
        .catch((e: unknown) =>
          this.deps.logger.warn(
            { err: e, task_id: run.task.id },
            'removing the worktree failed; it will be reclaimed at start-up',
          ),
        );
    }
    await run.save({
      state,
      error,
      ...(grade ? { score: grade.score, grade: grade.grade } : {}),
      ...(finished ? { finished_at: now.toISOString() } : {}),
    });
    await events.append({
      kind: 'task.finished',
      task_id: run.task.id,
      decision: state === 'done' ? 'complete' : state === 'needs_input' ? 'gate' : 'block',
      reason: error?.message ?? null,
      data: {
        state,
        error,
        score: grade?.score ?? null,
        grade: grade?.grade ?? null,
        cost_usd: run.task.cost_usd,
        pr_url: run.task.pr_url,
      },
    });
  }
}

function isShutdown(signal: AbortSignal): boolean {
  return (
    signal.aborted && signal.reason instanceof HarnessError && signal.reason.code === ErrorCodes.unavailable
  );
}
