/**
 * The machine check that runs before the tests (`npm test`'s pretest and vitest's globalSetup): on a
 * PATH without git or bubblewrap it stops at once with one line naming what to install.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '@harness/testkit';

const dir = tempDir('harness-requirements-');
afterAll(() => dir.remove());

/** Where PROGRAM is on this process's PATH. */
function which(program: string): string {
  for (const entry of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(entry, program);
    if (entry !== '' && existsSync(candidate)) return candidate;
  }
  throw new Error(`${program} is not on PATH`);
}

/** A directory for PATH holding only the named programs (symlinks to the real ones). */
function pathWith(name: string, programs: string[]): string {
  const bin = path.join(dir.path, name);
  mkdirSync(bin);
  for (const program of programs) symlinkSync(which(program), path.join(bin, program));
  return bin;
}

function run(command: string, args: string[], PATH: string) {
  return spawnSync(command, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { PATH, HOME: dir.path, NO_COLOR: '1', CI: '' },
  });
}

const check = path.join(repoRoot, 'scripts/check-requirements.mjs');

describe('the requirements check', () => {
  it('passes silently on this machine, which runs the tests', () => {
    const result = run(process.execPath, [check], process.env.PATH ?? '');
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('names git, bubblewrap and curl, with how to install them, in one line when PATH lacks them', () => {
    const result = run(process.execPath, [check], pathWith('bare', []));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(
      'Cannot run the tests; missing: git (apt-get install git); bubblewrap (apt-get install bubblewrap); curl (apt-get install curl).\n',
    );
  });

  it('names only what is missing', () => {
    const result = run(process.execPath, [check], pathWith('git-only', ['git', 'curl']));
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('Cannot run the tests; missing: bubblewrap (apt-get install bubblewrap).\n');
  });

  it('stops `npm test` before the build, and vitest before any test file loads', () => {
    const PATH = pathWith('node-npm', ['node', 'npm', 'sh']);
    // Were the check to pass here, `npm test` would run the whole suite from inside it: not that.
    expect(run(process.execPath, [check], PATH).status).toBe(1);
    const npm = run(which('npm'), ['test'], PATH);
    expect(npm.status).toBe(1);
    expect(npm.stdout).toContain('Cannot run the tests; missing: git (apt-get install git)');
    expect(npm.stdout).not.toContain('tsc -b');
    const vitest = run(
      process.execPath,
      [path.join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', 'test/architecture'],
      PATH,
    );
    expect(vitest.status).toBe(1);
    expect(vitest.stdout + vitest.stderr).toContain(
      'Cannot run the tests; missing: git (apt-get install git)',
    );
    expect(vitest.stdout + vitest.stderr).not.toMatch(/✓|passed/);
  });
});
