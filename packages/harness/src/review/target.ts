import type { CrossReviewResult } from '@harness/protocol';
import { ErrorCodes, type Git, HarnessError } from '../core/index.js';
import type { Store } from '../store/index.js';

/** What `cross_review` reviews, resolved: where the reviewers read, and the diff they judge. */
export interface ResolvedTarget {
  readonly target: CrossReviewResult['target'];
  /** The task's worktree while it exists, else the project checkout. */
  readonly cwd: string;
  readonly diff: string;
  /** What the change is for, as the reviewers are told. */
  readonly context: string;
}

export interface TargetDeps {
  readonly git: Git;
  readonly store: Store;
}

const taskId = /^task_[0-9a-f-]{36}$/;

/**
 * The three spellings of a target (protocol/src/review.ts): a task id, `A..B`, or a branch or
 * commit, measured from the project's default branch (its last commit when it is on it already).
 * Anything that names nothing is refused with `invalid_params`, naming the target.
 */
export async function resolveTarget(
  deps: TargetDeps,
  project: { name: string; root: string; remote: string },
  spec: string,
): Promise<ResolvedTarget> {
  if (taskId.test(spec)) return taskTarget(deps, project, spec);
  const range = /^([^.\s][^\s]*?)\.\.\.?([^.\s][^\s]*)$/.exec(spec);
  if (range) {
    const [, from = '', to = ''] = range;
    const base = await commitOf(deps.git, project.root, from, spec);
    const head = await commitOf(deps.git, project.root, to, spec);
    return diffTarget(deps.git, project.root, { kind: 'range', spec, base, head }, `The commits ${spec}.`);
  }
  const head = await commitOf(deps.git, project.root, spec, spec);
  const main = await deps.git.defaultBranch(project.root, project.remote);
  const mergeBase = main === null ? null : await deps.git.mergeBase(project.root, main, head);
  let base = mergeBase;
  if (base === null || base === head) {
    base = await deps.git.revParse(project.root, `${head}^`);
    if (base === null)
      throw invalid(`target: ${spec} is a root commit with nothing before it to compare with`);
  }
  const what = main === null ? `The last commit of ${spec}.` : `The commits of ${spec} not on ${main}.`;
  return diffTarget(deps.git, project.root, { kind: 'ref', spec, base, head }, what);
}

async function taskTarget(
  deps: TargetDeps,
  project: { name: string; root: string },
  id: string,
): Promise<ResolvedTarget> {
  const task = await deps.store.tasks.get(id);
  if (task === null) throw new HarnessError(ErrorCodes.notFound, `target: task not found: ${id}`);
  if (task.project !== project.name)
    throw invalid(`target: task ${id} belongs to project ${task.project}, not ${project.name}`);
  if (task.base_commit === null || task.branch === null)
    throw invalid(
      `target: task ${id} has no branch yet (state ${task.state}); review it once it has implemented`,
    );
  const cwd = task.worktree ?? project.root;
  const head = await commitOf(deps.git, cwd, task.branch, id);
  const brief = [task.prompt, task.description].filter((t): t is string => t !== null).join('\n\n');
  return diffTarget(
    deps.git,
    cwd,
    { kind: 'task', spec: id, base: task.base_commit, head },
    `Task ${id} on branch ${task.branch}${brief ? `:\n${brief}` : ''}`,
  );
}

async function diffTarget(
  git: Git,
  cwd: string,
  target: { kind: 'task' | 'range' | 'ref'; spec: string; base: string; head: string },
  context: string,
): Promise<ResolvedTarget> {
  const diff = await git.diff(cwd, target.base, target.head);
  return { target: { ...target, truncated: diff.truncated }, cwd, diff: diff.text, context };
}

async function commitOf(git: Git, cwd: string, rev: string, spec: string): Promise<string> {
  let commit: string | null = null;
  try {
    commit = await git.revParse(cwd, rev);
  } catch {
    // A name git refuses (an option, a bad ref) names no commit either.
  }
  if (commit === null)
    throw invalid(
      `target: ${JSON.stringify(rev)}${rev === spec ? '' : ` (in ${JSON.stringify(spec)})`} names no commit; ` +
        'expected a task id, a range "A..B", or a branch or commit',
    );
  return commit;
}

function invalid(message: string): HarnessError {
  return new HarnessError(ErrorCodes.invalidParams, message, { data: { path: ['target'] } });
}
