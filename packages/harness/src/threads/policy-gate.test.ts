import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from '@harness/testkit';
import { policyGateFor, policyRootOf } from './policy-gate.js';

const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-policy-gate-')));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function writePolicy(root: string, text: string): void {
  mkdirSync(path.join(root, '.harness', 'policy'), { recursive: true });
  writeFileSync(path.join(root, '.harness', 'policy', 'p.star'), text);
}

describe('the policy a turn answers to', () => {
  const main = path.join(base, 'main');
  const worktree = path.join(base, 'task-worktree');
  mkdirSync(main);
  git(main, 'init', '-q', '-b', 'main');
  writePolicy(main, 'prefix_rule(pattern = ["rm"], decision = "forbidden")\n');
  git(main, 'add', '-A');
  git(main, 'commit', '-qm', 'policy');
  git(main, 'worktree', 'add', '-q', worktree, '-b', 'task');

  it("is a linked worktree's main checkout, and a plain checkout's own", async () => {
    expect(await policyRootOf(worktree)).toBe(main);
    expect(await policyRootOf(main)).toBe(main);
    expect(await policyRootOf(base)).toBe(base);
  });

  it('cannot be loosened by editing the copy in the worktree', async () => {
    writePolicy(worktree, 'prefix_rule(pattern = ["rm"], decision = "allow")\n');
    const gate = await policyGateFor([])(worktree);
    expect(await gate?.({ command: 'rm -rf x', cwd: worktree })).toMatchObject({ decision: 'forbidden' });
  });
});
