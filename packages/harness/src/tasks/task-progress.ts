import type { Git } from '../core/index.js';
import type { TaskCheckpoint, TaskCheckpointStage } from '../store/index.js';

/**
 * What a task has already finished, from its durable checkpoints, judged against the worktree it
 * resumes in. A checkpoint counts only while the branch still holds its commit: work recorded as
 * committed at `sha` is done if `sha` is HEAD or an ancestor of it; validation and pushing are
 * done only for exactly the commit HEAD is at, since any later commit must be validated and
 * pushed again.
 */
export class TaskProgress {
  private constructor(
    private readonly checkpoints: TaskCheckpoint[],
    private readonly reachable: ReadonlySet<string>,
  ) {}

  static async load(checkpoints: TaskCheckpoint[], git: Git, worktree: string): Promise<TaskProgress> {
    const reachable = new Set<string>();
    for (const sha of new Set(checkpoints.map((c) => c.sha))) {
      if (sha !== null && (await isAncestorOfHead(git, worktree, sha))) reachable.add(sha);
    }
    return new TaskProgress([...checkpoints], reachable);
  }

  static empty(): TaskProgress {
    return new TaskProgress([], new Set());
  }

  /** The implementor's committed work, if it is still on the branch. */
  implemented(): TaskCheckpoint | undefined {
    return this.last('implemented', (c) => c.sha !== null && this.reachable.has(c.sha));
  }

  validatedAt(sha: string): boolean {
    return this.last('validated', (c) => c.sha === sha) !== undefined;
  }

  pushedAt(sha: string): boolean {
    return this.last('pushed', (c) => c.sha === sha) !== undefined;
  }

  /** The commit this task last pushed to its branch (any attempt, any host): what the remote should have. */
  lastPushed(): string | null {
    return this.last('pushed', (c) => c.sha !== null)?.sha ?? null;
  }

  /** The implementor's answer to review round `round`, if it is still on the branch. */
  fixedAfterReview(round: number): boolean {
    return (
      this.last('fixed', (c) => c.round === round && c.sha !== null && this.reachable.has(c.sha)) !==
      undefined
    );
  }

  /** Records a checkpoint that was just stored, so the rest of this run sees it too. */
  add(checkpoint: TaskCheckpoint): void {
    this.checkpoints.push(checkpoint);
    // Recorded by this run at the current HEAD, so it is on the branch.
    if (checkpoint.sha !== null) (this.reachable as Set<string>).add(checkpoint.sha);
  }

  private last(
    stage: TaskCheckpointStage,
    matches: (c: TaskCheckpoint) => boolean,
  ): TaskCheckpoint | undefined {
    return this.checkpoints.findLast((c) => c.stage === stage && matches(c));
  }
}

async function isAncestorOfHead(git: Git, worktree: string, sha: string): Promise<boolean> {
  try {
    return (await git.mergeBase(worktree, sha, 'HEAD')) === sha;
  } catch {
    return false; // the commit is not in this repository any more
  }
}
