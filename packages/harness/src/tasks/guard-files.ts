import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HarnessError, ErrorCodes, type ProcessRunner } from '../core/index.js';
import { GUARDS_DIR } from '../guards/index.js';

/**
 * The files a task changed, and those files as they were before it: what the pipeline's guard scan
 * looks at (guard-check.ts). Git runs directly here because the port has no "as of the base, with
 * the worktree's uncommitted and untracked files" listing that keeps a rename's old path, and the
 * baseline needs that path to compare a moved file with itself.
 */

/** A file the task added or changed; `before` is its path at the base, null when the task created it. */
export interface TaskFile {
  readonly path: string;
  readonly before: string | null;
}

/** Git without what a hook or a parent git left in the environment (GIT_DIR would point elsewhere). */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  // Paths are data: no pathspec magic, no globbing.
  return { ...env, GIT_LITERAL_PATHSPECS: '1', GIT_TERMINAL_PROMPT: '0' };
}

async function git(runner: ProcessRunner, cwd: string, args: string[]): Promise<string> {
  const result = await runner.run('git', ['--no-pager', ...args], {
    cwd,
    env: gitEnv(),
    maxOutputBytes: 64 * 1_048_576,
  });
  if (result.exitCode !== 0)
    throw new HarnessError(
      ErrorCodes.internal,
      `git ${args[0] ?? ''} failed in ${cwd} (exit ${String(result.exitCode)}): ${result.stderr.trim().slice(-500)}`,
    );
  return result.stdout;
}

/** What a task changed against its base: the files to scan, and the files it deleted. */
export interface TaskChanges {
  readonly files: TaskFile[];
  readonly deleted: string[];
}

/**
 * Every file that differs from `base` in the worktree: committed, uncommitted and untracked
 * (ignored files are not the task's work). Deleted files are apart: there is nothing to scan.
 */
export async function changedFiles(
  runner: ProcessRunner,
  worktree: string,
  base: string,
  /** `untracked: false` when the caller knows there are none (all is committed): not listed. */
  { untracked: listUntracked = true }: { untracked?: boolean } = {},
): Promise<TaskChanges> {
  const [diff, untracked] = await Promise.all([
    git(runner, worktree, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', base, '--']),
    listUntracked ? git(runner, worktree, ['ls-files', '--others', '--exclude-standard', '-z']) : '',
  ]);
  const files = new Map<string, TaskFile>();
  const deleted: string[] = [];
  const fields = diff.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const letter = (fields[i] ?? '').charAt(0);
    if (letter === '') continue;
    if (letter === 'R' || letter === 'C') {
      const [from, to] = [fields[i + 1], fields[i + 2]];
      i += 2;
      // A copy leaves its source in place: the new file starts from the source's findings too.
      if (from !== undefined && to !== undefined) files.set(to, { path: to, before: from });
      if (letter === 'R' && from !== undefined) deleted.push(from);
      continue;
    }
    const file = fields[++i];
    if (file === undefined) continue;
    if (letter === 'D') deleted.push(file);
    else files.set(file, { path: file, before: letter === 'A' ? null : file });
  }
  for (const file of untracked.split('\0')) if (file !== '') files.set(file, { path: file, before: null });
  return { files: [...files.values()].sort((a, b) => a.path.localeCompare(b.path)), deleted: deleted.sort() };
}

/** A temporary tree to scan; `dispose` removes it. */
export interface BaselineTree {
  readonly root: string;
  dispose(): Promise<void>;
}

/**
 * The task's files as they were at `base`, each at its current path (a renamed file keeps its
 * findings comparable).
 * Only these files are written (one `git archive`), not the whole tree: the cost follows the size
 * of the change, not of the repository, and nothing is registered in git (no worktree to prune).
 * The price: a guard that reads other files of the tree sees only these.
 */
export async function baselineTree(
  runner: ProcessRunner,
  worktree: string,
  base: string,
  files: readonly TaskFile[],
): Promise<BaselineTree> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'harness-guard-base-'));
  const dispose = () => rm(scratch, { recursive: true, force: true });
  try {
    const root = path.join(scratch, 'tree');
    await mkdir(root);
    const existing = files.filter((f): f is TaskFile & { before: string } => f.before !== null);
    if (existing.length > 0) {
      const paths = [...new Set(existing.map((f) => f.before))];
      // In slices, so a change of thousands of files stays under the argument-length limit.
      for (let i = 0; i < paths.length; i += ARCHIVE_SLICE)
        await extract(runner, worktree, base, paths.slice(i, i + ARCHIVE_SLICE), scratch, root);
      await moveRenamed(root, existing);
    }
    return { root, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

const ARCHIVE_SLICE = 500;

/**
 * The guard scripts of the base commit, in a scratch directory: a task is judged by the scanners
 * the project had, never by ones its agent wrote. Guards run outside the agent's sandbox, so a
 * script from the worktree would also be a way out of it.
 */
export async function baseGuardScripts(
  runner: ProcessRunner,
  worktree: string,
  base: string,
): Promise<{ dir: string; dispose: () => Promise<void> }> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'harness-guards-'));
  const dispose = () => rm(scratch, { recursive: true, force: true });
  try {
    const root = path.join(scratch, 'tree');
    await mkdir(root);
    if (await hasGuardScripts(runner, worktree, base))
      await extract(runner, worktree, base, [GUARDS_DIR], scratch, root);
    return { dir: path.join(root, GUARDS_DIR), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * Commits known to hold no guard scripts. A commit never changes, so the answer is asked once per
 * base commit, not once per validation round (most projects have no guard scripts at all).
 */
const commitsWithoutGuards = new Set<string>();
const commitsRemembered = 1_000;

async function hasGuardScripts(runner: ProcessRunner, worktree: string, base: string): Promise<boolean> {
  // Only a full object name names one commit for good; a ref or a short name may move.
  const cacheable = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(base);
  if (cacheable && commitsWithoutGuards.has(base)) return false;
  const listed = await git(runner, worktree, ['ls-tree', '--name-only', base, '--', `${GUARDS_DIR}/`]);
  if (listed.trim() !== '') return true;
  if (cacheable) {
    if (commitsWithoutGuards.size >= commitsRemembered) commitsWithoutGuards.clear();
    commitsWithoutGuards.add(base);
  }
  return false;
}

async function extract(
  runner: ProcessRunner,
  worktree: string,
  base: string,
  paths: readonly string[],
  scratch: string,
  root: string,
): Promise<void> {
  const archive = path.join(scratch, 'base.tar');
  await git(runner, worktree, ['archive', '--format=tar', '-o', archive, base, '--', ...paths]);
  const untar = await runner.run('tar', ['-xf', archive, '-C', root], { cwd: scratch });
  if (untar.exitCode !== 0)
    throw new HarnessError(
      ErrorCodes.internal,
      `tar could not unpack the base files: ${untar.stderr.trim()}`,
    );
  await rm(archive, { force: true });
}

/** Renamed and copied files are copied to their new path (a source may feed more than one). */
async function moveRenamed(root: string, files: readonly (TaskFile & { before: string })[]): Promise<void> {
  for (const file of files) {
    if (file.before === file.path) continue;
    const to = path.join(root, file.path);
    await mkdir(path.dirname(to), { recursive: true });
    await cp(path.join(root, file.before), to);
  }
}
