import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGit, createProcessRunner, type Git, silentLogger } from '../core/index.js';
import type { TaskCheckpoint } from '../store/index.js';
import { TaskProgress } from './task-progress.js';
import { WorktreeManager } from './worktrees.js';

/**
 * A fleet's takeover, with real git: two "hosts" are two clones of one bare origin, each with its
 * own worktree root (its own data directory). A task that ran on host 1 resumes on host 2, which
 * has neither its worktree nor its local branch.
 */

let dir: string;
let env: NodeJS.ProcessEnv;
let origin: string;
let git: Git;

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

interface Host {
  clone: string;
  worktrees: WorktreeManager;
}

function host(name: string): Host {
  const clone = path.join(dir, name, 'checkout');
  execFileSync('git', ['clone', '-q', origin, clone], { env });
  const root = path.join(dir, name, 'data', 'worktrees');
  return { clone, worktrees: new WorktreeManager({ git, root, logger: silentLogger }) };
}

const request = (on: Host, taskId: string, resumeFromRemote: boolean) => ({
  projectRoot: on.clone,
  taskId,
  remote: 'origin',
  baseBranch: 'main',
  branchPrefix: 'harness/',
  resumeFromRemote,
});

const checkpoint = (stage: TaskCheckpoint['stage'], sha: string): TaskCheckpoint => ({
  task_id: 't-fleet',
  stage,
  round: null,
  sha,
  data: {},
  recorded_at: new Date(0).toISOString(),
});

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-takeover-'));
  writeFileSync(path.join(dir, 'gitconfig'), '');
  env = { ...process.env, GIT_CONFIG_GLOBAL: path.join(dir, 'gitconfig'), GIT_CONFIG_NOSYSTEM: '1' };
  origin = path.join(dir, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin], { env });
  const seed = path.join(dir, 'seed');
  mkdirSync(seed);
  sh(seed, 'init', '-q', '-b', 'main');
  commitFile(seed, 'README.md', 'hello\n');
  sh(seed, 'push', '-q', origin, 'main');
  git = createGit({ runner: createProcessRunner(), env });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a task taken over by another host', () => {
  it('re-creates its worktree from the pushed task branch, so its checkpoints still count', async () => {
    const [one, two] = [host('host-1'), host('host-2')];
    const first = await one.worktrees.create(request(one, 't-fleet', false));
    const implemented = commitFile(first.path, 'work.txt', 'the implementation\n');
    await git.push(first.path, 'origin', first.branch, { lease: { expected: null } });
    // Host 1 dies here, its checkout and data directory out of reach.

    const taken = await two.worktrees.create(request(two, 't-fleet', true));
    expect(taken).toMatchObject({ branch: first.branch, baseCommit: first.baseCommit, resumed: true });
    expect(path.dirname(path.dirname(taken.path))).not.toBe(path.dirname(path.dirname(first.path)));
    expect(sh(taken.path, 'rev-parse', 'HEAD')).toBe(implemented);
    expect(readFileSync(path.join(taken.path, 'work.txt'), 'utf8')).toBe('the implementation\n');
    expect(sh(two.clone, 'rev-parse', `refs/heads/${first.branch}`)).toBe(implemented);

    const progress = await TaskProgress.load(
      [
        checkpoint('implemented', implemented),
        checkpoint('validated', implemented),
        checkpoint('pushed', implemented),
      ],
      git,
      taken.path,
    );
    // Not redone: the implementation is on the branch, validated and pushed at HEAD.
    expect(progress.implemented()?.sha).toBe(implemented);
    expect(progress.validatedAt(implemented)).toBe(true);
    expect(progress.pushedAt(implemented)).toBe(true);

    // Host 2 goes on from there: its push (leased on what the task recorded pushing) is accepted.
    const fixed = commitFile(taken.path, 'fix.txt', 'fixed\n');
    await expect(
      git.push(taken.path, 'origin', taken.branch, { lease: { expected: progress.lastPushed() } }),
    ).resolves.toEqual({
      commit: fixed,
      updated: true,
    });
    expect(sh(origin, 'rev-parse', `refs/heads/${first.branch}`)).toBe(fixed);
  });

  it('starts from the base when the branch was never pushed, and forgets a stale tracking ref', async () => {
    const [one, two] = [host('host-1'), host('host-2')];
    const first = await one.worktrees.create(request(one, 't-fleet', false));
    commitFile(first.path, 'work.txt', 'committed, never pushed\n');
    // A tracking ref from a push the remote has since lost would mislead the next push.
    sh(two.clone, 'update-ref', `refs/remotes/origin/${first.branch}`, sh(two.clone, 'rev-parse', 'HEAD'));

    const taken = await two.worktrees.create(request(two, 't-fleet', true));
    expect(taken).toMatchObject({ branch: first.branch, baseCommit: first.baseCommit, resumed: false });
    expect(sh(taken.path, 'rev-parse', 'HEAD')).toBe(first.baseCommit);
    expect(existsSync(path.join(taken.path, 'work.txt'))).toBe(false);
    expect(await git.refExists(two.clone, `refs/remotes/origin/${first.branch}`)).toBe(false);
    commitFile(taken.path, 'work.txt', 'implemented again\n');
    await expect(
      git.push(taken.path, 'origin', taken.branch, { lease: { expected: null } }),
    ).resolves.toMatchObject({ updated: true });
  });

  it('does not look at the remote for a task that never ran, nor when its branch is here', async () => {
    const [one, two] = [host('host-1'), host('host-2')];
    const first = await one.worktrees.create(request(one, 't-fleet', false));
    const pushed = commitFile(first.path, 'work.txt', 'pushed\n');
    await git.push(first.path, 'origin', first.branch, { lease: { expected: null } });
    // Without checkpoints the pipeline does not ask to resume: a fresh start from the base.
    const fresh = await two.worktrees.create(request(two, 't-fleet', false));
    expect(fresh.resumed).toBe(false);
    expect(sh(fresh.path, 'rev-parse', 'HEAD')).toBe(first.baseCommit);
    // Host 1 again (the same host after a crash): its own branch wins, with no fetch needed.
    const local = commitFile(first.path, 'more.txt', 'local only\n');
    await rm(first.path, { recursive: true, force: true });
    const again = await one.worktrees.create(request(one, 't-fleet', true));
    expect(again.resumed).toBe(true);
    expect(sh(again.path, 'rev-parse', 'HEAD')).toBe(local);
    expect(local).not.toBe(pushed);
  });

  it('refuses to start over when the pushed branch cannot be fetched', async () => {
    const two = host('host-2');
    sh(two.clone, 'remote', 'set-url', 'origin', path.join(dir, 'gone.git'));
    await expect(two.worktrees.create(request(two, 't-fleet', true))).rejects.toThrow(
      /cannot fetch task branch harness\/t-fleet from origin/,
    );
  });
});
