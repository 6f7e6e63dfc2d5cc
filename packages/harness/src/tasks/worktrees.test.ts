import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGit, createProcessRunner, type Git, type Logger } from '../core/index.js';
import { taskDirName, writeWorktreeMeta } from './worktree-layout.js';
import { isGitLockContention, KeyedMutex, withLockRetries } from './worktree-lock.js';
import { WorktreeManager } from './worktrees.js';

let dir: string;
let env: NodeJS.ProcessEnv;
let remote: string;
let repo: string;
let root: string;
let git: Git;
let warnings: string[];

function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

function commitFile(cwd: string, name: string, text: string): string {
  writeFileSync(path.join(cwd, name), text);
  sh(cwd, 'add', name);
  sh(cwd, 'commit', '-m', `add ${name}`);
  return sh(cwd, 'rev-parse', 'HEAD');
}

function recordingLogger(): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (_fields, message) => warnings.push(message ?? ''),
    error: () => undefined,
    child: () => logger,
  };
  return logger;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-wt-'));
  writeFileSync(path.join(dir, 'gitconfig'), '');
  env = { ...process.env, GIT_CONFIG_GLOBAL: path.join(dir, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
  remote = path.join(dir, 'remote.git');
  repo = path.join(dir, 'repo');
  root = path.join(dir, 'data', 'worktrees');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', remote], { env });
  mkdirSync(repo);
  sh(repo, 'init', '-q', '-b', 'main');
  commitFile(repo, 'README.md', 'hello\n');
  sh(repo, 'remote', 'add', 'origin', remote);
  sh(repo, 'push', '-q', 'origin', 'main');
  git = createGit({ runner: createProcessRunner(), env });
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const manager = () => new WorktreeManager({ git, root, logger: recordingLogger() });
const request = (taskId: string, overrides: object = {}) => ({
  projectRoot: repo,
  taskId,
  remote: 'origin',
  baseBranch: 'main',
  branchPrefix: 'harness/',
  ...overrides,
});
const listedPaths = async (): Promise<string[]> => (await git.worktreeList(repo)).map((w) => w.path);

describe('WorktreeManager.create', () => {
  it('creates a worktree under <root>/<project>/<task> on <prefix><task> from remote/base', async () => {
    // The remote moves on without the local main knowing: the task must start from the remote.
    const other = path.join(dir, 'other');
    execFileSync('git', ['clone', '-q', remote, other], { env });
    const remoteHead = commitFile(other, 'remote.txt', 'from elsewhere\n');
    sh(other, 'push', '-q', 'origin', 'main');
    commitFile(repo, 'local.txt', 'only here\n');

    const wt = await manager().create(request('01JTASK1'));
    expect(wt.branch).toBe('harness/01JTASK1');
    expect(wt.baseCommit).toBe(remoteHead);
    expect(wt.resumed).toBe(false);
    expect(path.basename(wt.path)).toBe('01JTASK1');
    expect(path.dirname(path.dirname(wt.path))).toBe(root);
    expect(existsSync(path.join(wt.path, 'remote.txt'))).toBe(true);
    expect(existsSync(path.join(wt.path, 'local.txt'))).toBe(false);
    expect(sh(wt.path, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('harness/01JTASK1');
    expect(await listedPaths()).toContain(wt.path);
    expect(warnings).toEqual([]);
  });

  it('falls back to the local base branch, with a warning, when the remote has none', async () => {
    sh(repo, 'branch', 'develop');
    const wt = await manager().create(request('t-local', { baseBranch: 'develop' }));
    expect(wt.baseCommit).toBe(sh(repo, 'rev-parse', 'develop'));
    expect(warnings.some((w) => w.includes('could not fetch origin/develop'))).toBe(true);
    expect(warnings.some((w) => w.includes('local base branch'))).toBe(true);
  });

  it('falls back to the local base branch when the remote cannot be reached', async () => {
    sh(repo, 'remote', 'set-url', 'origin', path.join(dir, 'gone.git'));
    const wt = await manager().create(request('t-offline'));
    expect(wt.baseCommit).toBe(sh(repo, 'rev-parse', 'main'));
    expect(warnings.length).toBeGreaterThan(0);
  });

  it('fails with not_found when the base branch exists nowhere', async () => {
    await expect(manager().create(request('t-x', { baseBranch: 'nope' }))).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses bad remote, base branch, prefix or task id before touching git', async () => {
    const m = manager();
    await expect(m.create(request('t', { remote: '--upload-pack=x' }))).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(m.create(request('t', { baseBranch: 'a..b' }))).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(m.create(request('t', { branchPrefix: 'x~' }))).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(m.create(request('bad id'))).rejects.toMatchObject({ code: 'invalid_params' });
    expect(existsSync(root) ? await listedPaths() : [repo]).toEqual([repo]);
  });

  it('gives a resumed task its intact worktree back, work included', async () => {
    const first = await manager().create(request('t-resume'));
    writeFileSync(path.join(first.path, 'wip.txt'), 'half done\n');
    // A new manager: the process crashed and started again.
    const again = await manager().create(request('t-resume'));
    expect(again).toEqual({ ...first, resumed: true });
    expect(readFileSync(path.join(again.path, 'wip.txt'), 'utf8')).toBe('half done\n');
  });

  it('continues the branch of an earlier attempt whose worktree directory was lost', async () => {
    const m = manager();
    const first = await m.create(request('t-lost'));
    const work = commitFile(first.path, 'work.txt', 'committed work\n');
    await rm(first.path, { recursive: true, force: true });
    const again = await m.create(request('t-lost'));
    expect(again.path).toBe(first.path);
    expect(again.baseCommit).toBe(first.baseCommit);
    expect(sh(again.path, 'rev-parse', 'HEAD')).toBe(work);
  });

  it('creates concurrently on one repository without racing git', async () => {
    const m = manager();
    const ids = Array.from({ length: 6 }, (_, i) => `t-par-${i}`);
    const created = await Promise.all(ids.map((id) => m.create(request(id))));
    expect(new Set(created.map((w) => w.path)).size).toBe(ids.length);
    expect(await listedPaths()).toEqual(expect.arrayContaining(created.map((w) => w.path)));
  });

  it('returns one worktree to two concurrent creates of the same task', async () => {
    const m = manager();
    const [a, b] = await Promise.all([m.create(request('t-same')), m.create(request('t-same'))]);
    expect(a?.path).toBe(b?.path);
    expect((await listedPaths()).filter((p) => p === a?.path)).toHaveLength(1);
  });

  it('refuses a branch checked out elsewhere, and a path recorded for another task', async () => {
    sh(repo, 'worktree', 'add', '-q', '-b', 'harness/t-taken', path.join(dir, 'manual'));
    await expect(manager().create(request('t-taken'))).rejects.toMatchObject({ code: 'conflict' });

    const m = manager();
    const target = await m.pathFor(repo, 't-owned');
    await writeWorktreeMeta(target, {
      task_id: 'someone-else',
      branch: 'harness/someone-else',
      base_commit: 'x',
      remote: 'origin',
      base_branch: 'main',
      created_at: new Date().toISOString(),
    });
    await expect(m.create(request('t-owned'))).rejects.toMatchObject({ code: 'conflict' });
  });

  it('treats a subdirectory of the repository as the repository, and refuses a non-repository', async () => {
    const m = manager();
    mkdirSync(path.join(repo, 'sub'));
    expect(await m.pathFor(path.join(repo, 'sub'), 't-sub')).toBe(await m.pathFor(repo, 't-sub'));
    const plain = path.join(dir, 'plain');
    mkdirSync(plain);
    await expect(m.create(request('t-plain', { projectRoot: plain }))).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(
      m.create(request('t-none', { projectRoot: path.join(dir, 'nowhere') })),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('keeps task directories distinct even when ids differ only in unsafe characters', () => {
    expect(taskDirName('a/b')).not.toBe(taskDirName('a_b'));
    expect(taskDirName('a_b')).toBe('a_b');
    expect(taskDirName('..')).not.toMatch(/^\./);
  });
});

describe('WorktreeManager.remove', () => {
  it('removes the worktree and a branch without commits of its own; removing again is a no-op', async () => {
    const m = manager();
    const wt = await m.create(request('t-rm'));
    writeFileSync(path.join(wt.path, 'dirty.txt'), 'uncommitted\n');
    expect(await m.remove(wt.path)).toEqual({ removed: true, branchDeleted: true });
    expect(existsSync(wt.path)).toBe(false);
    expect(await listedPaths()).toEqual([repo]);
    expect(await git.revParse(repo, 'harness/t-rm')).toBeNull();
    expect(await m.remove(wt.path)).toEqual({ removed: false, branchDeleted: false });
  });

  it('keeps a branch that holds commits, so a failed task loses no work', async () => {
    const m = manager();
    const wt = await m.create(request('t-failed'));
    commitFile(wt.path, 'f.txt', 'f\n');
    expect(await m.remove(wt.path)).toEqual({ removed: true, branchDeleted: false });
    expect(await git.revParse(repo, wt.branch)).not.toBeNull();
  });

  it('deletes the local branch of a finished task, whose pushed branch stays on the remote', async () => {
    const m = manager();
    const wt = await m.create(request('t-done'));
    commitFile(wt.path, 'f.txt', 'f\n');
    await git.push(wt.path, 'origin', wt.branch, { lease: { expected: null } });
    expect(await m.remove(wt.path, { branch: 'delete' })).toEqual({ removed: true, branchDeleted: true });
    expect(await git.revParse(repo, `refs/heads/${wt.branch}`)).toBeNull();
    expect(await git.refExists(repo, `refs/remotes/origin/${wt.branch}`)).toBe(false);
    expect(await git.revParse(remote, wt.branch)).not.toBeNull();
  });

  it('refuses paths that are not task worktrees under its root', async () => {
    await expect(manager().remove(repo)).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(manager().remove(path.join(root, 'x'))).rejects.toMatchObject({ code: 'invalid_params' });
  });
});

describe('WorktreeManager.reclaimOrphans', () => {
  it('removes worktrees of tasks that are not live, keeps live ones and prunes stale records', async () => {
    const before = manager();
    const [dead, live, gone] = await Promise.all(
      ['t-dead', 't-live', 't-gone'].map((id) => before.create(request(id))),
    );
    // A worktree whose directory vanished behind git's back leaves a stale record.
    await rm(gone!.path, { recursive: true, force: true });

    const report = await manager().reclaimOrphans(['t-live']);
    expect(report.failed).toEqual([]);
    expect(report.removed.map((r) => r.taskId).sort()).toEqual(['t-dead']);
    expect(report.pruned).toEqual([await git.worktreeList(repo).then((l) => l[0]?.path)]);
    expect(existsSync(dead!.path)).toBe(false);
    expect(existsSync(live!.path)).toBe(true);
    expect((await listedPaths()).sort()).toEqual([live!.path, repo].sort());
    expect(await git.revParse(repo, 'harness/t-dead')).toBeNull();
  });

  it('never reclaims a worktree this process is creating or using', async () => {
    const m = manager();
    const wt = await m.create(request('t-mine'));
    const report = await m.reclaimOrphans([]);
    expect(report.removed).toEqual([]);
    expect(existsSync(wt.path)).toBe(true);
  });

  it('leaves the worktree of a task claimed while the sweep ran, and takes a disowned one', async () => {
    const m = manager();
    const stale = await m.create(request('t-stale'));
    m.disown('t-stale');
    // The sweep read which tasks are live before this task was claimed: the worktree manager
    // still knows the task is its own when the sweep reaches it.
    const [report, claimed] = await Promise.all([m.reclaimOrphans([]), m.create(request('t-claimed'))]);
    expect(report.removed.map((r) => r.taskId)).toEqual(['t-stale']);
    expect(existsSync(stale.path)).toBe(false);
    expect(existsSync(claimed.path)).toBe(true);
    expect((await listedPaths()).sort()).toEqual([claimed.path, repo].sort());
  });

  it('deletes the leftovers of a repository that no longer exists', async () => {
    const wt = await manager().create(request('t-orphan-repo'));
    await rm(repo, { recursive: true, force: true });
    const report = await manager().reclaimOrphans([]);
    expect(report.removed.map((r) => r.path)).toEqual([wt.path]);
    expect(existsSync(wt.path)).toBe(false);
  });
});

describe('locking', () => {
  it('retries git operations that hit a lock held by another process, and nothing else', async () => {
    // Another process in the middle of updating this branch holds its ref lock.
    sh(repo, 'branch', 'harness/t-locked');
    writeFileSync(path.join(repo, '.git', 'refs', 'heads', 'harness', 't-locked.lock'), '');
    const held = await git
      .worktreeAdd(repo, path.join(dir, 'locked'), 'harness/t-locked', 'main')
      .catch((e: unknown) => e);
    expect(isGitLockContention(held)).toBe(true);
    const missing = await git.fetch(repo, 'origin', 'nope').catch((e: unknown) => e);
    expect(isGitLockContention(missing)).toBe(false);

    let calls = 0;
    const result = await withLockRetries(async () => {
      calls += 1;
      if (calls === 1) throw held;
      return 'done';
    });
    expect([result, calls]).toEqual(['done', 2]);
    await expect(withLockRetries(() => Promise.reject(missing))).rejects.toBe(missing);
  });

  it('runs work for one key in order and lets other keys through', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = mutex.runExclusive('a', async () => {
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('a1');
    });
    const second = mutex.runExclusive('a', async () => {
      order.push('a2');
    });
    await mutex.runExclusive('b', async () => {
      order.push('b');
    });
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['b', 'a1', 'a2']);
    expect(mutex.busyKeys).toEqual([]);
  });
});
