import type { PendingApproval, Task, TaskState } from '@harness/protocol';
import { ErrorCodes, HarnessError, describeError } from '../core/index.js';
import type { RunContext, TaskRunner } from './scheduler.js';
import type { TaskPatch } from '../store/index.js';
import { approvedRound, gradeTask } from './task-grade.js';
import { RemoteFacts } from './remote-facts.js';
import { releaseWorktree } from './task-cleanup.js';
import { RunSuperseded, ServerShutdown, TaskFailure, TaskNeedsInput } from './task-failure.js';
import { type PipelineDeps, TaskRun } from './task-run.js';

type TaskError = { code: string; message: string };

/** How a run ended, told apart by type; the first four settle the task, the last two leave it. */
export type RunOutcome =
  | { kind: 'done' }
  | { kind: 'failed'; error: TaskError; unexpected: boolean }
  | { kind: 'needs_input'; error: TaskError; approval: PendingApproval | null }
  | { kind: 'cancelled'; error: TaskError }
  /** The server is stopping: the task stays as it is and the next start resumes it. */
  | { kind: 'shutdown' }
  /** Another owner holds the task now: this run writes nothing more. */
  | { kind: 'superseded' };

type SettledOutcome = Exclude<RunOutcome, { kind: 'shutdown' | 'superseded' }>;

/** What a run's error means: the abort reason and the error's class decide, never its text. */
export function outcomeOf(error: unknown, signal: AbortSignal): RunOutcome {
  if (error instanceof RunSuperseded) return { kind: 'superseded' };
  if (signal.aborted && signal.reason instanceof ServerShutdown) return { kind: 'shutdown' };
  if (signal.aborted)
    return { kind: 'cancelled', error: { code: 'cancelled', message: 'cancelled by request' } };
  if (error instanceof TaskNeedsInput)
    return {
      kind: 'needs_input',
      error: { code: 'needs_input', message: error.message },
      approval: error.approval,
    };
  if (error instanceof TaskFailure || error instanceof HarnessError)
    return {
      kind: 'failed',
      error: { code: error.code, message: error.message },
      unexpected: !(error instanceof TaskFailure),
    };
  return {
    kind: 'failed',
    error: { code: ErrorCodes.internal, message: describeError(error) },
    unexpected: true,
  };
}

/**
 * The task runner the scheduler calls: runs a task through its stages, then settles it — done,
 * failed (never "done" without its delivery), cancelled or waiting for input — with a grade,
 * and removes its worktree. A run stopped by shutdown is left as it was, for the next start; a run
 * whose task passed to another owner stops without another write.
 */
export class TaskPipeline implements TaskRunner {
  private readonly remotes: RemoteFacts;

  constructor(private readonly deps: PipelineDeps) {
    this.remotes = new RemoteFacts(deps.git);
  }

  /**
   * A task cancelled without a run (waiting for input, or queued again with a worktree): its
   * worktree goes, its work stays (task-cleanup.ts). `task.state` is where it stopped.
   */
  async release(task: Task): Promise<TaskPatch> {
    return releaseWorktree(this.deps, task, 'cancelled', await this.keepFailedBranches(task));
  }

  private async keepFailedBranches(task: Task): Promise<boolean> {
    const settings = await this.deps.projects.settings(task.project).catch(() => null);
    return settings?.git.keep_failed_branches ?? true;
  }

  async run(task: Task, { signal, lease }: RunContext): Promise<void> {
    const run = new TaskRun(this.deps, task, signal, lease, this.remotes);
    const outcome = await run.execute().then(
      (): RunOutcome => ({ kind: 'done' }),
      (error: unknown) => {
        const outcome = outcomeOf(error, signal);
        if (outcome.kind === 'failed' && outcome.unexpected)
          this.deps.logger.error({ err: error, task_id: task.id }, 'task failed unexpectedly');
        return outcome;
      },
    );
    if (outcome.kind === 'shutdown') return;
    try {
      if (outcome.kind !== 'superseded') return await this.settle(run, outcome);
    } catch (error) {
      if (!(error instanceof RunSuperseded)) throw error;
    }
    this.deps.worktrees.disown(task.id);
    this.deps.logger.warn({ task_id: task.id }, 'the task passed to another owner; this run stopped');
  }

  private async settle(run: TaskRun, outcome: SettledOutcome): Promise<void> {
    const { clock } = this.deps;
    const state: TaskState = outcome.kind;
    const error = outcome.kind === 'done' ? null : outcome.error;
    const now = clock.now();
    const finished = state !== 'needs_input';
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
    // A task waiting for input keeps its worktree; a finished one gives it back, its work kept
    // (task-cleanup.ts).
    let released: TaskPatch = {};
    if (state !== 'needs_input' && run.task.worktree) {
      // Still ours? A run whose task passed to another owner must not take its worktree away.
      await run.save({});
      released = await releaseWorktree(this.deps, run.task, state, await this.keepFailedBranches(run.task));
    }
    await run.finish(
      state,
      {
        ...released,
        error,
        ...(grade ? { score: grade.score, grade: grade.grade } : {}),
        ...(finished ? { finished_at: now.toISOString() } : {}),
        ...(outcome.kind === 'needs_input' ? { pending_approval: outcome.approval } : {}),
      },
      {
        kind: 'task.finished',
        decision: state === 'done' ? 'complete' : state === 'needs_input' ? 'gate' : 'block',
        reason: error?.message ?? null,
        data: {
          state,
          error,
          score: grade?.score ?? null,
          grade: grade?.grade ?? null,
          cost_usd: run.task.cost_usd,
          pr_url: run.task.pr_url,
          delivery: run.task.delivery,
          branch: released.branch === undefined ? run.task.branch : released.branch,
          commit_sha: run.task.commit_sha,
          ...(outcome.kind === 'needs_input' ? { pending_approval: outcome.approval } : {}),
        },
      },
    );
  }
}
