import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HarnessError } from '../core/index.js';
import { strictest } from './decision.js';
import { discoverPolicyFiles, loadPolicy, loadPolicyFiles } from './load-policy.js';

const load = (source: string, file = 'policy.star') => loadPolicy({ files: [{ path: file, source }] });

function loadError(source: string, file = 'policy.star'): HarnessError {
  try {
    load(source, file);
  } catch (error) {
    if (error instanceof HarnessError) return error;
    throw error;
  }
  throw new Error('policy loaded but should not have');
}

describe('prefix_rule', () => {
  it('expands only first-token alternatives into separate rules', () => {
    const p = load('prefix_rule(pattern = [["bash", "sh"], ["-c", "-l"], "x"])');
    expect(p.rules.prefixRules.map((r) => [r.program, r.tail])).toEqual([
      ['bash', [['-c', '-l'], ['x']]],
      ['sh', [['-c', '-l'], ['x']]],
    ]);
  });

  it('accepts positional arguments in signature order and None for optional ones', () => {
    const p = load('prefix_rule(["git", "push"], "prompt", ["git push"], None, "why")');
    expect(p.rules.prefixRules[0]).toMatchObject({ decision: 'prompt', justification: 'why' });
  });

  it('works with ordinary Starlark around the calls', () => {
    const p = load(`
SAFE = ["status", "log"]
_ = [prefix_rule(pattern = ["git", s], decision = "allow") for s in SAFE]
prefix_rule(pattern = ["rm"], decision = "forbidden" if len(SAFE) > 1 else "prompt")
`);
    expect(p.check(['git', 'log']).decision).toBe('allow');
    expect(p.check(['rm', 'x']).decision).toBe('forbidden');
  });

  it.each([
    ['prefix_rule(pattern = [])', 'pattern cannot be empty'],
    ['prefix_rule(pattern = ["git", 1])', 'pattern element must be a string or list of strings'],
    ['prefix_rule(pattern = ["git", ["push", 2]])', 'pattern alternative must be string'],
    ['prefix_rule(pattern = ["git", []])', 'cannot be empty'],
    ['prefix_rule(pattern = [" "])', 'cannot be empty'],
    ['prefix_rule(decision = "allow")', 'missing required argument `pattern`'],
    [
      'prefix_rule(pattern = ["ls"], decision = "deny")',
      'invalid decision `deny`; expected allow|prompt|forbidden',
    ],
    ['prefix_rule(pattern = ["ls"], justification = "  ")', 'justification cannot be empty'],
    ['prefix_rule(pattern = ["ls"], reason = "x")', 'unexpected keyword argument `reason`'],
    ['prefix_rule(["ls"], pattern = ["ls"])', 'multiple values for argument `pattern`'],
    ['prefix_rule(pattern = ["ls"], match = [[]])', 'example cannot be an empty list'],
    ['prefix_rule(pattern = ["ls"], match = [1])', 'example must be a string or list of strings'],
    ['prefix_rule(pattern = ["echo"], match = ["echo \'open"])', 'invalid shell syntax'],
    ['prefix_rule(pattern = ["ls"], match = "ls")', 'must be a list of examples'],
  ])('%s → %s', (source, message) => {
    const error = loadError(source);
    expect(error.code).toBe('policy_error');
    expect(error.message).toContain(message);
    expect(error.message).toMatch(/^policy\.star:1:\d+: /);
  });
});

describe('match / not_match examples', () => {
  it('a failing match example names the file, line and column of the call', () => {
    const error = loadError(
      '# rules\nprefix_rule(pattern = ["ls"])\nprefix_rule(\n  pattern = ["git", "push"],\n  match = ["git pull"],\n)\n',
      'dir/p.star',
    );
    expect(error.message).toBe(
      'dir/p.star:3:12: example did not match rule: git pull (expected every example to match)',
    );
    expect(error.data).toMatchObject({ file: 'dir/p.star', line: 3, column: 12 });
  });

  it('a not_match example that matches fails the load', () => {
    const error = loadError(
      'prefix_rule(pattern = ["git", "push"], decision = "prompt", not_match = [["git", "push", "x"]])',
    );
    expect(error.message).toContain('negative example unexpectedly matched rule: git push x');
  });

  it('examples are checked against only the rules of the same call', () => {
    expect(() =>
      load('prefix_rule(pattern = ["git"])\nprefix_rule(pattern = ["ls"], not_match = ["git status"])'),
    ).not.toThrow();
  });

  it('examples use host resolution, so a declared path matches', () => {
    const source =
      'host_executable(name = "git", paths = ["/usr/bin/git"])\nprefix_rule(pattern = ["git"], match = ["/usr/bin/git status"], not_match = ["/opt/git status"])';
    expect(() => load(source)).not.toThrow();
  });
});

describe('host_executable', () => {
  it.each([
    ['host_executable(name = "git", paths = ["git"])', 'host_executable paths must be absolute: git'],
    [
      'host_executable(name = "/usr/bin/git", paths = [])',
      'host_executable name must be a bare executable name',
    ],
    ['host_executable(name = "git", paths = ["/usr/bin/gitx"])', 'must have basename `git`'],
    ['host_executable(name = "git", paths = "/usr/bin/git")', 'must be a list'],
  ])('%s', (source, message) => {
    expect(loadError(source).message).toContain(message);
  });

  it('accumulates and de-duplicates declarations across files', () => {
    const p = loadPolicy({
      files: [
        { path: 'a.star', source: 'host_executable(name = "git", paths = ["/usr/bin/git", "/usr/bin/git"])' },
        {
          path: 'b.star',
          source:
            'host_executable(name = "git", paths = ["/opt/bin/git"])\nprefix_rule(pattern = ["git"], decision = "prompt")',
        },
      ],
    });
    expect(p.rules.hostExecutables.get('git')).toEqual(['/usr/bin/git', '/opt/bin/git']);
    expect(p.files).toEqual(['a.star', 'b.star']);
    expect(p.evaluate(['/opt/bin/git', 'x'], { resolveHostExecutables: true }).decision).toBe('prompt');
  });
});

describe('dialect and interpreter errors', () => {
  it.each([
    ['def f():\n  pass\n', 1],
    ['x = 1\nload("a.star", "b")\n', 2],
    ['for x in []:\n  pass\n', 1],
    ['prefix_rule(pattern = ["ls"]\n', 1],
    ['fail("refusing to load")', 1],
    ['x = 1\ny = undefined_name\n', 2],
  ])('%j is rejected at line %i', (source, line) => {
    const error = loadError(source);
    expect(error.code).toBe('policy_error');
    expect(error.message).toMatch(new RegExp(`^policy\\.star:${line}:\\d+: `));
  });

  it('stops runaway programs with a limit error', () => {
    const run = () =>
      loadPolicy(
        { files: [{ path: 'p.star', source: 'x = [i for i in range(100000000)]' }] },
        { limits: { maxSteps: 10_000 } },
      );
    expect(run).toThrow(/^p\.star:1:/);
  });

  it.each([
    ['x = [[j for j in range(10000)] for i in range(10000)]', 'step budget exhausted'],
    ['x = {i: i for i in range(50000000)}', 'value too large'],
    ['x = ",".join(["a" * 100000] * 100)', 'string too long'],
  ])('bounds a runaway policy with budgets sized to policies, not programs: %s', (source, message) => {
    const error = loadError(source);
    expect(error.message).toMatch(/^policy\.star:1:\d+: /);
    expect(error.message).toContain(message);
  });

  it('refuses oversized files', () => {
    expect(loadError(`# ${'x'.repeat(600 * 1024)}`).message).toContain('exceeds 524288 bytes');
  });
});

describe('files on disk', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'harness-rules-'));
    await mkdir(path.join(root, '.harness', 'policy'), { recursive: true });
    await writeFile(
      path.join(root, '.harness', 'policy', 'b.star'),
      'prefix_rule(pattern = ["git", "push"], decision = "forbidden")\n',
    );
    await writeFile(
      path.join(root, '.harness', 'policy', 'a.star'),
      'prefix_rule(pattern = ["git"], decision = "prompt")\n',
    );
    await writeFile(path.join(root, '.harness', 'policy', 'notes.md'), 'not a policy');
    await mkdir(path.join(root, 'org'));
    await writeFile(
      path.join(root, 'org', 'org.star'),
      'prefix_rule(pattern = ["curl"], decision = "prompt")\n',
    );
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('discovers .harness/policy/*.star in name order, then extra paths', async () => {
    const files = await discoverPolicyFiles(root, ['org']);
    expect(files.map((f) => path.relative(root, f))).toEqual([
      path.join('.harness', 'policy', 'a.star'),
      path.join('.harness', 'policy', 'b.star'),
      path.join('org', 'org.star'),
    ]);
    const policy = await loadPolicyFiles(files);
    expect(policy.check(['git', 'push']).decision).toBe('forbidden');
    expect(policy.check(['curl', 'x']).decision).toBe('prompt');
  });

  it('a project without a policy directory has no project files; a missing extra path is an error', async () => {
    expect(await discoverPolicyFiles(path.join(root, 'org'))).toEqual([]);
    await expect(discoverPolicyFiles(root, ['missing.star'])).rejects.toThrow(/policy path does not exist/);
    await expect(loadPolicyFiles([path.join(root, 'nope.star')])).rejects.toThrow(/cannot read policy file/);
  });
});

// The interpreter engineer scores the whole corpus; these are the cases about the builtins' semantics.
const CASES = path.resolve(
  import.meta.dirname,
  '../../../../../shared/conformance/starlark/policy/cases.jsonl',
);

interface PolicyCase {
  id: string;
  policy: string;
  policy_files?: string[];
  command?: string[];
  commands?: string[][];
  expected: string | null;
  expected_by_engine?: { harness?: string | null };
  engines?: string[];
  options?: { resolve_host_executables?: boolean };
  matched_prefixes?: string[][];
  resolved_program?: string;
  justification?: string;
  error_contains?: string;
  error_contains_harness?: string;
}

describe.skipIf(!existsSync(CASES))('conformance: policy cases', () => {
  const cases: PolicyCase[] = existsSync(CASES)
    ? readFileSync(CASES, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as PolicyCase)
    : [];

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const sources = c.policy_files ?? [c.policy];
    const expected =
      c.expected_by_engine && 'harness' in c.expected_by_engine ? c.expected_by_engine.harness : c.expected;
    let policy;
    try {
      policy = loadPolicy({ files: sources.map((source, i) => ({ path: `case-${i}.star`, source })) });
    } catch (error) {
      expect(expected, (error as Error).message).toBe('error');
      const wanted = [c.error_contains, c.error_contains_harness].filter((w): w is string => w !== undefined);
      if (wanted.length > 0)
        expect(
          wanted.some((w) => (error as Error).message.includes(w)),
          (error as Error).message,
        ).toBe(true);
      return;
    }
    expect(expected).not.toBe('error');
    const options = { resolveHostExecutables: c.options?.resolve_host_executables ?? false };
    const results = (c.commands ?? [c.command ?? []]).map((argv) => policy.evaluate(argv, options));
    const decisions = results.flatMap((r) => (r.decision === null ? [] : [r.decision]));
    expect(strictest(decisions) ?? null).toBe(expected);
    const matched = results.flatMap((r) => r.matched);
    if (c.matched_prefixes) expect(matched.map((m) => m.matchedPrefix)).toEqual(c.matched_prefixes);
    if (c.resolved_program) expect(matched[0]?.resolvedProgram).toBe(c.resolved_program);
    if (c.justification) expect(matched[0]?.justification).toBe(c.justification);
  });
});
