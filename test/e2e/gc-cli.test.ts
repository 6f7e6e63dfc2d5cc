/**
 * `harness gc …` as a user runs it: real `harness` processes against a real `harness serve -t
 * http` whose store holds two pending drafts (written through the store before the server
 * started). Adopting and rejecting need the operator key; a hostile draft is refused and nothing
 * is written; a run reports its signals and budget.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Draft } from '@harness/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  type HarnessRun,
  runHarness,
  isolatedEnv,
  makeRepo,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  sampleDraft,
} from '@harness/testkit';
import { readOperatorKey } from '../../packages/harness/src/core/index.js';
import { SqliteStore } from '../../packages/harness/src/store/index.js';

const dir = tempDir('harness-gc-cli-');
const dataDir = path.join(dir.path, 'data');
const root = makeRepo(path.join(dir.path, 'app'), { 'src/a.ts': 'old\n' });

function harness(args: string[]): Promise<HarnessRun> {
  return runHarness(args, { env: isolatedEnv(dir.path) });
}

describe('harness gc (terminal interface)', () => {
  let server: RunningHarness;
  let url: string[];
  let token: string[];

  beforeAll(async () => {
    const store = SqliteStore.open(dataDir);
    await store.gc.drafts.insert(sampleDraft('draft_good', '.harness/guards/no-todo.sh'));
    await store.gc.drafts.insert(sampleDraft('draft_hostile', '.git/hooks/pre-commit'));
    await store.close();
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', dataDir, '--project', `app=${root}`],
      isolatedEnv(dir.path),
    );
    url = ['--url', server.url];
    token = ['--token', readOperatorKey(dataDir) ?? 'missing'];
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('shows the status, the drafts and one draft', async () => {
    const status = await harness(['gc', 'status', 'app', ...url]);
    expect(status.stderr).toBe('');
    expect(status.stdout).toContain('drafts: 2 pending, 0 adopted, 0 rejected, 0 expired');
    expect(status.stdout).toContain('last run: never');
    const drafts = await harness(['--json', 'gc', 'drafts', 'app', '--status', 'pending', ...url]);
    const parsed = JSON.parse(drafts.stdout) as { drafts: Draft[] };
    expect(parsed.drafts.map((d) => d.id).sort()).toEqual(['draft_good', 'draft_hostile']);
    const show = await harness(['gc', 'show', 'draft_good', ...url]);
    expect(show.stdout).toContain('signal: review_findings (todo-left), strength 7 / threshold 3');
    expect(show.stdout).toContain('--- .harness/guards/no-todo.sh (guard, file)');
    expect(show.stdout).toContain('replay: not run');
    const missing = await harness(['gc', 'show', 'draft_nope', ...url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('draft not found: draft_nope');
  });

  it('adopts and rejects for the operator only; a hostile draft writes nothing', async () => {
    const anonymous = await harness(['gc', 'adopt', 'draft_good', ...url]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('adopting a GC draft is for a person');
    expect(existsSync(path.join(root, '.harness/guards/no-todo.sh'))).toBe(false);

    const adopted = await harness(['gc', 'adopt', 'draft_good', ...url, ...token]);
    expect(adopted.stderr).toBe('');
    expect(adopted.stdout.trim()).toBe('adopted draft_good: wrote .harness/guards/no-todo.sh');
    expect(readFileSync(path.join(root, '.harness/guards/no-todo.sh'), 'utf8')).toContain('NO-TODO');

    const before = git(root, 'status', '--porcelain', '--untracked-files=all');
    const hostile = await harness(['gc', 'adopt', 'draft_hostile', ...url, ...token]);
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toContain('refused, nothing written: ".git/hooks/pre-commit" is inside .git');
    expect(git(root, 'status', '--porcelain', '--untracked-files=all')).toBe(before);

    const noReason = await harness(['gc', 'reject', 'draft_hostile', ...url, ...token]);
    expect(noReason.code).toBe(2);
    const rejected = await harness([
      '--json',
      'gc',
      'reject',
      'draft_hostile',
      '--reason',
      'writes into .git',
      ...url,
      ...token,
    ]);
    expect(JSON.parse(rejected.stdout)).toMatchObject({
      status: 'rejected',
      reject_reason: 'writes into .git',
    });
    const again = await harness(['gc', 'adopt', 'draft_hostile', ...url, ...token]);
    expect(again.stderr).toMatch(/cannot be adopted: it is rejected by http client \(harness-cli\)/);
  });

  it('runs GC and reports signals, drafts and the budget', async () => {
    const run = await harness(['gc', 'run', 'app', ...url]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^GC run gcrun_\S+ on app started$/m);
    expect(run.stdout).toMatch(
      /^project app: run gcrun_\S+ finished: 0 signal\(s\), 0 draft\(s\), 0 error\(s\), \$0\.00 spent$/m,
    );
    expect(run.stdout).toMatch(/budget: \$0\.00 of \$5\.00 spent in the last 24 h, \$5\.00 left/);
    const json = JSON.parse((await harness(['--json', 'gc', 'run', 'app', ...url])).stdout) as {
      run: { id: string };
    };
    const status = await harness(['--json', 'gc', 'status', 'app', ...url]);
    expect(JSON.parse(status.stdout)).toMatchObject({
      last_run: { id: json.run.id, status: 'finished', trigger: 'manual' },
    });
  });
});
