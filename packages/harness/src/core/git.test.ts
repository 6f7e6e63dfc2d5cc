import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from './errors.js';
import {
  assertRefName,
  committedObject,
  createGit,
  parseNumstat,
  parseStatus,
  parseWorktreeList,
  redactUrl,
  refNameProblem,
} from './git.js';
import { createProcessRunner } from './process-runner.js';

const author = { name: 'Harness Test', email: 'harness@example.invalid' };
let dir: string;
let env: NodeJS.ProcessEnv;
let remote: string;
let repo: string;

/** Setup commands only; the code under test goes through the port. */
function sh(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    env,
    encoding: 'utf8',
  });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-git-'));
  writeFileSync(path.join(dir, 'gitconfig'), '');
  // Hermetic: the machine's own git configuration must not change what the tests see.
  env = { ...process.env, GIT_CONFIG_GLOBAL: path.join(dir, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
  remote = path.join(dir, 'remote.git');
  repo = path.join(dir, 'repo');
  execFileSync('git', ['init', '--bare', '-b', 'main', remote], { env });
  mkdirSync(repo);
  sh(repo, 'init', '-b', 'main');
  writeFileSync(path.join(repo, 'README.md'), 'hello\n');
  sh(repo, 'add', '.');
  sh(repo, 'commit', '-m', 'initial');
  sh(repo, 'remote', 'add', 'origin', remote);
  sh(repo, 'push', 'origin', 'main');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const makeGit = () => createGit({ runner: createProcessRunner(), env });

describe('ref names', () => {
  it.each(['main', 'feat/task-01', 'harness/01J8ZK.x_y', 'origin'])('accepts %s', (name) =>
    expect(refNameProblem(name)).toBeNull(),
  );

  it.each([
    '',
    '-rf',
    '--upload-pack=evil',
    'a..b',
    'a b',
    'a~1',
    'a^',
    'a:b',
    'a?',
    'a*',
    'a[b',
    'a\\b',
    '/a',
    'a/',
    'a//b',
    'a.',
    '.hidden',
    'a/.b',
    'x.lock',
    'a/b.lock/c',
    'a@{1}',
    '@',
    'a\u0001b',
  ])('refuses %j', (name) => expect(refNameProblem(name)).not.toBeNull());

  it('refuses bad names with invalid_params before running git', async () => {
    const git = makeGit();
    expect(() => assertRefName('bad..name', 'branch name')).toThrow(HarnessError);
    await expect(git.fetch(repo, '--upload-pack=touch pwned', 'main')).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(git.push(repo, 'origin', 'feat/a b')).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(git.worktreeAdd(repo, path.join(dir, 'w'), 'x..y', 'main')).rejects.toMatchObject({
      code: 'invalid_params',
    });
    await expect(git.revParse(repo, '--all')).rejects.toMatchObject({ code: 'invalid_params' });
  });
});

describe('Git port', () => {
  it('fetches, resolves revisions and reports the current commit', async () => {
    const git = makeGit();
    await git.fetch(repo, 'origin', 'main');
    const head = await git.currentCommit(repo);
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.revParse(repo, 'origin/main')).toBe(head);
    expect(await git.revParse(repo, 'HEAD~0')).toBe(head);
    expect(await git.revParse(repo, 'no-such-branch')).toBeNull();
    expect(await git.refExists(repo, 'refs/remotes/origin/main')).toBe(true);
    expect(await git.refExists(repo, 'refs/heads/nope')).toBe(false);
  });

  it("finds the default branch: origin's HEAD as fetched, else as the remote says, else the checked-out one", async () => {
    const git = makeGit();
    // The bare remote's HEAD names master, the checkout's branch is main: the remote wins.
    sh(repo, 'push', '-q', 'origin', 'main:master');
    sh(remote, 'symbolic-ref', 'HEAD', 'refs/heads/master');
    expect(await git.defaultBranch(repo, 'origin')).toBe('master');
    // A fetched origin/HEAD (as a clone sets it) comes first.
    sh(repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/main');
    expect(await git.defaultBranch(repo, 'origin')).toBe('main');
    // No such remote: the branch checked out.
    sh(repo, 'checkout', '-q', '-b', 'trunk');
    expect(await git.defaultBranch(repo, 'upstream')).toBe('trunk');
    sh(repo, 'checkout', '-q', '--detach');
    expect(await git.defaultBranch(repo, 'upstream')).toBeNull();
  });

  it('ignores GIT_DIR and friends inherited from a hook or a parent git', async () => {
    const git = createGit({
      runner: createProcessRunner(),
      env: { ...env, GIT_DIR: remote, GIT_INDEX_FILE: path.join(dir, 'nope'), GIT_WORK_TREE: dir },
    });
    expect(await git.currentCommit(repo)).toBe(sh(repo, 'rev-parse', 'HEAD').trim());
    expect(await git.hasChanges(repo)).toBe(false);
  });

  it('fails a fetch of a missing branch with a HarnessError carrying command, exit code and stderr', async () => {
    const error = await makeGit()
      .fetch(repo, 'origin', 'missing')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    const data = (error as HarnessError).data as { command: string; exit_code: number; stderr_tail: string };
    expect(data.command).toContain('git fetch');
    expect(data.exit_code).not.toBe(0);
    expect(data.stderr_tail).toMatch(/missing/);
  });

  it('adds, lists, removes and prunes worktrees', async () => {
    const git = makeGit();
    const wt = path.join(dir, 'wt-1');
    await git.worktreeAdd(repo, wt, 'feat/one', 'main');
    const listed = await git.worktreeList(repo);
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatchObject({ path: wt, branch: 'feat/one', detached: false });
    expect(await git.currentCommit(wt)).toBe(await git.currentCommit(repo));

    await git.worktreeRemove(repo, wt, { force: true });
    expect(await git.worktreeList(repo)).toHaveLength(1);
    await git.branchDelete(repo, 'feat/one');
    expect(await git.revParse(repo, 'feat/one')).toBeNull();

    await git.worktreeAdd(repo, wt, 'feat/two', 'main');
    await rm(wt, { recursive: true, force: true });
    expect((await git.worktreeList(repo)).find((w) => w.path === wt)?.prunable).toBe(true);
    await git.worktreePrune(repo);
    expect(await git.worktreeList(repo)).toHaveLength(1);
  });

  it('refuses to check out a branch that another worktree has', async () => {
    const git = makeGit();
    await git.worktreeAdd(repo, path.join(dir, 'a'), 'feat/same', 'main');
    await expect(git.worktreeAdd(repo, path.join(dir, 'b'), 'feat/same', 'main')).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('reports status, stages everything and commits; nothing to commit is a no-op', async () => {
    const git = makeGit();
    const before = await git.currentCommit(repo);
    expect(await git.hasChanges(repo)).toBe(false);
    expect(await git.commit(repo, 'nothing', author)).toEqual({ committed: false, commit: before });

    writeFileSync(path.join(repo, 'README.md'), 'changed\n');
    mkdirSync(path.join(repo, 'src'));
    writeFileSync(path.join(repo, 'src', 'new file.ts'), 'export {};\n');
    expect(await git.status(repo)).toEqual([
      { code: ' M', path: 'README.md' },
      { code: '??', path: 'src/new file.ts' },
    ]);
    await git.addAll(repo);
    const result = await git.commit(repo, '#42 fix the thing\n\nbody', author);
    expect(result.committed).toBe(true);
    expect(result.commit).not.toBe(before);
    expect(result.commit).toBe(sh(repo, 'rev-parse', 'HEAD').trim());
    expect(await git.hasChanges(repo)).toBe(false);
    expect(sh(repo, 'log', '-1', '--format=%an <%ae>|%s')).toBe(
      'Harness Test <harness@example.invalid>|#42 fix the thing\n',
    );
  });

  it('reports a failed commit as an error, never as "nothing to commit"', async () => {
    const git = makeGit();
    writeFileSync(path.join(repo, 'README.md'), 'changed\n');
    await git.addAll(repo);
    // An empty message makes git refuse with exit 1, the code "nothing to commit" also has.
    await expect(git.commit(repo, '', author)).rejects.toMatchObject({
      message: expect.stringContaining('exited with code 1'),
    });
    expect(await git.hasChanges(repo)).toBe(true);
  });

  it('reads several refs at once: exact names only, tags peeled, missing ones absent', async () => {
    const git = makeGit();
    const head = await git.currentCommit(repo);
    sh(repo, 'branch', 'feat/x');
    sh(repo, 'tag', '-a', 'v1', '-m', 'annotated');
    // `refs/heads/feat` as a pattern would also list `refs/heads/feat/x`.
    const refs = await git.readRefs(repo, [
      'refs/heads/main',
      'refs/heads/feat',
      'refs/tags/v1',
      'refs/heads/nope',
    ]);
    expect([...refs.entries()].sort()).toEqual([
      ['refs/heads/main', head],
      ['refs/tags/v1', head],
    ]);
    expect(await git.readRefs(repo, [])).toEqual(new Map());
    await expect(git.readRefs(repo, ['-bad'])).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('pushes the commit it is given rather than reading HEAD again', async () => {
    const git = makeGit();
    const first = await git.currentCommit(repo);
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    await git.addAll(repo);
    await git.commit(repo, 'a', author);
    expect(await git.push(repo, 'origin', 'feat/given', { commit: first })).toEqual({
      commit: first,
      updated: true,
    });
    expect(sh(remote, 'rev-parse', 'feat/given').trim()).toBe(first);
  });

  it('pushes idempotently and leases only from the commit it last pushed', async () => {
    const git = makeGit();
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    await git.addAll(repo);
    const { commit } = await git.commit(repo, 'a', author);
    expect(await git.push(repo, 'origin', 'feat/t1', { lease: { expected: null } })).toEqual({
      commit,
      updated: true,
    });
    expect(await git.push(repo, 'origin', 'feat/t1', { lease: { expected: commit } })).toEqual({
      commit,
      updated: false,
    });
    expect(await git.push(repo, 'origin', 'feat/t1')).toEqual({ commit, updated: false });
    expect(execFileSync('git', ['rev-parse', 'feat/t1'], { cwd: remote, env, encoding: 'utf8' }).trim()).toBe(
      commit,
    );

    // A rewritten task branch may replace what we pushed before …
    sh(repo, 'reset', '--hard', 'HEAD~1');
    writeFileSync(path.join(repo, 'b.txt'), 'b\n');
    await git.addAll(repo);
    const second = await git.commit(repo, 'b', author);
    expect((await git.push(repo, 'origin', 'feat/t1', { lease: { expected: commit } })).updated).toBe(true);
    // … but without the lease a non-fast-forward is refused,
    sh(repo, 'reset', '--hard', commit);
    await expect(git.push(repo, 'origin', 'feat/t1')).rejects.toMatchObject({ code: 'conflict' });
    // and so is a rewrite over a commit the lease did not name (someone else's).
    await expect(git.push(repo, 'origin', 'feat/t1', { lease: { expected: commit } })).rejects.toMatchObject({
      code: 'conflict',
    });
    expect(sh(remote, 'rev-parse', 'feat/t1').trim()).toBe(second.commit);
    const other = path.join(dir, 'other');
    execFileSync('git', ['clone', '-q', remote, other], { env });
    sh(other, 'push', 'origin', `${second.commit}:refs/heads/feat/theirs`);
    await expect(
      git.push(repo, 'origin', 'feat/theirs', { lease: { expected: null } }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('goes on from a push it made but never recorded, which the remote has', async () => {
    const git = makeGit();
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    await git.addAll(repo);
    const pushed = (await git.commit(repo, 'a', author)).commit;
    // Pushed, then the server died before it wrote down that it had.
    sh(repo, 'push', '-q', 'origin', `${pushed}:refs/heads/feat/crash`);
    writeFileSync(path.join(repo, 'b.txt'), 'b\n');
    await git.addAll(repo);
    const next = (await git.commit(repo, 'b', author)).commit;
    expect(await git.push(repo, 'origin', 'feat/crash', { lease: { expected: null } })).toEqual({
      commit: next,
      updated: true,
    });
    expect(sh(remote, 'rev-parse', 'feat/crash').trim()).toBe(next);
  });

  it('diffs a range as text and as numbers', async () => {
    const git = makeGit();
    const base = await git.currentCommit(repo);
    writeFileSync(path.join(repo, 'README.md'), 'hello\nworld\n');
    writeFileSync(path.join(repo, 'bin.dat'), Buffer.from([0, 1, 2, 0]));
    await git.addAll(repo);
    const head = (await git.commit(repo, 'more', author)).commit;
    const diff = await git.diff(repo, base, head);
    expect(diff.truncated).toBe(false);
    expect(diff.text).toContain('+world');
    const stat = await git.diffStat(repo, base, 'HEAD');
    expect(stat).toEqual({
      files: [
        { path: 'README.md', insertions: 1, deletions: 0, binary: false },
        { path: 'bin.dat', insertions: 0, deletions: 0, binary: true },
      ],
      insertions: 1,
      deletions: 0,
    });
  });

  it("lists a worktree's changes against a base, uncommitted and untracked included, leaving its index alone", async () => {
    const git = makeGit();
    const base = await git.currentCommit(repo);
    writeFileSync(path.join(repo, 'gone.txt'), 'bye\n');
    writeFileSync(path.join(repo, 'old.txt'), 'one\ntwo\nthree\nfour\n');
    sh(repo, 'add', '.');
    sh(repo, 'commit', '-m', 'two files');
    const start = await git.currentCommit(repo);
    sh(repo, 'rm', '-q', 'gone.txt');
    sh(repo, 'mv', 'old.txt', 'new.txt');
    writeFileSync(path.join(repo, 'README.md'), 'hello\nworld\n');
    writeFileSync(path.join(repo, 'untracked.txt'), 'new\n');
    writeFileSync(path.join(repo, 'blob.bin'), Buffer.from([0, 1, 2, 0]));
    const stagedBefore = sh(repo, 'diff', '--cached', '--name-status');

    const changes = await git.changes(repo, start, null, 1_000_000);
    expect(changes.files.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'blob.bin', status: 'added', insertions: 0, deletions: 0, binary: true },
      { path: 'gone.txt', status: 'deleted', insertions: 0, deletions: 1, binary: false },
      { path: 'new.txt', status: 'renamed', insertions: 0, deletions: 0, binary: false },
      { path: 'README.md', status: 'modified', insertions: 1, deletions: 0, binary: false },
      { path: 'untracked.txt', status: 'added', insertions: 1, deletions: 0, binary: false },
    ]);
    expect(changes.text).toContain('+new\n');
    expect(changes.truncated).toBe(false);
    // The worktree's own index is as it was: the untracked files are still untracked.
    expect(sh(repo, 'diff', '--cached', '--name-status')).toBe(stagedBefore);
    expect(sh(repo, 'status', '--porcelain', '--', 'untracked.txt')).toBe('?? untracked.txt\n');

    const committed = await git.changes(repo, base, start, 60);
    expect(committed.files.map((f) => f.path)).toEqual(['gone.txt', 'old.txt']);
    expect(committed.truncated).toBe(true);
    expect(Buffer.byteLength(committed.text)).toBeLessThanOrEqual(60);
    expect(committed.text).toMatch(/^diff --git a\/gone.txt b\/gone.txt\n(.*\n)?$/);
  });

  it('commits without housekeeping; maintain packs once git says it is due', async () => {
    const git = makeGit();
    // gc.auto = 1: due once objects/17 holds two loose objects. In the foreground, so it is over
    // when the command returns.
    sh(repo, 'config', 'gc.auto', '1');
    sh(repo, 'config', 'gc.autoDetach', 'false');
    sh(repo, 'config', 'maintenance.autoDetach', 'false');
    const in17 = () => readdirSync(path.join(repo, '.git', 'objects', '17'), { withFileTypes: true }).length;
    const blobId = (text: string) =>
      createHash('sha1')
        .update(`blob ${Buffer.byteLength(text)}\0${text}`)
        .digest('hex');
    let n = 0;
    for (let found = 0; found < 2; n++) {
      if (!blobId(`${n}\n`).startsWith('17')) continue;
      writeFileSync(path.join(repo, `f${n}.txt`), `${n}\n`);
      found++;
    }
    await git.addAll(repo);
    await git.commit(repo, 'two blobs under 17', author);
    expect(in17()).toBeGreaterThanOrEqual(2);
    await git.maintain(repo);
    expect(existsSync(path.join(repo, '.git', 'objects', '17')) ? in17() : 0).toBe(0);
  });

  it('returns remote URLs without credentials, and null for an unknown remote', async () => {
    const git = makeGit();
    expect(await git.remoteUrl(repo, 'origin')).toBe(remote);
    sh(repo, 'remote', 'add', 'gh', 'https://x-access-token:secret@github.com/o/r.git');
    expect(await git.remoteUrl(repo, 'gh')).toBe('https://github.com/o/r.git');
    expect(await git.remoteUrl(repo, 'nope')).toBeNull();
  });
});

describe('parsers', () => {
  it('parses porcelain worktree lists', () => {
    const text = [
      'worktree /r',
      'HEAD abc',
      'branch refs/heads/main',
      '',
      'worktree /w/1',
      'HEAD def',
      'detached',
      'locked reason here',
      'prunable gitdir file points to non-existent location',
      '',
    ].join('\n');
    expect(parseWorktreeList(text)).toEqual([
      {
        path: '/r',
        head: 'abc',
        branch: 'main',
        bare: false,
        detached: false,
        locked: false,
        prunable: false,
      },
      { path: '/w/1', head: 'def', branch: null, bare: false, detached: true, locked: true, prunable: true },
    ]);
  });

  it('parses -z status with renames and numstat with renames', () => {
    expect(parseStatus('R  new.ts\0old.ts\0?? x y\0')).toEqual([
      { code: 'R ', path: 'new.ts' },
      { code: '??', path: 'x y' },
    ]);
    expect(parseNumstat('1\t2\t\0old.ts\0new.ts\0-\t-\tb.bin\0').files).toEqual([
      { path: 'new.ts', insertions: 1, deletions: 2, binary: false },
      { path: 'b.bin', insertions: 0, deletions: 0, binary: true },
    ]);
  });

  it("reads the new commit from git commit's summary line, and nothing from anything else", () => {
    const sha1 = '018a95da0a8ebb166b2c2ed365d44a060c0b148f';
    const sha256 = '626f85de5f7e282127f0ad993ee504268133a5a3b6086d2ea05a34a576b2a2a3';
    expect(committedObject(`[main ${sha1}] x\n 1 file changed\n`)).toBe(sha1);
    expect(committedObject(`[main (root-commit) ${sha256}] root\n`)).toBe(sha256);
    expect(committedObject(`[detached HEAD ${sha1}] det\n`)).toBe(sha1);
    // A subject quoting an object name is not taken for the commit's.
    expect(committedObject(`[a]b ${sha1}] see ${sha256}]\n`)).toBe(sha1);
    expect(committedObject(`[main 018a95d] abbreviated\n`)).toBeNull();
    expect(committedObject('')).toBeNull();
  });

  it('redacts credentials in URLs', () => {
    expect(redactUrl('fatal: https://user:pw@host/x and ssh://git@host/y')).toBe(
      'fatal: https://host/x and ssh://host/y',
    );
  });
});
