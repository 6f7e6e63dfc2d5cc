/** `harness demo`: the one-command tour must run from a checkout and end with a reviewed PR. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, tempDir } from './support/harness-process.js';

describe('harness demo', () => {
  it('takes a failing test to an approved pull request, saying plainly that the model is scripted', () => {
    const dir = tempDir('harness-demo-test-');
    const run = spawnSync(process.execPath, [harnessBin, 'demo'], {
      env: isolatedEnv(dir.path),
      encoding: 'utf8',
      timeout: 120_000,
    });
    dir.remove();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/model is SCRIPTED/);
    expect(run.stdout).toMatch(/claude is working/);
    expect(run.stdout).toMatch(/validation passed/);
    expect(run.stdout).toMatch(/review round 1: changes_requested/);
    expect(run.stdout).toMatch(/review round 2: approved/);
    expect(run.stdout).toMatch(/■ done — grade [ABC]/);
    expect(run.stdout).toMatch(/\/tasks\/task_[^/]+\/stream/);
  });
});
