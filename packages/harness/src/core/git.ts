import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HarnessError, ErrorCodes, type ErrorCode } from './errors.js';
import { type Changes, cutDiff, parseNameStatus } from './git-changes.js';
import { readFreshBranchRef } from './git-files.js';
import { describeRunOutcome, type ProcessRunner, type RunResult } from './process-runner.js';

/**
 * The git port: the handful of operations the task pipeline needs, always as argv (never a shell),
 * never interactive (no prompts, no editor, no pager), with every name checked before it reaches
 * the command line. Every method takes the repository or worktree directory it works in.
 */
export interface Git {
  /** Fetches `branch` from `remote` into `refs/remotes/<remote>/<branch>`. */
  fetch(repo: string, remote: string, branch: string): Promise<void>;
  /** The commit `rev` names, or null when it names none. */
  revParse(repo: string, rev: string): Promise<string | null>;
  currentCommit(cwd: string): Promise<string>;
  refExists(repo: string, ref: string): Promise<boolean>;
  /** The best common ancestor of two revisions, or null when they share no history. */
  mergeBase(repo: string, a: string, b: string): Promise<string | null>;
  /**
   * `git worktree add -B <branch> <path> <startPoint>` (`-b` with `newBranch`: refused when the
   * branch exists), or checks out an existing branch when startPoint is null. Returns the commit
   * checked out.
   */
  worktreeAdd(
    repo: string,
    path: string,
    branch: string,
    startPoint: string | null,
    options?: { newBranch?: boolean },
  ): Promise<string>;
  worktreeRemove(repo: string, path: string, options?: { force?: boolean }): Promise<void>;
  worktreeList(repo: string): Promise<WorktreeEntry[]>;
  worktreePrune(repo: string): Promise<void>;
  branchDelete(repo: string, branch: string, options?: { force?: boolean }): Promise<void>;
  /** Deletes full refs (`refs/remotes/origin/x`), all in one transaction; a missing one is fine. */
  deleteRefs(repo: string, refs: readonly string[]): Promise<void>;
  /**
   * The commits of several full refs in one call; a ref that does not exist is absent from the
   * map. Peeled: an annotated tag gives the commit it names.
   */
  readRefs(repo: string, refs: readonly string[]): Promise<Map<string, string>>;
  status(cwd: string): Promise<StatusEntry[]>;
  hasChanges(cwd: string): Promise<boolean>;
  addAll(cwd: string): Promise<void>;
  /** Puts the worktree back to HEAD: staged and unstaged changes and untracked files go (ignored files stay). */
  discardChanges(cwd: string): Promise<void>;
  /**
   * Commits what is staged; when nothing is, makes no commit and says so. Git's automatic
   * housekeeping does not run after it: see `maintain`.
   */
  commit(cwd: string, message: string, author: GitAuthor): Promise<CommitResult>;
  /** `git maintenance run --auto`: packs loose objects and refs once git's thresholds are passed. */
  maintain(repo: string): Promise<void>;
  /** Pushes HEAD to `refs/heads/<branch>`; pushing a commit that is already there is a no-op. */
  push(cwd: string, remote: string, branch: string, options?: PushOptions): Promise<PushResult>;
  diff(cwd: string, base: string, head: string): Promise<DiffText>;
  diffStat(cwd: string, base: string, head: string): Promise<DiffStat>;
  /**
   * What changed from `base` to `head`, or with `head` null to the worktree at `cwd` as it is —
   * uncommitted and untracked files included (read through a throwaway index, so the worktree's
   * own index is left alone). The unified diff is cut after `maxBytes`.
   */
  changes(cwd: string, base: string, head: string | null, maxBytes: number): Promise<Changes>;
  /** The remote's URL with any credentials removed, or null when there is no such remote. */
  remoteUrl(cwd: string, remote: string): Promise<string | null>;
  /**
   * The branch a task starts from when none is configured: the remote's HEAD branch (as last
   * fetched, else as the remote says), else the branch checked out in `repo`; null when none is.
   */
  defaultBranch(repo: string, remote: string): Promise<string | null>;
}

export interface WorktreeEntry {
  path: string;
  head: string | null;
  /** Short branch name (`feat/x`), or null when detached or bare. */
  branch: string | null;
  bare: boolean;
  detached: boolean;
  locked: boolean;
  prunable: boolean;
}

export interface StatusEntry {
  /** The two-letter porcelain code, e.g. ` M`, `??`, `D `. */
  code: string;
  path: string;
}

export type GitAuthor = { name: string; email: string };
/** `committed: false` when there was nothing to commit; `commit` is HEAD either way. */
export type CommitResult = { committed: boolean; commit: string };

export interface PushOptions {
  /** The commit HEAD is known to be at, when the caller has it: spares reading it again. */
  commit?: string;
  /**
   * Overwrite the remote branch, but only from `expected`, the commit the caller last pushed there
   * (null: the branch must not exist yet). Meant for Harness's own task branches (a resumed task
   * rewrites its branch); never for shared ones.
   */
  lease?: { expected: string | null };
}

export interface PushResult {
  commit: string;
  /** False when the remote already had this commit on the branch. */
  updated: boolean;
}

export type DiffText = { text: string; truncated: boolean };
export type DiffStatFile = { path: string; insertions: number; deletions: number; binary: boolean };
export type DiffStat = { files: DiffStatFile[]; insertions: number; deletions: number };

export interface GitOptions {
  runner: ProcessRunner;
  /** Base environment; Harness's non-interactive settings are laid over it. */
  env?: NodeJS.ProcessEnv;
  binary?: string;
  /** Per command; network commands get the same limit. */
  timeoutMs?: number;
  maxDiffBytes?: number;
}

/**
 * `git check-ref-format --allow-onelevel` semantics, plus no leading `-` (it would read as an
 * option). Returns the reason a name is refused, or null when it is fine.
 */
export function refNameProblem(name: string): string | null {
  if (name === '') return 'is empty';
  if (name.startsWith('-')) return 'starts with "-"';
  if (name === '@') return 'is "@"';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(name)) return 'contains a space, control character or one of ~^:?*[\\';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('@{')) return 'contains "@{"';
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return 'has an empty path component';
  if (name.endsWith('.')) return 'ends with "."';
  for (const part of name.split('/')) {
    if (part.startsWith('.')) return 'has a component starting with "."';
    if (part.endsWith('.lock')) return 'has a component ending with ".lock"';
  }
  return null;
}

/** Throws `invalid_params` unless `name` is a usable ref, branch or remote name. */
export function assertRefName(name: string, what = 'ref name'): void {
  const problem = refNameProblem(name);
  if (problem === null) return;
  const data = { [what.replace(/ /g, '_')]: name };
  throw new HarnessError(ErrorCodes.invalidParams, `invalid ${what} ${JSON.stringify(name)}: it ${problem}`, {
    data,
  });
}

/** Revisions may carry `~N`/`^N` suffixes (and `HEAD`), so only the ref part is checked strictly. */
function assertRevision(rev: string): void {
  if (/^[0-9a-f]{7,64}$/i.test(rev)) return;
  assertRefName(rev.replace(/(?:[~^]\d*)+$/, ''), 'revision');
}

/** Removes `user:password@` from URLs so credentials never reach logs or clients. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
}

const stderrTailChars = 2_000;

/** Parses `git worktree list --porcelain`. */
export function parseWorktreeList(text: string): WorktreeEntry[] {
  const entries: WorktreeEntry[] = [];
  for (const block of text.split(/\n\n+/)) {
    const lines = block.split('\n').filter((line) => line !== '');
    const first = lines[0];
    if (first === undefined || !first.startsWith('worktree ')) continue;
    const entry: WorktreeEntry = {
      path: first.slice('worktree '.length),
      head: null,
      branch: null,
      bare: false,
      detached: false,
      locked: false,
      prunable: false,
    };
    for (const line of lines.slice(1)) {
      const [key, ...rest] = line.split(' ');
      const value = rest.join(' ');
      if (key === 'HEAD') entry.head = value;
      else if (key === 'branch') entry.branch = value.replace(/^refs\/heads\//, '');
      else if (key === 'bare') entry.bare = true;
      else if (key === 'detached') entry.detached = true;
      else if (key === 'locked') entry.locked = true;
      else if (key === 'prunable') entry.prunable = true;
    }
    entries.push(entry);
  }
  return entries;
}

/** Parses `git status --porcelain=v1 -z` (renames carry their source as a second field). */
export function parseStatus(text: string): StatusEntry[] {
  const fields = text.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field.length < 4) continue;
    const code = field.slice(0, 2);
    entries.push({ code, path: field.slice(3) });
    if (code.includes('R') || code.includes('C')) i++;
  }
  return entries;
}

/** Parses `git diff --numstat -z`. */
export function parseNumstat(text: string): DiffStat {
  const fields = text.split('\0');
  const files: DiffStatFile[] = [];
  for (let i = 0; i < fields.length; i++) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(fields[i] as string);
    if (match === null) continue;
    let file = match[3] as string;
    // A rename has an empty path here, followed by the source and destination fields.
    if (file === '') {
      file = fields[i + 2] ?? '';
      i += 2;
    }
    const binary = match[1] === '-';
    files.push({
      path: file,
      insertions: binary ? 0 : Number(match[1]),
      deletions: binary ? 0 : Number(match[2]),
      binary,
    });
  }
  const sum = (key: 'insertions' | 'deletions'): number => files.reduce((total, f) => total + f[key], 0);
  return { files, insertions: sum('insertions'), deletions: sum('deletions') };
}

interface GitCall {
  cwd: string;
  args: string[];
  /** Exit codes that are answers rather than failures (e.g. 1 for `diff --quiet`). */
  okCodes?: number[];
  maxOutputBytes?: number;
  errorCode?: ErrorCode;
  /** Laid over the base environment for this call only. */
  env?: NodeJS.ProcessEnv;
  /** For `--stdin` commands. */
  input?: string;
}

// Inherited from a git hook or a parent git, these would point every command at another repository.
const repositoryPointers = new Set([
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_PREFIX',
]);

/** The settings that keep git from ever waiting for a person. */
function nonInteractiveEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = Object.fromEntries(Object.entries(base).filter(([key]) => !repositoryPointers.has(key)));
  return {
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes',
    ...rest,
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    GIT_SEQUENCE_EDITOR: 'true',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    // Status and diff would otherwise refresh the index and take its lock, racing real writers.
    GIT_OPTIONAL_LOCKS: '0',
    LC_ALL: 'C',
  };
}

// Hooks would run agent-reachable code outside any sandbox; validation is Harness's own gate.
const noHooks = ['-c', 'core.hooksPath=/dev/null'];

/** The real git port: the git CLI run through a ProcessRunner. */
export class GitCli implements Git {
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly options: GitOptions) {
    this.env = nonInteractiveEnv(options.env ?? process.env);
  }

  private async git(call: GitCall): Promise<RunResult> {
    const result = await this.options.runner.run(this.options.binary ?? 'git', ['--no-pager', ...call.args], {
      cwd: call.cwd,
      env: call.env === undefined ? this.env : { ...this.env, ...call.env },
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
      ...(call.maxOutputBytes === undefined ? {} : { maxOutputBytes: call.maxOutputBytes }),
      ...(call.input === undefined ? {} : { input: call.input }),
    });
    const code = result.exitCode;
    if (code !== 0 && (code === null || !(call.okCodes ?? []).includes(code))) throw gitError(call, result);
    return result;
  }

  private async out(cwd: string, ...args: string[]): Promise<string> {
    return (await this.git({ cwd, args })).stdout.trim();
  }

  /** The commit `ref` names, or null; `ref` is built by us, so it is not re-validated. */
  private async resolve(cwd: string, ref: string): Promise<string | null> {
    const result = await this.git({ cwd, args: ['rev-parse', '--verify', '--quiet', ref], okCodes: [1] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async fetch(repo: string, remote: string, branch: string): Promise<void> {
    assertRefName(remote, 'remote name');
    assertRefName(branch, 'branch name');
    const refspec = `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`;
    await this.git({
      cwd: repo,
      args: ['fetch', '--no-tags', '--', remote, refspec],
      errorCode: ErrorCodes.unavailable,
    });
  }

  async revParse(repo: string, rev: string): Promise<string | null> {
    assertRevision(rev);
    return this.resolve(repo, `${rev}^{commit}`);
  }

  currentCommit(cwd: string): Promise<string> {
    return this.out(cwd, 'rev-parse', '--verify', 'HEAD^{commit}');
  }

  async refExists(repo: string, ref: string): Promise<boolean> {
    assertRefName(ref);
    const result = await this.git({
      cwd: repo,
      args: ['show-ref', '--verify', '--quiet', ref],
      okCodes: [1],
    });
    return result.exitCode === 0;
  }

  async mergeBase(repo: string, a: string, b: string): Promise<string | null> {
    assertRevision(a);
    assertRevision(b);
    const result = await this.git({ cwd: repo, args: ['merge-base', a, b], okCodes: [1] });
    return result.exitCode === 0 ? result.stdout.trim() : null;
  }

  async worktreeAdd(
    repo: string,
    path: string,
    branch: string,
    startPoint: string | null,
    options: { newBranch?: boolean } = {},
  ): Promise<string> {
    assertRefName(branch, 'branch name');
    if (startPoint !== null) assertRevision(startPoint);
    const create = options.newBranch === true ? '-b' : '-B';
    const args =
      startPoint === null
        ? ['worktree', 'add', '--', path, branch]
        : ['worktree', 'add', '--no-track', create, branch, '--', path, startPoint];
    await this.git({ cwd: repo, args, errorCode: ErrorCodes.conflict });
    // Read from the ref git has just written, sparing a process per task.
    return (await readFreshBranchRef(path, branch)) ?? this.currentCommit(path);
  }

  async worktreeRemove(repo: string, path: string, options: { force?: boolean } = {}): Promise<void> {
    // Twice: a worktree that is also locked needs a double force.
    const force = options.force === true ? ['--force', '--force'] : [];
    await this.git({ cwd: repo, args: ['worktree', 'remove', ...force, '--', path] });
  }

  async worktreeList(repo: string): Promise<WorktreeEntry[]> {
    return parseWorktreeList(await this.out(repo, 'worktree', 'list', '--porcelain'));
  }

  async worktreePrune(repo: string): Promise<void> {
    await this.git({ cwd: repo, args: ['worktree', 'prune'] });
  }

  async branchDelete(repo: string, branch: string, options: { force?: boolean } = {}): Promise<void> {
    assertRefName(branch, 'branch name');
    await this.git({ cwd: repo, args: ['branch', options.force === true ? '-D' : '-d', '--', branch] });
  }

  async deleteRefs(repo: string, refs: readonly string[]): Promise<void> {
    for (const ref of refs) assertRefName(ref);
    const input = refs.map((ref) => `delete ${ref}\n`).join('');
    await this.git({ cwd: repo, args: ['update-ref', '--stdin'], input });
  }

  async readRefs(repo: string, refs: readonly string[]): Promise<Map<string, string>> {
    for (const ref of refs) assertRefName(ref);
    const found = new Map<string, string>();
    if (refs.length === 0) return found;
    // A pattern also matches the refs below it (`refs/heads/a` lists `refs/heads/a/b`): only exact names count.
    const format = '--format=%(refname)%00%(objectname)%00%(*objectname)';
    const listed = await this.out(repo, 'for-each-ref', format, '--', ...refs);
    const wanted = new Set(refs);
    for (const line of listed.split('\n')) {
      const [name, object, peeled] = line.split('\0');
      if (name !== undefined && wanted.has(name) && object) found.set(name, peeled || object);
    }
    return found;
  }

  async status(cwd: string): Promise<StatusEntry[]> {
    const args = ['status', '--porcelain=v1', '-z', '--untracked-files=all'];
    return parseStatus((await this.git({ cwd, args })).stdout);
  }

  async hasChanges(cwd: string): Promise<boolean> {
    return (await this.status(cwd)).length > 0;
  }

  async addAll(cwd: string): Promise<void> {
    await this.git({ cwd, args: ['add', '--all', '--', '.'] });
  }

  async maintain(repo: string): Promise<void> {
    await this.git({ cwd: repo, args: ['maintenance', 'run', '--auto', '--quiet'] });
  }

  async discardChanges(cwd: string): Promise<void> {
    await this.git({ cwd, args: ['reset', '--hard', '--quiet', 'HEAD'] });
    await this.git({ cwd, args: ['clean', '-fd', '--quiet'] });
  }

  async commit(cwd: string, message: string, author: GitAuthor): Promise<CommitResult> {
    const identity = ['-c', `user.name=${author.name}`, '-c', `user.email=${author.email}`];
    // `whitespace`, not the default `strip`: a message line may well start with "#123".
    const commit = ['commit', '--no-verify', '--no-edit', '--cleanup=whitespace', '-m', message];
    // Full object names in git's summary line spare a rev-parse to learn the new commit.
    // Git checks after each commit whether housekeeping is due (one more process, every time);
    // the worktree manager asks it now and then instead (`maintain`).
    const noUpkeep = ['-c', 'maintenance.auto=false', '-c', 'gc.auto=0'];
    const call = { cwd, args: [...identity, ...noHooks, ...noUpkeep, '-c', 'core.abbrev=no', ...commit] };
    // Committing is usually what happens, so it is tried first; exit 1 may mean "nothing staged",
    // which only the index can tell apart from a real failure.
    const result = await this.git({ ...call, okCodes: [1] });
    if (result.exitCode === 1) {
      const staged = await this.git({ cwd, args: ['diff', '--cached', '--quiet'], okCodes: [1] });
      if (staged.exitCode === 1) throw gitError(call, result);
      return { committed: false, commit: await this.currentCommit(cwd) };
    }
    return { committed: true, commit: committedObject(result.stdout) ?? (await this.currentCommit(cwd)) };
  }

  async push(cwd: string, remote: string, branch: string, options: PushOptions = {}): Promise<PushResult> {
    assertRefName(remote, 'remote name');
    assertRefName(branch, 'branch name');
    const commit = options.commit ?? (await this.currentCommit(cwd));
    if (options.lease?.expected) assertRevision(options.lease.expected);
    const push = (lease: string[]) =>
      this.git({
        cwd,
        args: [
          ...noHooks,
          'push',
          '--porcelain',
          '--no-verify',
          ...lease,
          '--',
          remote,
          `${commit}:refs/heads/${branch}`,
        ],
        errorCode: ErrorCodes.conflict,
      });
    let result: RunResult;
    if (options.lease === undefined) result = await push([]);
    else {
      try {
        result = await push([`--force-with-lease=refs/heads/${branch}:${options.lease.expected ?? ''}`]);
      } catch (refused) {
        // The remote is not where the caller last recorded pushing: a push it made but could not
        // record (a crash in between), or someone else's. A plain push settles which: it only
        // fast-forwards, so it succeeds for our own unrecorded push and can never drop others' work.
        if (!(refused instanceof HarnessError) || refused.code !== ErrorCodes.conflict) throw refused;
        result = await push([]).catch(() => {
          throw refused;
        });
      }
    }
    // Git updates the remote-tracking ref itself where the remote's fetch refspec maps the branch.
    const upToDate = result.stdout.split('\n').some((line) => line.startsWith('=\t'));
    return { commit, updated: !upToDate };
  }

  async diff(cwd: string, base: string, head: string): Promise<DiffText> {
    assertRevision(base);
    assertRevision(head);
    const args = ['diff', '--no-color', '--no-ext-diff', `${base}...${head}`, '--'];
    const maxOutputBytes = this.options.maxDiffBytes ?? 16 * 1_048_576;
    const result = await this.git({ cwd, args, maxOutputBytes });
    return { text: result.stdout, truncated: result.truncated };
  }

  async diffStat(cwd: string, base: string, head: string): Promise<DiffStat> {
    assertRevision(base);
    assertRevision(head);
    const args = ['diff', '--numstat', '-z', '-M', `${base}...${head}`, '--'];
    return parseNumstat((await this.git({ cwd, args })).stdout);
  }

  async changes(cwd: string, base: string, head: string | null, maxBytes: number): Promise<Changes> {
    assertRevision(base);
    if (head !== null) assertRevision(head);
    const scratch = head === null ? await mkdtemp(path.join(tmpdir(), 'harness-diff-')) : null;
    try {
      let env: NodeJS.ProcessEnv | undefined;
      if (scratch !== null) {
        // A copy of the worktree's index (its stat cache spares rehashing), then everything added.
        const index = path.join(scratch, 'index');
        const own = await this.out(cwd, 'rev-parse', '--path-format=absolute', '--git-path', 'index');
        await copyFile(own, index).catch(() => undefined);
        env = { GIT_INDEX_FILE: index };
        await this.git({ cwd, args: ['add', '--all', '--', '.'], env });
      }
      const range = head === null ? ['--cached', base] : [base, head];
      const diff = (...args: string[]) =>
        this.git({ cwd, args: ['diff', '--no-color', '--no-ext-diff', '-M', ...args, ...range, '--'], env });
      const numstat = parseNumstat((await diff('--numstat', '-z')).stdout);
      const statuses = parseNameStatus((await diff('--name-status', '-z')).stdout);
      const full = await this.git({
        cwd,
        args: ['diff', '--no-color', '--no-ext-diff', '-M', ...range, '--'],
        env,
        maxOutputBytes: Math.max(maxBytes * 4, 16 * 1_048_576),
      });
      const cut = cutDiff(full.stdout, maxBytes);
      return {
        files: numstat.files.map((f) => ({ ...f, status: statuses.get(f.path) ?? 'modified' })),
        text: cut.text,
        truncated: cut.truncated || full.truncated,
      };
    } finally {
      if (scratch !== null) await rm(scratch, { recursive: true, force: true });
    }
  }

  async remoteUrl(cwd: string, remote: string): Promise<string | null> {
    assertRefName(remote, 'remote name');
    const result = await this.git({ cwd, args: ['remote', 'get-url', '--', remote], okCodes: [2, 128] });
    return result.exitCode === 0 ? redactUrl(result.stdout.trim()) : null;
  }

  async defaultBranch(repo: string, remote: string): Promise<string | null> {
    assertRefName(remote, 'remote name');
    const tracked = await this.git({
      cwd: repo,
      args: ['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`],
      okCodes: [1, 128],
    });
    const prefix = `refs/remotes/${remote}/`;
    if (tracked.exitCode === 0 && tracked.stdout.trim().startsWith(prefix))
      return tracked.stdout.trim().slice(prefix.length);
    const listed = await this.git({
      cwd: repo,
      args: ['ls-remote', '--symref', '--', remote, 'HEAD'],
      okCodes: [1, 2, 128],
      errorCode: ErrorCodes.unavailable,
    }).catch(() => null);
    const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(listed?.exitCode === 0 ? listed.stdout : '');
    if (symref) return symref[1]!;
    const current = await this.git({
      cwd: repo,
      args: ['symbolic-ref', '--quiet', '--short', 'HEAD'],
      okCodes: [1, 128],
    });
    return current.exitCode === 0 && current.stdout.trim() !== '' ? current.stdout.trim() : null;
  }
}

/**
 * The new commit from `git commit`'s summary line (`[main (root-commit) <id>] subject`), or null
 * when the line is not there to read. A branch name has no space, so the first ` <id>]` is it.
 */
export function committedObject(stdout: string): string | null {
  return /^\[[^\n]*? ([0-9a-f]{40}|[0-9a-f]{64})\]/.exec(stdout)?.[1] ?? null;
}

export function createGit(options: GitOptions): Git {
  return new GitCli(options);
}

function gitError(call: GitCall, result: RunResult): HarnessError {
  const command = `git ${call.args.join(' ')}`;
  const stderr = redactUrl(result.stderr.trim()).slice(-stderrTailChars);
  let code = call.errorCode ?? ErrorCodes.internal;
  if (result.timedOut) code = ErrorCodes.timeout;
  else if (result.aborted) code = ErrorCodes.cancelled;
  // git prints progress ("Preparing worktree …") before the reason; the reason is what people need.
  const lines = stderr.split('\n').filter((line) => line.trim() !== '');
  const firstLine =
    lines.find((line) => /^(fatal|error):/.test(line)) ?? lines.at(-1) ?? describeRunOutcome(result);
  return new HarnessError(code, `${redactUrl(command)} ${describeRunOutcome(result)}: ${firstLine}`, {
    data: { command: redactUrl(command), exit_code: result.exitCode, stderr_tail: stderr },
  });
}
