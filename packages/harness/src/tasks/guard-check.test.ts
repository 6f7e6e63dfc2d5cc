/**
 * The pieces of the guard stage on their own: which files a task changed (real git in a temp
 * dir), the base versions materialized for the baseline scan, the multiset subtraction, rule
 * globs, and the feedback the agent reads.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Finding } from '@harness/protocol';
import { createProcessRunner } from '../core/index.js';
import type { GuardRun, Rule } from '../guards/index.js';
import {
  anyRuleApplies,
  brokenGuards,
  formatGuardFeedback,
  globToRegExp,
  subtractBaseline,
} from './guard-check.js';
import { baseGuardScripts, baselineTree, changedFiles } from './guard-files.js';

const runner = createProcessRunner();
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

const finding = (file: string, line: number | null, message = 'eval', rule_id = 'SEC-EVAL'): Finding => ({
  rule_id,
  severity: 'high',
  title: 'No eval',
  file,
  line,
  message,
  guard: 'SEC-EVAL',
});

const rule = (paths: string[], description = ''): Rule => ({
  id: 'SEC-EVAL',
  title: 'No eval',
  severity: 'high',
  category: 'security',
  paths,
  description,
  fixPattern: null,
  source: { file: 'rules.md', line: 1 },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-guard-check-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(root: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

describe("a task's files", () => {
  it('lists committed, uncommitted and untracked changes against the base, a rename with its old path, no deletions', async () => {
    write(dir, {
      'keep.js': 'same\n',
      'edit.js': 'old\n',
      'gone.js': 'bye\n',
      'src/moved.js': 'a\nb\nc\nd\ne\n',
      '.gitignore': 'build/\n',
    });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const base = git(dir, 'rev-parse', 'HEAD');
    mkdirSync(path.join(dir, 'lib'));
    git(dir, 'mv', 'src/moved.js', 'lib/moved.js');
    git(dir, 'rm', '-q', 'gone.js');
    write(dir, { 'committed.js': 'new\n' });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'work');
    write(dir, { 'edit.js': 'new\n', 'untracked.js': 'x\n', 'build/out.js': 'ignored\n' });

    expect(await changedFiles(runner, dir, base)).toEqual({
      files: [
        { path: 'committed.js', before: null },
        { path: 'edit.js', before: 'edit.js' },
        { path: 'lib/moved.js', before: 'src/moved.js' },
        { path: 'untracked.js', before: null },
      ],
      deleted: ['gone.js', 'src/moved.js'],
    });
  });

  it('materializes the base versions at their current paths, and removes them', async () => {
    write(dir, { 'edit.js': 'eval(a)\n', 'src/moved.js': 'eval(b)\n', '.harness/guards/g.sh': 'exit 0\n' });
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'base');
    const base = git(dir, 'rev-parse', 'HEAD');
    mkdirSync(path.join(dir, 'lib'));
    git(dir, 'mv', 'src/moved.js', 'lib/moved.js');
    write(dir, { 'edit.js': 'changed\n', '.harness/guards/g.sh': 'echo new guard\n' });

    const { files } = await changedFiles(runner, dir, base);
    const tree = await baselineTree(runner, dir, base, [...files, { path: 'brand-new.js', before: null }]);
    const read = (file: string) => readFileSync(path.join(tree.root, file), 'utf8');
    expect(read('edit.js')).toBe('eval(a)\n');
    expect(read('lib/moved.js')).toBe('eval(b)\n');
    expect(read('.harness/guards/g.sh')).toBe('exit 0\n');
    expect(existsSync(path.join(tree.root, 'brand-new.js'))).toBe(false);
    await tree.dispose();
    expect(existsSync(tree.root)).toBe(false);

    // The scanners are the base commit's, whatever the worktree now holds.
    write(dir, { '.harness/guards/added.sh': 'echo mine\n' });
    const scripts = await baseGuardScripts(runner, dir, base);
    expect(readdirSync(scripts.dir)).toEqual(['g.sh']);
    expect(readFileSync(path.join(scripts.dir, 'g.sh'), 'utf8')).toBe('exit 0\n');
    await scripts.dispose();
    expect(existsSync(scripts.dir)).toBe(false);
  });
});

describe('what the task brought in', () => {
  it('subtracts the base findings as a multiset on (rule, file, message), whatever their lines', () => {
    const { fresh, preexisting } = subtractBaseline(
      [finding('a.js', 10), finding('a.js', 12), finding('a.js', 3, 'other'), finding('b.js', 1)],
      [finding('a.js', 1), finding('c.js', 1)],
    );
    expect(preexisting).toEqual([finding('a.js', 10)]);
    expect(fresh).toEqual([finding('a.js', 12), finding('a.js', 3, 'other'), finding('b.js', 1)]);
  });
});

describe('a broken guard', () => {
  const run = (over: Partial<GuardRun>): GuardRun => ({
    ...{
      guard: 'G',
      path: '/p/g.sh',
      exitCode: 0,
      timedOut: false,
      durationMs: 5,
      stderr: '',
      error: undefined,
    },
    ...over,
  });

  it('is one that could not start, timed out, was killed or exited above 1; grep-style 0 and 1 are normal', () => {
    expect(
      brokenGuards([
        run({ exitCode: 0 }),
        run({ exitCode: 1, stderr: 'nothing found' }),
        run({ guard: 'A', exitCode: null, error: 'spawn ENOENT' }),
        run({ guard: 'B', exitCode: null, timedOut: true, durationMs: 60000 }),
        run({ guard: 'C', exitCode: null }),
        run({ guard: 'D', exitCode: 2, stderr: 'line 1\nline 2: syntax error\n' }),
      ]),
    ).toEqual([
      { guard: 'A', reason: 'could not run: spawn ENOENT' },
      { guard: 'B', reason: 'timed out after 60000ms' },
      { guard: 'C', reason: 'was killed by a signal' },
      { guard: 'D', reason: 'exited with code 2: line 1 | line 2: syntax error' },
    ]);
  });
});

describe('rule paths', () => {
  it('match globs the way rule files write them', () => {
    expect(globToRegExp('**/*.ts').test('src/a/b.ts')).toBe(true);
    expect(globToRegExp('**/*.ts').test('b.ts')).toBe(true);
    expect(globToRegExp('src/*.{js,ts}').test('src/a.js')).toBe(true);
    expect(globToRegExp('src/*.{js,ts}').test('src/x/a.js')).toBe(false);
    expect(globToRegExp('*.py').test('pkg/mod.py')).toBe(true);
    expect(globToRegExp('*.py').test('pkg/mod.pyc')).toBe(false);
  });

  it('decide whether any rule applies to the changed files', () => {
    const files = [{ path: 'docs/readme.md', before: null }];
    expect(anyRuleApplies(new Map(), files)).toBe(false);
    expect(anyRuleApplies(new Map([['R', rule(['**/*.js'])]]), files)).toBe(false);
    expect(anyRuleApplies(new Map([['R', rule(['**/*.md'])]]), files)).toBe(true);
    expect(anyRuleApplies(new Map([['R', rule([])]]), files)).toBe(true);
  });
});

describe("the agent's feedback", () => {
  const scanned = (blocking: Finding[], rules: Map<string, Rule>) => ({
    kind: 'scanned' as const,
    scan: { root: dir, files: [], findings: blocking, guards: [], garbage: [], skipped: [] },
    startedAt: new Date(),
    durationMs: 1,
    fresh: blocking,
    preexisting: [],
    blocking,
    broken: [],
    guardsChanged: [],
    rules,
  });

  it("lists each finding, then each rule's text once", () => {
    const rules = new Map([['SEC-EVAL', rule([], 'Use JSON.parse.')]]);
    const text = formatGuardFeedback(scanned([finding('a.js', 2), finding('b.js', null)], rules), 'high');
    expect(text).toContain(
      '- a.js:2 [SEC-EVAL] (high) No eval — eval\n- b.js [SEC-EVAL] (high) No eval — eval',
    );
    expect(text.match(/Use JSON\.parse\./g)).toHaveLength(1);
  });

  it('stays within its size, keeping the instruction at the end', () => {
    const many = Array.from({ length: 500 }, (_, i) => finding(`f${i}.js`, i, 'x'.repeat(50)));
    const text = formatGuardFeedback(scanned(many, new Map()), 'high', 2_000);
    expect(text.length).toBeLessThanOrEqual(2_000);
    expect(text).toContain('[… cut …]');
    expect(text.endsWith('the guards run again afterwards.')).toBe(true);
  });
});
