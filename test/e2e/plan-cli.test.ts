/**
 * `harness plan …` as a user runs it: real `harness` processes on plan files in a temporary
 * directory — one created from a spec, one written by hand in the original Harness format — with
 * updates, status, show, lint and their exit codes.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type HarnessRun, isolatedEnv, runHarness, tempDir } from '@harness/testkit';

const dir = tempDir('harness-plan-cli-');
afterAll(() => dir.remove());

function harness(args: string[]): Promise<HarnessRun> {
  return runHarness(args, { env: isolatedEnv(dir.path), cwd: dir.path });
}

describe('harness plan', () => {
  it('creates a plan from a spec, updates it and reports its status', async () => {
    writeFileSync(path.join(dir.path, 'spec.md'), '# Cache the index\n\nBuilds take too long.\n');
    const init = await harness(['plan', 'init', 'spec.md']);
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const [name] = readdirSync(path.join(dir.path, '.agent/plans'));
    const file = `.agent/plans/${name ?? ''}`;
    expect(init.stdout).toContain(`Created ExecPlan: ${path.basename(file, '.md')}`);
    for (const args of [
      ['--action', 'activate'],
      ['--action', 'milestone', '--description', 'measure the build'],
      ['--action', 'milestone', '--index', '0'],
      ['--action', 'step', '--description', 'add the cache', '--files', 'src/cache.ts'],
      [
        '--action',
        'decision',
        '--decision',
        'content hashes',
        '--rationale',
        'mtimes lie',
        '--author',
        'bob',
      ],
    ]) {
      const updated = await harness(['plan', 'update', file, ...args]);
      expect(updated.stderr).toBe('');
      expect(updated.code).toBe(0);
    }
    const status = await harness(['plan', 'status', file]);
    expect(status.stdout).toBe('Plan: Cache the index\nStatus: active\nProgress: 1/2\n');
    const shown = await harness(['--json', 'plan', 'show', file]);
    const data = JSON.parse(shown.stdout) as { plan: { decisions: unknown[]; steps: unknown[] } };
    expect(data.plan.decisions).toEqual([
      expect.objectContaining({ decision: 'content hashes', rationale: 'mtimes lie', author: 'bob' }),
    ]);
    expect(data.plan.steps).toEqual([{ description: 'add the cache', files: ['src/cache.ts'], done: false }]);
    expect(readFileSync(path.join(dir.path, file), 'utf8')).toContain('  Date/Author: ');
    expect((await harness(['plan', 'lint', file])).code).toBe(0);

    const refused = await harness(['plan', 'update', file, '--action', 'decision', '--decision', 'half']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('rationale: required for this action');
    const missing = await harness(['plan', 'status', 'gone.md']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no plan at gone.md');
  });

  it('reads a plan in the original format, keeping its status, and lints it', async () => {
    const original = [
      '# ExecPlan: Old style',
      '',
      '- **ID**: abc123',
      '- **Status**: Completed',
      '',
      '## Progress',
      '- [x] first',
      '- [ ] second',
      '',
      '## Decision Log',
      '### Keep it (2026-01-02 03:04)',
      '',
      'It works.',
      '',
    ].join('\n');
    writeFileSync(path.join(dir.path, 'old.md'), original);
    const status = await harness(['plan', 'status', 'old.md']);
    expect(status.stdout).toBe('Plan: Old style\nStatus: completed\nProgress: 1/2\n');
    const lint = await harness(['plan', 'lint', 'old.md']);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain(
      'old.md:1: [Purpose / Big Picture] missing section "## Purpose / Big Picture"',
    );
    expect(lint.stdout).toContain(
      'old.md:7: [Progress] a checked item has no "(YYYY-MM-DD HH:MMZ)" timestamp',
    );
    const updated = await harness(['plan', 'update', 'old.md', '--action', 'outcome', '--text', 'Shipped.']);
    expect(updated.code).toBe(0);
    const rewritten = readFileSync(path.join(dir.path, 'old.md'), 'utf8');
    expect(rewritten).toContain('- **Status**: completed');
    expect(rewritten).toContain(
      '- Decision: Keep it\n  Rationale: It works.\n  Date/Author: 2026-01-02 03:04',
    );
    expect(rewritten).toContain('## Outcomes & Retrospective\n\nShipped.');
  });
});
