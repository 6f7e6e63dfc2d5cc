/**
 * The guard stage's baseline: what it costs to have the task's changed files as they were at the
 * base commit, the way the pipeline does it (list the changes, `git archive` just those paths into
 * a temp dir, remove it) against the alternative of a detached worktree of the whole base commit
 * (`git worktree add --detach` + `git worktree remove`), measured in the same run on a repository
 * of FILES files with 10 and 200 of them changed. Ratio < 1: the pipeline's way is cheaper.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createProcessRunner } from '../packages/harness/src/core/index.js';
import { baselineTree, changedFiles } from '../packages/harness/src/tasks/index.js';

const FILES = Number(process.env.BENCH_FILES ?? 5000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const dir = mkdtempSync(path.join(tmpdir(), 'harness-bench-guard-base-'));
const runner = createProcessRunner();
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=b', '-c', 'user.email=b@b', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function makeRepo(root: string): string {
  for (let i = 0; i < FILES; i++) {
    const sub = path.join(root, `pkg${i % 50}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `mod${i}.ts`), `export const v${i} = ${i};\n`.repeat(40));
  }
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'base');
  return git(root, 'rev-parse', 'HEAD');
}

async function time(fn: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS + 1; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return mean(times.slice(1));
}

async function main(): Promise<void> {
  const root = path.join(dir, 'repo');
  mkdirSync(root);
  const base = makeRepo(root);
  let n = 0;
  const detached = () =>
    time(async () => {
      const wt = path.join(dir, `wt-${n++}`);
      git(root, 'worktree', 'add', '-q', '--detach', wt, base);
      git(root, 'worktree', 'remove', '--force', wt);
    });
  let edited = 0;
  for (const changed of [10, 200]) {
    for (; edited < changed; edited++)
      writeFileSync(path.join(root, `pkg${edited % 50}`, `mod${edited}.ts`), 'export const changed = 1;\n');
    const ours = await time(async () => {
      const { files } = await changedFiles(runner, root, base);
      if (files.length !== changed) throw new Error(`expected ${changed} changed files, got ${files.length}`);
      const tree = await baselineTree(runner, root, base, files);
      await tree.dispose();
    });
    const whole = await detached();
    process.stdout.write(
      `${FILES} files, ${changed} changed: git archive of the changed files ${ours.toFixed(1)} ms, ` +
        `detached worktree ${whole.toFixed(1)} ms, ratio ${(ours / whole).toFixed(2)}\n`,
    );
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
