import type { Git } from '../core/index.js';
import type { RepoRef } from '../github/index.js';
import { repoOf } from './task-sources.js';

/**
 * How long an answer about a project's remote serves the next task: the window in which the
 * base branch's fetch is shared too (worktrees.ts), so a burst of tasks asks git once.
 */
const freshMs = 2_000;

/**
 * What each run asks about its project's remote before it has a worktree — the GitHub repository
 * its URL names, and the remote's HEAD branch (an `ls-remote` when the checkout has no
 * `refs/remotes/<remote>/HEAD`) — shared by the runs that start within `freshMs` of each other.
 * A failed lookup is not kept.
 */
export class RemoteFacts {
  private readonly answers = new Map<string, { promise: Promise<unknown>; askedAt: number }>();

  constructor(private readonly git: Git) {}

  repo(root: string, remote: string): Promise<RepoRef | null> {
    return this.shared(`repo\0${root}\0${remote}`, () => repoOf(this.git, root, remote));
  }

  defaultBranch(root: string, remote: string): Promise<string | null> {
    return this.shared(`head\0${root}\0${remote}`, () => this.git.defaultBranch(root, remote));
  }

  private shared<T>(key: string, ask: () => Promise<T>): Promise<T> {
    const now = performance.now();
    const known = this.answers.get(key);
    if (known !== undefined && now - known.askedAt < freshMs) return known.promise as Promise<T>;
    const entry = { promise: ask(), askedAt: now };
    this.answers.set(key, entry);
    entry.promise.catch(() => {
      if (this.answers.get(key) === entry) this.answers.delete(key);
    });
    return entry.promise as Promise<T>;
  }
}
