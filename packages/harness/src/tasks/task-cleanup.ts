import type { Task, TaskState } from '@harness/protocol';
import { describeError } from '../core/index.js';
import type { TaskPatch } from '../store/index.js';
import type { PipelineDeps } from './pipeline-deps.js';

/** The states a run's worktree is given back in. */
export type FinishedState = Extract<TaskState, 'done' | 'failed' | 'cancelled'>;

/**
 * Gives back the worktree of a task that finished, without losing its work: a failed or cancelled
 * task's uncommitted changes are first committed to its branch (a commit saying whose unfinished
 * work it is and at which stage it stopped), and its branch stays in the project checkout unless
 * `[git] keep_failed_branches = false`. A done task's pushed branch goes (the remote keeps it); one
 * delivered by `none` keeps it, as that is the delivery. Returns what the task's row must now say:
 * no worktree (it is gone), and no branch when the branch went because it held no work.
 * A removal that fails leaves the row as it is (the start-up sweep reclaims the worktree).
 */
export async function releaseWorktree(
  deps: PipelineDeps,
  task: Task,
  state: FinishedState,
  keepFailedBranches: boolean,
): Promise<TaskPatch> {
  const worktree = task.worktree;
  if (worktree === null) return {};
  const failed = state !== 'done';
  const rescued =
    failed && keepFailedBranches ? await rescueUnfinishedWork(deps, task, state, worktree) : null;
  const policy = failed
    ? keepFailedBranches
      ? 'keep-if-committed'
      : 'delete'
    : task.delivery === 'none'
      ? 'keep-if-committed'
      : 'delete';
  let branchDeleted: boolean;
  try {
    ({ branchDeleted } = await deps.worktrees.remove(worktree, { branch: policy }));
  } catch (error) {
    deps.logger.warn(
      { err: describeError(error), task_id: task.id },
      'removing the worktree failed; it will be reclaimed at start-up',
    );
    return {};
  }
  if (!failed || task.branch === null) return { worktree: null };
  if (!branchDeleted) {
    deps.logger.info(
      { task_id: task.id, branch: task.branch, unfinished_work_commit: rescued },
      `the ${state} task's branch ${task.branch} was kept in the project checkout`,
    );
    await deps.events.append({
      kind: 'task.branch_kept',
      task_id: task.id,
      reason: `the work of this ${state} task stays on branch ${task.branch} in the project checkout`,
      data: { branch: task.branch, unfinished_work_commit: rescued },
    });
    return { worktree: null };
  }
  if (policy === 'keep-if-committed') {
    // It held nothing beyond where it started: there is no branch, and nothing to look at.
    return { worktree: null, branch: null };
  }
  await deps.events.append({
    kind: 'task.branch_deleted',
    task_id: task.id,
    decision: 'warn',
    reason: `branch ${task.branch} was deleted with the worktree ([git] keep_failed_branches = false)`,
    data: { branch: task.branch },
  });
  return { worktree: null };
}

/**
 * Commits what the agent left uncommitted in a failed or cancelled task's worktree, so it outlives
 * the worktree. Returns the commit, or null when there was nothing to commit (or committing failed,
 * which is logged: the cleanup goes on, as it would have without this).
 */
async function rescueUnfinishedWork(
  deps: PipelineDeps,
  task: Task,
  ending: FinishedState,
  worktree: string,
): Promise<string | null> {
  const { git } = deps;
  try {
    if (!(await git.hasChanges(worktree))) return null;
    await git.addAll(worktree);
    // The task is still in the stage it stopped at: its final state is stored after this.
    const message =
      `Unfinished work of task ${task.id}, ${ending} at ${task.state}\n\n` +
      `Harness committed what the agent left uncommitted when the task ended, so it is not lost.`;
    const result = await git.commit(worktree, message, deps.author);
    return result.committed ? result.commit : null;
  } catch (error) {
    deps.logger.warn(
      { err: describeError(error), task_id: task.id },
      'committing the unfinished work of the task failed; it goes with the worktree',
    );
    return null;
  }
}
