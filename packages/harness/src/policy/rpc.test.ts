import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from './load-policy.js';
import { CommandCheckResultSchema, ProjectCheckResultSchema, RuleLoadResultSchema } from '@harness/protocol';
import { ruleCheck, ruleLoad } from './rpc.js';
import { checkCommandLineWithScripts } from './script-files.js';

let root: string;
let policyFile: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'harness-rpc-'));
  await mkdir(path.join(root, '.harness', 'policy'), { recursive: true });
  await mkdir(path.join(root, '.harness', 'guards'), { recursive: true });
  policyFile = path.join(root, '.harness', 'policy', 'main.star');
  await writeFile(
    policyFile,
    'prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "no pushing")\nhost_executable(name = "git", paths = ["/usr/bin/git"])\n',
  );
  await writeFile(
    path.join(root, '.harness', 'guards', 'todo.sh'),
    'echo "src/a.ts:7:TODO-1:leftover TODO"\n',
  );
});
afterAll(() => rm(root, { recursive: true, force: true }));

describe('rule/load', () => {
  it('lists the rules of a project', async () => {
    const result = await ruleLoad({ project_root: root });
    expect(RuleLoadResultSchema.parse(result)).toEqual(result);
    expect(result.files).toEqual([policyFile]);
    expect(result.prefix_rules).toEqual([
      {
        rule: 'git push',
        pattern: [['git'], ['push']],
        decision: 'forbidden',
        justification: 'no pushing',
        file: policyFile,
        line: 1,
        column: 12,
      },
    ]);
    expect(result.host_executables).toEqual([{ name: 'git', paths: ['/usr/bin/git'] }]);
  });

  it('rejects bad params and reports policy errors with their position', async () => {
    await expect(ruleLoad({})).rejects.toMatchObject({ code: 'invalid_params' });
    const bad = path.join(root, 'bad.star');
    await writeFile(bad, '\nprefix_rule(pattern = ["x"], decision = "nope")\n');
    await expect(ruleLoad({ path: bad })).rejects.toMatchObject({
      code: 'policy_error',
      message: `${bad}:2:12: invalid decision \`nope\`; expected allow|prompt|forbidden`,
    });
    await expect(ruleLoad({ path: path.join(root, 'missing.star') })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('rule/check', () => {
  it('checks an argv array and a command string', async () => {
    const argv = await ruleCheck({ project_root: root, command: ['git', 'push'] });
    expect(CommandCheckResultSchema.parse(argv)).toEqual(argv);
    expect(argv).toMatchObject({ kind: 'command', decision: 'forbidden' });
    const line = await ruleCheck({ path: policyFile, command: 'ls && /usr/bin/git -C x push' });
    expect(line).toMatchObject({ kind: 'command', decision: 'forbidden' });
    if (line.kind !== 'command') throw new Error('unreachable');
    expect(line.matched_rules[0]).toMatchObject({
      rule: 'git push',
      resolved_program: '/usr/bin/git',
      matched_prefix: ['git', 'push'],
    });
    expect(line.parts.map((p) => p.decision)).toEqual(['allow', 'forbidden']);
  });

  it('checks what a script run by the command contains, relative to the project', async () => {
    await writeFile(path.join(root, 'release.sh'), '#!/bin/sh\ngit push origin main\n');
    const result = await ruleCheck({ project_root: root, command: 'bash release.sh' });
    expect(result).toMatchObject({ kind: 'command', decision: 'forbidden' });
    expect((result as { reason: string }).reason).toContain('the script release.sh runs');
  });

  it('honours default_decision', async () => {
    const result = await ruleCheck({ path: policyFile, command: ['make'], default_decision: 'prompt' });
    expect(result).toMatchObject({ decision: 'prompt' });
  });

  it('without a command, scans the project with its guards and the built-in rules', async () => {
    const result = await ruleCheck({ project_root: root });
    expect(ProjectCheckResultSchema.parse(result)).toEqual(result);
    expect(result).toMatchObject({
      kind: 'project',
      ok: true,
      scan_id: null,
      project: path.basename(root),
      files: null,
      findings: [
        {
          guard: 'TODO',
          file: 'src/a.ts',
          line: 7,
          rule_id: 'TODO-1',
          message: 'leftover TODO',
          severity: 'medium',
        },
      ],
      by_severity: { critical: 0, high: 0, medium: 1, low: 0 },
      policy: { files: [policyFile], rule_count: 1 },
    });
  });

  it('tells the forms apart: files with a command, empty files, a policy file without a command', async () => {
    await expect(ruleCheck({ project_root: root, files: ['a.ts'], command: 'ls' })).rejects.toMatchObject({
      code: 'invalid_params',
      message: 'pass `command` to check a command, or `files` to scan files, not both',
    });
    await expect(ruleCheck({ project_root: root, files: [] })).rejects.toMatchObject({
      code: 'invalid_params',
      message: 'files: empty scan input',
    });
    await expect(ruleCheck({ path: policyFile })).rejects.toMatchObject({
      code: 'invalid_params',
      message: `${policyFile} is a policy file: pass a command to check against it, or project_root to scan a project`,
    });
  });

  it('refuses what the caller does not allow, and hands the scan to be stored', async () => {
    const stored: string[] = [];
    const ctx = {
      authorize: async (dir: string) => {
        if (dir !== root) throw new Error(`not allowed: ${dir}`);
        return { project: 'web', root: dir };
      },
      record: async (input: { project: string; scan: { findings: readonly unknown[] } }) => {
        stored.push(`${input.project}:${input.scan.findings.length}`);
        return 'scan_1';
      },
    };
    await expect(ruleCheck({ project_root: tmpdir() }, ctx)).rejects.toThrow(`not allowed: ${tmpdir()}`);
    const result = await ruleCheck({ project_root: root, files: ['src/a.ts'] }, ctx);
    expect(result).toMatchObject({ kind: 'project', scan_id: 'scan_1', project: 'web', files: ['src/a.ts'] });
    expect(stored).toEqual(['web:1']);
  });
});

describe('rule/load with project_root', () => {
  it('lists the rule catalogue beside the policy, with what each rule hides', async () => {
    await mkdir(path.join(root, '.harness', 'rules'), { recursive: true });
    const rules = path.join(root, '.harness', 'rules', 'own.md');
    await writeFile(
      rules,
      '---\npaths: "**/*.ts"\n---\n## TS-02: Console output is fine here (low)\n## OWN-1: Ours (high)\n',
    );
    const result = await ruleLoad({ project_root: root });
    expect(RuleLoadResultSchema.parse(result)).toEqual(result);
    expect(result.files).toEqual([policyFile]);
    expect(result.rules?.find((r) => r.id === 'OWN-1')).toEqual({
      id: 'OWN-1',
      title: 'Ours',
      severity: 'high',
      category: 'style',
      paths: ['**/*.ts'],
      fix_pattern: null,
      source: { file: rules, line: 5 },
      origin: 'project',
    });
    expect(result.rules_count).toBe(result.rules?.length);
    expect(result.shadowed?.filter((s) => s.id === 'TS-02')).toEqual([
      { id: 'TS-02', by: `${rules}:4`, hidden: expect.stringMatching(/^builtin:typescript\.md:\d+$/) },
    ]);
    expect((await ruleLoad({ path: policyFile })).rules).toBeUndefined();
  });
});

// The shared benchmark workload doubles as a regression test of the codex-compatible lookup.
const BENCH = path.resolve(import.meta.dirname, '../../../../../shared/bench/policy');

describe.skipIf(!existsSync(path.join(BENCH, 'policy.star')))('shared bench workload', () => {
  it('every decision equals expected-decisions.jsonl', () => {
    const policy = loadPolicy({
      files: [{ path: 'policy.star', source: readFileSync(path.join(BENCH, 'policy.star'), 'utf8') }],
    });
    const commands = JSON.parse(readFileSync(path.join(BENCH, 'commands.json'), 'utf8')) as string[][];
    const expected = readFileSync(path.join(BENCH, 'expected-decisions.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { decision: string | null }).decision);
    expect(commands).toHaveLength(expected.length);
    const mismatches = commands.flatMap((argv, i) => {
      const got = policy.evaluate(argv).decision;
      return got === expected[i] ? [] : [{ argv, got, want: expected[i] }];
    });
    expect(mismatches).toEqual([]);
    // The hardened check may only be stricter than the raw lookup, never more lenient.
    const rank = { allow: 0, prompt: 1, forbidden: 2 } as const;
    for (const [i, argv] of commands.entries()) {
      const raw = expected[i];
      if (raw === null || raw === undefined) continue;
      expect(rank[policy.check(argv).decision]).toBeGreaterThanOrEqual(rank[raw as keyof typeof rank]);
    }
  });
});

describe('rule/check and the command gate give one answer', () => {
  it('resolves git aliases, make recipes and split flags in the project directory, as the gate does', async () => {
    const project = await mkdtemp(path.join(tmpdir(), 'harness-rpc-alias-'));
    try {
      execFileSync('git', ['init', '-q', project]);
      execFileSync('git', ['config', 'alias.p', 'push'], { cwd: project });
      await writeFile(path.join(project, 'Makefile'), 'ship:\n\tgit p origin main\n');
      const star = path.join(project, 'p.star');
      await writeFile(
        star,
        'prefix_rule(pattern = ["git", "push"], decision = "forbidden")\nprefix_rule(pattern = ["rm", "-rf"], decision = "forbidden")\n',
      );
      const policy = loadPolicy({ files: [{ path: star, source: readFileSync(star, 'utf8') }] });
      for (const command of ['git p', 'make ship', 'rm -r -f build', 'git status']) {
        const rpc = await ruleCheck({ path: star, project_root: project, command });
        const gate = await checkCommandLineWithScripts(policy, command, project);
        expect(CommandCheckResultSchema.parse(rpc)).toEqual(rpc);
        expect([command, (rpc as { decision: string }).decision]).toEqual([command, gate.decision]);
        expect(gate.decision).toBe(command === 'git status' ? 'allow' : 'forbidden');
      }
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
});
