import { existsSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  assertRefName,
  describeError,
  ErrorCodes,
  HarnessError,
  isWithin,
  type Git,
  type Logger,
} from '../core/index.js';
import {
  isCheckout,
  projectKey,
  realDirectory,
  subdirectories,
  readProjectMarker,
  readWorktreeMeta,
  removeWorktreeMeta,
  taskDirName,
  writeProjectMarker,
  writeWorktreeMeta,
  type WorktreeMeta,
} from './worktree-layout.js';
import { isGitLockContention, KeyedMutex, withLockRetries } from './worktree-lock.js';

export interface WorktreeManagerOptions {
  git: Git;
  /** Usually `<data_dir>/worktrees`; each project gets a folder below it. */
  root: string;
  logger: Logger;
}

export interface CreateWorktreeRequest {
  projectRoot: string;
  taskId: string;
  remote: string;
  baseBranch: string;
  branchPrefix: string;
  /**
   * The task ran before, perhaps on another host of a fleet: when its branch is not in this
   * checkout, continue the one it pushed to the remote (if it pushed one) instead of the base.
   */
  resumeFromRemote?: boolean;
}

export interface TaskWorktree {
  path: string;
  branch: string;
  /** The commit the branch started from: what the task's diff and PR are measured against. */
  baseCommit: string;
  /** True when an intact worktree (or branch) from an earlier attempt of this task was picked up. */
  resumed: boolean;
}

export interface RemoveWorktreeOptions {
  /**
   * What becomes of the task's local branch in the project checkout. `delete`: it goes (a task
   * that ended `done` has pushed it; the remote keeps it). `keep-if-committed` (the default): it
   * stays when it holds commits beyond the commit it started from, so the work of a failed or
   * cancelled task is not lost, and goes when it holds none.
   */
  branch?: 'delete' | 'keep-if-committed';
  /**
   * For the sweeps: left alone while this process works on its task. Checked under the
   * repository's lock, so a task claimed after the sweep began keeps the worktree it is making.
   */
  onlyIfOrphaned?: boolean;
}

export interface RemoveWorktreeResult {
  removed: boolean;
  branchDeleted: boolean;
}

export interface ReclaimReport {
  removed: { taskId: string; path: string }[];
  /** Repositories whose stale worktree metadata was pruned. */
  pruned: string[];
  failed: { path: string; error: string }[];
}

/**
 * Gives every task its own git worktree on its own branch, and takes it away again. All
 * mutations of one repository are serialised; everything is idempotent, so a task that crashed
 * and resumes gets back what it had, and a start-up sweep can reclaim what nobody owns.
 */
/** How long a fetch of a base branch stays fresh for the next task on the same project. */
const fetchReuseMs = 2_000;
/**
 * How often git's housekeeping is asked for, per repository, as task worktrees go. Task commits
 * skip git's own check (one process per commit); a few loose objects a task do not need more.
 */
const maintenanceEveryMs = 5 * 60_000;

export class WorktreeManager {
  private readonly git: Git;
  private readonly logger: Logger;
  private readonly configuredRoot: string;
  private rootPromise: Promise<string> | null = null;
  private readonly locks = new KeyedMutex();
  private readonly fetches = new Map<string, { promise: Promise<void>; finishedAt: number | null }>();
  /** Each project directory's repository (its main worktree), as `repository()` found it. */
  private readonly repositories = new Map<string, Promise<string>>();
  /** Task ids with a worktree created (or being created) by this process: never reclaimed. */
  private readonly active = new Set<string>();
  /** When each repository's housekeeping was last asked for. */
  private readonly maintainedAt = new Map<string, number>();

  constructor(options: WorktreeManagerOptions) {
    this.git = options.git;
    this.logger = options.logger.child({ component: 'worktrees' });
    this.configuredRoot = path.resolve(options.root);
  }

  /** The worktree root, created on first use; real path, because git reports real paths. */
  root(): Promise<string> {
    this.rootPromise ??= (async () => {
      await mkdir(this.configuredRoot, { recursive: true });
      return realpath(this.configuredRoot);
    })();
    return this.rootPromise;
  }

  async pathFor(projectRoot: string, taskId: string): Promise<string> {
    return this.taskPath(await this.repository(projectRoot), taskId);
  }

  private async taskPath(repo: string, taskId: string): Promise<string> {
    return path.join(await this.root(), projectKey(repo), taskDirName(taskId));
  }

  /**
   * The repository's main worktree (or bare directory): the same for a project given as a
   * subdirectory or a linked worktree, so they share one lock and one folder under the root.
   */
  private async repository(projectRoot: string): Promise<string> {
    const real = await realDirectory(projectRoot);
    // A repository's main worktree stays where it is: asked once per directory, not once per task
    // (and once for a burst of tasks starting together).
    let known = this.repositories.get(real);
    if (known === undefined) {
      known = this.git.worktreeList(real).then(
        (listed) => listed[0]?.path ?? real,
        (error: unknown) => {
          this.repositories.delete(real);
          throw new HarnessError(
            ErrorCodes.invalidParams,
            `${projectRoot} is not a git repository (git worktree list: ${describeError(error)})`,
            { cause: error },
          );
        },
      );
      this.repositories.set(real, known);
    }
    return known;
  }

  async create(request: CreateWorktreeRequest): Promise<TaskWorktree> {
    assertRefName(request.remote, 'remote name');
    assertRefName(request.baseBranch, 'branch name');
    const branch = `${request.branchPrefix}${request.taskId}`;
    assertRefName(branch, 'branch name');
    const repo = await this.repository(request.projectRoot);
    const worktreePath = await this.taskPath(repo, request.taskId);
    this.active.add(request.taskId);
    try {
      return await this.locks.runExclusive(repo, () =>
        withLockRetries(() => this.createLocked(repo, worktreePath, branch, request)),
      );
    } catch (error) {
      this.active.delete(request.taskId);
      throw error;
    }
  }

  private async createLocked(
    repo: string,
    worktreePath: string,
    branch: string,
    request: CreateWorktreeRequest,
  ): Promise<TaskWorktree> {
    const log = this.logger.child({ task_id: request.taskId, repo, branch });
    await writeProjectMarker(path.dirname(worktreePath), { repo });
    const start = await this.startPoint(repo, request, log);
    const fresh = await this.createFresh(repo, worktreePath, branch, start, request);
    if (fresh !== null) {
      log.info({ path: worktreePath, start, base_commit: fresh.baseCommit }, 'worktree created');
      return fresh;
    }
    const existing = await this.existingFor(repo, worktreePath, branch, request);
    if (existing !== null) {
      log.info({ path: worktreePath }, 'reusing the intact worktree of an earlier attempt');
      return existing;
    }
    // One read for both: whether the branch exists, and the commit the start point names now.
    const refs = await this.git.readRefs(repo, [`refs/heads/${branch}`, start]);
    const branchExists = refs.has(`refs/heads/${branch}`);
    const startCommit = refs.get(start);
    const pushed =
      branchExists || request.resumeFromRemote !== true
        ? null
        : await this.pushedTaskBranch(repo, branch, request.remote);
    const resumed = branchExists || pushed !== null;
    if (startCommit === undefined)
      throw new HarnessError(ErrorCodes.internal, `cannot resolve ${start} in ${repo}`);
    // A branch left by an earlier attempt holds that attempt's commits: continue it, do not reset it;
    // one pushed from another host continues from the remote. A new one starts from the commit read
    // above, so the recorded base is what was checked out.
    await this.git.worktreeAdd(repo, worktreePath, branch, branchExists ? null : (pushed ?? startCommit));
    const baseCommit = resumed
      ? ((await this.git.mergeBase(repo, branch, startCommit)) ?? startCommit)
      : startCommit;
    await writeWorktreeMeta(worktreePath, meta(request, branch, baseCommit));
    log.info(
      { path: worktreePath, start, base_commit: baseCommit, resumed, from_remote: pushed !== null },
      'worktree created',
    );
    return { path: worktreePath, branch, baseCommit, resumed };
  }

  /**
   * The usual case, a task's first run: nothing at its path, no record of it, no branch of its
   * name, nothing to resume from a remote. One `git worktree add -b` makes it, without asking git
   * first what it has; null when git objects (the branch exists, a stale registration), for the
   * careful way to find out why.
   */
  private async createFresh(
    repo: string,
    worktreePath: string,
    branch: string,
    start: string,
    request: CreateWorktreeRequest,
  ): Promise<TaskWorktree | null> {
    if (request.resumeFromRemote === true || existsSync(worktreePath)) return null;
    if ((await readWorktreeMeta(worktreePath)) !== null) return null;
    let baseCommit: string;
    try {
      baseCommit = await this.git.worktreeAdd(repo, worktreePath, branch, start, { newBranch: true });
    } catch (error) {
      if (isGitLockContention(error)) throw error;
      return null;
    }
    await writeWorktreeMeta(worktreePath, meta(request, branch, baseCommit));
    return { path: worktreePath, branch, baseCommit, resumed: false };
  }

  /**
   * The worktree this task already has, when it is intact; throws `conflict` when the path or the
   * branch belongs to something else; clears away a half-made one so it can be made again.
   */
  private async existingFor(
    repo: string,
    worktreePath: string,
    branch: string,
    request: CreateWorktreeRequest,
  ): Promise<TaskWorktree | null> {
    const taskId = request.taskId;
    const listed = await this.git.worktreeList(repo);
    const recorded = await readWorktreeMeta(worktreePath);
    if (recorded !== null && recorded.task_id !== taskId) {
      throw conflict(`worktree ${worktreePath} belongs to task ${recorded.task_id}`, worktreePath, branch);
    }
    const elsewhere = listed.find((w) => w.branch === branch && w.path !== worktreePath);
    if (elsewhere !== undefined) {
      throw conflict(`branch ${branch} is already checked out at ${elsewhere.path}`, worktreePath, branch);
    }
    const here = listed.find((w) => w.path === worktreePath);
    if (here !== undefined && here.branch !== branch && !here.prunable) {
      throw conflict(
        `worktree ${worktreePath} has branch ${here.branch ?? '(detached)'}`,
        worktreePath,
        branch,
      );
    }
    if (here !== undefined && !here.prunable && (await isCheckout(worktreePath))) {
      const baseCommit = recorded?.base_commit ?? (await this.recoverBase(repo, branch, request));
      if (recorded === null) await writeWorktreeMeta(worktreePath, meta(request, branch, baseCommit));
      return { path: worktreePath, branch, baseCommit, resumed: true };
    }
    // Registered but gone, or a directory git does not know: neither can be used as it is.
    if (here !== undefined) await this.git.worktreePrune(repo);
    if (existsSync(worktreePath)) {
      this.logger.warn({ path: worktreePath, task_id: taskId }, 'clearing a broken worktree directory');
      await rm(worktreePath, { recursive: true, force: true });
      await this.git.worktreePrune(repo);
    }
    return null;
  }

  /**
   * The task branch as an earlier run (on another host, whose checkout this one does not share)
   * pushed it: its remote-tracking ref, freshly fetched; null when it was never pushed (or the
   * project has no such remote). Any other fetch failure is an error: starting over from the base
   * would redo pushed work and then fail to push over it.
   */
  private async pushedTaskBranch(repo: string, branch: string, remote: string): Promise<string | null> {
    if ((await this.git.remoteUrl(repo, remote)) === null) return null;
    const tracking = `refs/remotes/${remote}/${branch}`;
    try {
      await this.git.fetch(repo, remote, branch);
      return tracking;
    } catch (error) {
      if (!/couldn't find remote ref/i.test(describeError(error)))
        throw new HarnessError(
          ErrorCodes.unavailable,
          `cannot fetch task branch ${branch} from ${remote} to resume the task: ${describeError(error)}`,
          { cause: error },
        );
    }
    // A tracking ref left from before would list a branch the remote no longer has.
    await this.git.deleteRefs(repo, [tracking]);
    return null;
  }

  /** A crash between `worktree add` and writing the metadata loses the base; work it out again. */
  private async recoverBase(repo: string, branch: string, request: CreateWorktreeRequest): Promise<string> {
    for (const base of [
      `refs/remotes/${request.remote}/${request.baseBranch}`,
      `refs/heads/${request.baseBranch}`,
    ]) {
      if (!(await this.git.refExists(repo, base))) continue;
      const found = await this.git.mergeBase(repo, branch, base);
      if (found !== null) return found;
    }
    return this.git.currentCommit(repo);
  }

  /**
   * A burst of tasks on one project needs one fetch, not one each: concurrent callers share the
   * fetch in flight, and a fetch that finished within `fetchReuseMs` counts as fresh.
   */
  private fetchCoalesced(repo: string, remote: string, branch: string): Promise<void> {
    const key = `${repo}\0${remote}\0${branch}`;
    const recent = this.fetches.get(key);
    if (recent && (recent.finishedAt === null || performance.now() - recent.finishedAt < fetchReuseMs))
      return recent.promise;
    const entry: { promise: Promise<void>; finishedAt: number | null } = {
      promise: Promise.resolve(),
      finishedAt: null,
    };
    entry.promise = this.git.fetch(repo, remote, branch).then(
      () => {
        entry.finishedAt = performance.now();
      },
      (error: unknown) => {
        this.fetches.delete(key);
        throw error;
      },
    );
    this.fetches.set(key, entry);
    return entry.promise;
  }

  /** `remote/base_branch` freshly fetched; the local base branch when the remote has none. */
  private async startPoint(repo: string, request: CreateWorktreeRequest, log: Logger): Promise<string> {
    const remoteRef = `refs/remotes/${request.remote}/${request.baseBranch}`;
    try {
      await this.fetchCoalesced(repo, request.remote, request.baseBranch);
      return remoteRef;
    } catch (error) {
      if (error instanceof HarnessError && error.code === ErrorCodes.invalidParams) throw error;
      log.warn({ err: describeError(error) }, `could not fetch ${request.remote}/${request.baseBranch}`);
    }
    const localRef = `refs/heads/${request.baseBranch}`;
    if (await this.git.refExists(repo, localRef)) {
      log.warn(
        { base_branch: request.baseBranch },
        'starting from the local base branch instead of the remote one',
      );
      return localRef;
    }
    if (await this.git.refExists(repo, remoteRef)) {
      log.warn({ ref: remoteRef }, 'starting from the last fetched remote base branch');
      return remoteRef;
    }
    throw new HarnessError(
      ErrorCodes.notFound,
      `base branch ${request.baseBranch} exists neither on ${request.remote} nor locally in ${repo}`,
      { data: { remote: request.remote, base_branch: request.baseBranch } },
    );
  }

  /**
   * Removes a task's worktree (forcefully: the task is over) and prunes git's record of it; its
   * branch goes or stays as `options.branch` says. Removing twice is fine.
   */
  async remove(worktreePath: string, options: RemoveWorktreeOptions = {}): Promise<RemoveWorktreeResult> {
    const root = await this.root();
    const target = path.resolve(worktreePath);
    const projectDir = path.dirname(target);
    if (path.dirname(projectDir) !== root || !isWithin(root, target)) {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `${worktreePath} is not a task worktree under ${root}`,
      );
    }
    const recorded = await readWorktreeMeta(target);
    const marker = await readProjectMarker(projectDir);
    const repo = marker?.repo;
    const inUse = () => options.onlyIfOrphaned === true && this.isActive(target);
    if (repo === undefined || !existsSync(repo)) {
      if (inUse()) return { removed: false, branchDeleted: false };
      // Without its repository a worktree is only a copy of files.
      const existed = existsSync(target);
      await rm(target, { recursive: true, force: true });
      await removeWorktreeMeta(target);
      return { removed: existed, branchDeleted: false };
    }
    const result = await this.locks.runExclusive(repo, async () =>
      inUse() ? null : withLockRetries(() => this.removeLocked(repo, target, recorded, options)),
    );
    if (result === null) return { removed: false, branchDeleted: false };
    if (recorded !== null) this.active.delete(recorded.task_id);
    await this.maintainNowAndThen(repo);
    return result;
  }

  /**
   * This process no longer works on the task (its run found it taken over): the worktree it left
   * is the sweep's once the task has ended wherever it went on.
   */
  disown(taskId: string): void {
    this.active.delete(taskId);
  }

  /** Whether this process works on the task whose worktree `target` is (or is being made). */
  private isActive(target: string): boolean {
    const dir = path.basename(target);
    return [...this.active].some((taskId) => taskDirName(taskId) === dir);
  }

  /** Git's automatic housekeeping, at most every `maintenanceEveryMs`; a failure is only logged. */
  private async maintainNowAndThen(repo: string): Promise<void> {
    const last = this.maintainedAt.get(repo);
    if (last !== undefined && Date.now() - last < maintenanceEveryMs) return;
    this.maintainedAt.set(repo, Date.now());
    await this.git.maintain(repo).catch((error: unknown) => {
      this.logger.warn({ repo, err: describeError(error) }, 'git maintenance run --auto failed');
    });
  }

  private async removeLocked(
    repo: string,
    target: string,
    recorded: WorktreeMeta | null,
    options: RemoveWorktreeOptions,
  ): Promise<RemoveWorktreeResult> {
    const policy = options.branch ?? 'keep-if-committed';
    // A branch of ours that goes anyway goes while git removes the worktree: deleting refs and
    // removing a worktree touch different files, and a task waits for its cleanup.
    const refsGone = recorded !== null && policy === 'delete' ? this.deleteTaskRefs(repo, recorded) : null;
    refsGone?.catch(() => undefined); // awaited below; a throw on the way must not leave it unhandled
    // The usual case, an intact worktree of ours: `git worktree remove` takes the directory and
    // git's record of it at once. Anything else goes the careful way.
    const removedByGit =
      recorded !== null &&
      (await this.git.worktreeRemove(repo, target, { force: true }).then(
        () => true,
        () => false,
      ));
    const cleared = removedByGit ? null : await this.clearWorktree(repo, target);
    const existed = removedByGit || cleared?.existed === true;
    const branch = recorded?.branch ?? cleared?.branch ?? null;
    if (refsGone !== null) await refsGone;
    const branchDeleted =
      refsGone !== null || (branch !== null && (await this.settleBranch(repo, branch, recorded, policy)));
    await removeWorktreeMeta(target);
    this.logger.info({ path: target, repo, branch, branch_deleted: branchDeleted }, 'worktree removed');
    return { removed: existed, branchDeleted };
  }

  /** A worktree git may or may not know, intact or not: gone, directory and record alike. */
  private async clearWorktree(
    repo: string,
    target: string,
  ): Promise<{ existed: boolean; branch: string | null }> {
    const listed = await this.git.worktreeList(repo);
    const entry = listed.find((w) => w.path === target);
    const existed = entry !== undefined || existsSync(target);
    if (entry !== undefined && !entry.prunable) {
      try {
        await this.git.worktreeRemove(repo, target, { force: true });
      } catch (error) {
        this.logger.warn(
          { path: target, err: describeError(error) },
          'git worktree remove failed; deleting the directory',
        );
      }
    }
    await rm(target, { recursive: true, force: true });
    await this.git.worktreePrune(repo);
    return { existed, branch: entry?.branch ?? null };
  }

  /**
   * The task's branch, and the remote-tracking ref its push left (`git branch -a` lists no
   * finished task), in one `update-ref`: a ref already gone is no error.
   */
  private deleteTaskRefs(repo: string, recorded: WorktreeMeta): Promise<void> {
    const { branch, remote } = recorded;
    return this.git.deleteRefs(repo, [`refs/heads/${branch}`, `refs/remotes/${remote}/${branch}`]);
  }

  /** The branch of a worktree we hold no record of (policy `delete`), or one kept unless it is empty. */
  private async settleBranch(
    repo: string,
    branch: string,
    recorded: WorktreeMeta | null,
    policy: 'delete' | 'keep-if-committed',
  ): Promise<boolean> {
    if (policy === 'delete') return this.deleteBranch(repo, branch);
    // Without the recorded start we cannot tell the task's commits from the base's: keep it.
    if (recorded === null) return false;
    const local = `refs/heads/${branch}`;
    const head = (await this.git.readRefs(repo, [local])).get(local);
    return head === recorded.base_commit && this.deleteBranch(repo, branch);
  }

  /** True when the branch went, false when there was none. */
  private async deleteBranch(repo: string, branch: string): Promise<boolean> {
    try {
      await this.git.branchDelete(repo, branch, { force: true });
      return true;
    } catch (error) {
      if (/branch '.*' not found/.test(describeError(error))) return false;
      throw error;
    }
  }

  /**
   * The sweep, at start-up and now and then after: removes every worktree under the root whose
   * task is neither in `liveTaskIds` nor being worked on by this process (asked per worktree, at
   * the moment it would go), then prunes each repository's stale worktree records. Failures are
   * reported, not thrown: one broken repository must not stop the others' cleanup.
   */
  async reclaimOrphans(liveTaskIds: Iterable<string>): Promise<ReclaimReport> {
    const live = new Set([...liveTaskIds].map(taskDirName));
    const report: ReclaimReport = { removed: [], pruned: [], failed: [] };
    const root = await this.root();
    for (const projectDir of await subdirectories(root)) {
      for (const taskDir of await subdirectories(projectDir)) {
        if (live.has(path.basename(taskDir))) continue;
        try {
          const recorded = await readWorktreeMeta(taskDir);
          const { removed } = await this.remove(taskDir, { onlyIfOrphaned: true });
          if (removed)
            report.removed.push({ taskId: recorded?.task_id ?? path.basename(taskDir), path: taskDir });
        } catch (error) {
          report.failed.push({ path: taskDir, error: describeError(error) });
        }
      }
      await this.pruneProject(projectDir, report);
    }
    this.logger.info(
      { removed: report.removed.length, pruned: report.pruned.length, failed: report.failed.length },
      'orphan worktrees reclaimed',
    );
    return report;
  }

  private async pruneProject(projectDir: string, report: ReclaimReport): Promise<void> {
    const repo = (await readProjectMarker(projectDir))?.repo;
    if (repo === undefined || !existsSync(repo)) return;
    try {
      await this.locks.runExclusive(repo, () => withLockRetries(() => this.git.worktreePrune(repo)));
      report.pruned.push(repo);
    } catch (error) {
      report.failed.push({ path: repo, error: describeError(error) });
    }
  }
}

function meta(request: CreateWorktreeRequest, branch: string, baseCommit: string): WorktreeMeta {
  return {
    task_id: request.taskId,
    branch,
    base_commit: baseCommit,
    remote: request.remote,
    base_branch: request.baseBranch,
    created_at: new Date().toISOString(),
  };
}

function conflict(message: string, worktreePath: string, branch: string): HarnessError {
  return new HarnessError(ErrorCodes.conflict, message, { data: { path: worktreePath, branch } });
}
