import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGit, createProcessRunner } from '../core/index.js';
import type { TaskCheckpoint } from '../store/index.js';
import { TaskProgress } from './task-progress.js';

let repo: string;
const git = createGit({ runner: createProcessRunner() });
const sh = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
    cwd: repo,
    encoding: 'utf8',
  }).trim();
const commit = (file: string): string => {
  writeFileSync(path.join(repo, file), `${file}\n`);
  sh('add', '-A');
  sh('commit', '-qm', file);
  return sh('rev-parse', 'HEAD');
};
const at = (stage: TaskCheckpoint['stage'], sha: string, round: number | null = null): TaskCheckpoint => ({
  task_id: 't',
  stage,
  round,
  sha,
  data: {},
  recorded_at: new Date().toISOString(),
});

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'harness-progress-'));
  sh('init', '-q', '-b', 'main');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('TaskProgress', () => {
  it('counts committed work on the branch, and validation and pushes only for the commit HEAD is at', async () => {
    const implemented = commit('a.txt');
    const fixed = commit('b.txt');
    const progress = await TaskProgress.load(
      [
        at('implemented', implemented),
        at('validated', implemented),
        at('pushed', implemented),
        at('fixed', fixed, 1),
      ],
      git,
      repo,
    );
    expect(progress.implemented()?.sha).toBe(implemented);
    expect(progress.fixedAfterReview(1)).toBe(true);
    expect(progress.fixedAfterReview(2)).toBe(false);
    expect(progress.validatedAt(fixed)).toBe(false);
    expect(progress.pushedAt(implemented)).toBe(true);
    expect(progress.pushedAt(fixed)).toBe(false);
  });

  it('does not count work whose commit the branch no longer holds', async () => {
    const base = commit('a.txt');
    const lost = commit('b.txt');
    sh('reset', '-q', '--hard', base);
    const progress = await TaskProgress.load([at('implemented', lost), at('fixed', lost, 1)], git, repo);
    expect(progress.implemented()).toBeUndefined();
    expect(progress.fixedAfterReview(1)).toBe(false);
    const unknown = await TaskProgress.load([at('implemented', 'f'.repeat(40))], git, repo);
    expect(unknown.implemented()).toBeUndefined();
  });
});
