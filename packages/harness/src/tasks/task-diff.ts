import { MAX_TASK_DIFF_BYTES, type Task, type TaskDiff } from '@harness/protocol';
import { type Changes, ErrorCodes, type Git, HarnessError } from '../core/index.js';
import type { ResolvedProjectSettings } from '../core/index.js';
import { isCheckout, readWorktreeMeta } from './worktree-layout.js';

/**
 * What a task changed against the commit its branch started from. While its worktree exists the
 * diff is read there, uncommitted and untracked files included; after, from its branch in the
 * project checkout, the remote-tracking copy of its pushed branch, or its delivered commit. A task
 * that never got a branch, or whose branch held nothing, changed nothing: an empty diff. A task
 * whose work is in none of those places fails with `branch_gone`, saying where it looked.
 */
export async function taskDiff(
  git: Git,
  task: Task,
  settings: ResolvedProjectSettings,
  maxBytes = MAX_TASK_DIFF_BYTES,
): Promise<TaskDiff> {
  const answer = (source: TaskDiff['source'], base: string | null, changes: Changes | null): TaskDiff => ({
    task_id: task.id,
    base,
    branch: task.branch,
    commit_sha: task.commit_sha,
    source,
    files: (changes?.files ?? []).map((f) => ({
      path: f.path,
      status: f.status,
      additions: f.insertions,
      deletions: f.deletions,
      binary: f.binary,
    })),
    diff: changes?.text ?? '',
    truncated: changes?.truncated ?? false,
  });

  if (task.worktree !== null && (await isCheckout(task.worktree))) {
    const base = task.base_commit ?? (await readWorktreeMeta(task.worktree))?.base_commit ?? null;
    if (base !== null)
      return answer('worktree', base, await git.changes(task.worktree, base, null, maxBytes));
  }
  if (task.branch === null) return answer('none', task.base_commit, null);
  const repo = settings.root;
  const head = await headOf(git, repo, task, settings.git.remote);
  const base = task.base_commit ?? (await baseOf(git, repo, head, settings));
  return answer('branch', base, await git.changes(repo, base, head, maxBytes));
}

/** The task's work: its local branch, else the pushed branch as last seen, else the delivered commit. */
async function headOf(git: Git, repo: string, task: Task, remote: string): Promise<string> {
  const branch = task.branch as string;
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/${remote}/${branch}`]) {
    if (await git.refExists(repo, ref)) return ref;
  }
  if (task.commit_sha !== null && (await git.revParse(repo, task.commit_sha)) !== null)
    return task.commit_sha;
  throw new HarnessError(
    ErrorCodes.branchGone,
    `the work of task ${task.id} is gone: branch ${branch} is neither in ${repo} nor in its ` +
      `remote-tracking refs (refs/remotes/${remote}/${branch})` +
      (task.commit_sha === null ? '' : `, and commit ${task.commit_sha} is not in the repository`) +
      (task.state === 'failed' || task.state === 'cancelled'
        ? '; a failed or cancelled task keeps its branch unless [git] keep_failed_branches = false'
        : ''),
    { data: { task_id: task.id, branch, repo, commit_sha: task.commit_sha } },
  );
}

/** A task recorded before its base was: where its work meets the base branch. */
async function baseOf(
  git: Git,
  repo: string,
  head: string,
  settings: ResolvedProjectSettings,
): Promise<string> {
  const remote = settings.git.remote;
  const branch = settings.git.base_branch ?? (await git.defaultBranch(repo, remote));
  for (const ref of branch === null ? [] : [`refs/remotes/${remote}/${branch}`, `refs/heads/${branch}`]) {
    if (!(await git.refExists(repo, ref))) continue;
    const found = await git.mergeBase(repo, head, ref);
    if (found !== null) return found;
  }
  throw new HarnessError(
    ErrorCodes.notFound,
    `cannot tell what ${head} started from: the task has no recorded base commit and shares no ` +
      `history with the base branch ${branch ?? '(unknown)'} in ${repo}`,
    { data: { head, repo } },
  );
}
