/** `harness demo`: the one-command tour must run from a checkout and end with a reviewed PR. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import * as testkit from '@harness/testkit';
import { harnessBin, isolatedEnv, tempDir } from '@harness/testkit';
import { type DemoKit, loadDemoKit } from '../../packages/harness/src/cli/demo/demo-kit.js';
import { ErrorCodes, HarnessError } from '../../packages/harness/src/core/index.js';

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

describe('the demo kit', () => {
  it('is the testkit, which has everything the demo describes', async () => {
    const kit: DemoKit = await loadDemoKit();
    // The demo's own description of the kit must hold for the real one (a compile-time check too).
    const real = testkit satisfies DemoKit;
    expect(kit.startGithubStandIn).toBe(real.startGithubStandIn);
    expect(kit.startScriptedAnthropicServer).toBe(real.startScriptedAnthropicServer);
    expect(kit.scriptedClaudeEnv('http://127.0.0.1:1')).toMatchObject({
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    });
  });

  it('says the demo needs a source checkout when the testkit is not installed', async () => {
    const failure = await loadDemoKit('@harness/testkit-not-installed').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HarnessError);
    expect((failure as HarnessError).code).toBe(ErrorCodes.unavailable);
    expect((failure as Error).message).toMatch(/needs a source checkout of Harness/);
    expect((failure as Error).message).toMatch(/@harness\/testkit-not-installed/);
    expect((failure as Error).message).toMatch(/npm ci && npm run demo/);
  });
});
