import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerRuleCommand } from './rule.js';

let dir: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-cli-rule-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

/** Runs `harness <args>` in-process on a program with the real global options. */
async function run(args: string[]): Promise<Run> {
  const result: Run = { stdout: '', stderr: '', exitCode: undefined };
  const program = new Command('harness')
    .exitOverride()
    .option('-c, --config <path>', 'config file')
    .option('-p, --project <name=path>', 'project', (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .option('--json', 'JSON output');
  registerRuleCommand(program, {
    stdout: { write: (chunk: string) => (result.stdout += chunk) },
    stderr: { write: (chunk: string) => (result.stderr += chunk) },
    env: {},
    cwd: dir,
    home: path.join(dir, 'home'),
    setExitCode: (code) => {
      result.exitCode = code;
    },
  });
  await program.parseAsync(args, { from: 'user' });
  return result;
}

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

const POLICY = `prefix_rule(pattern = ["git", ["status", "log"]], decision = "allow")
prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "touches a remote")
prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden", justification = "recursive delete")
`;

describe('harness rule load', () => {
  it('validates and lists the rules', async () => {
    const file = write('p.star', POLICY);
    const r = await run(['rule', 'load', file]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('ok: 3 rules from 1 file');
    expect(r.stdout).toContain(`forbidden rm -rf  ${file}:3  — recursive delete`);
  });

  it('prints JSON with --json', async () => {
    const file = write('p.star', POLICY);
    const r = await run(['--json', 'rule', 'load', file]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      files: [file],
      prefix_rules: [{ rule: 'git [status|log]' }, {}, {}],
    });
  });

  it('points into the policy file on errors and exits 1', async () => {
    const file = write(
      'bad.star',
      'prefix_rule(pattern = ["ls"])\nprefix_rule(pattern = ["git", "push"], match = ["git pull"])\n',
    );
    const r = await run(['rule', 'load', file]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      `error: ${file}:2:12: example did not match rule: git pull (expected every example to match) [policy_error]\n`,
    );
  });

  it('loads a project directory and the config’s extra policy paths', async () => {
    write('proj/.harness/policy/a.star', 'prefix_rule(pattern = ["ls"])\n');
    const extra = write('org/org.star', 'prefix_rule(pattern = ["curl"], decision = "prompt")\n');
    const config = write('config.toml', `[rules]\nexec_policy_paths = [${JSON.stringify(extra)}]\n`);
    const r = await run(['--config', config, 'rule', 'load', path.join(dir, 'proj')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('ok: 2 rules from 2 files');
  });

  it('reports a missing path clearly', async () => {
    const r = await run(['rule', 'load', path.join(dir, 'nope.star')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('nope.star: no such file or directory');
  });
});

describe('harness rule check PATH -- CMD', () => {
  it.each([
    [['git', 'status'], 0, 'allow'],
    [['git', 'push', 'origin'], 2, 'prompt'],
    [['rm', '-rf', '/'], 3, 'forbidden'],
    [['git status && rm -rf /'], 3, 'forbidden'],
    [['bash', '-c', 'rm -rf /'], 3, 'forbidden'],
    [["echo 'open"], 2, 'prompt'],
  ])('%j exits %i', async (words, code, decision) => {
    const file = write('p.star', POLICY);
    const r = await run(['rule', 'check', file, '--', ...words]);
    expect(r.exitCode).toBe(code);
    expect(r.stdout.split('\n')[0]).toBe(decision);
  });

  it('prints the matching rules and parts', async () => {
    const file = write('p.star', POLICY);
    const r = await run(['rule', 'check', file, '--', 'git status; git push']);
    expect(r.stdout).toContain(
      `  prompt    git push\n      rule prompt    git push  ${file}:2  — touches a remote`,
    );
    const json = await run(['--json', 'rule', 'check', file, '--', 'git', 'push']);
    expect(JSON.parse(json.stdout)).toMatchObject({
      decision: 'prompt',
      matched_rules: [{ rule: 'git push', line: 2 }],
    });
  });

  it('--default changes what unmatched commands get', async () => {
    const file = write('p.star', POLICY);
    expect((await run(['rule', 'check', file, '--', 'make'])).exitCode).toBe(0);
    expect((await run(['rule', 'check', '--default', 'prompt', file, '--', 'make'])).exitCode).toBe(2);
  });
});

describe('harness rule load DIR', () => {
  it('lists the rule catalogue beside the policy, and fails on a broken rule file', async () => {
    write('.harness/policy/p.star', POLICY);
    write('.harness/rules/own.md', '## OWN-1: Ours (high)\n## TS-02: Console is fine (low)\n');
    const r = await run(['rule', 'load', dir]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('rule catalogue: 23 rules (2 from rule files, the rest built in)');
    expect(r.stdout).toContain(`  high      OWN-1: Ours  ${dir}/.harness/rules/own.md:1`);
    expect(r.stdout).toMatch(/ {2}TS-02 at builtin:typescript\.md:\d+ is hidden by .*own\.md:2/);
    write('.harness/rules/bad.md', '## BAD-1: no marker\n');
    const bad = await run(['rule', 'load', dir]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain(`${dir}/.harness/rules/bad.md:1: rule BAD-1 has no severity marker`);
  });
});

describe('harness rule check DIR', () => {
  it('runs the guards and the policy load; exit 1 for findings at high or above', async () => {
    write('.harness/rules/todo.md', '## TODO-1: No TODOs (high)\n');
    write('.harness/policy/p.star', POLICY);
    write(
      '.harness/guards/todo.sh',
      'cd "$1" && grep -Hn TODO src/*.ts | while IFS=: read -r f l rest; do echo "$f:$l:TODO-1:leftover TODO"; done\necho noise\n',
    );
    write('src/a.ts', 'const x = 1;\n// TODO remove\n');
    const r = await run(['rule', 'check', dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('high (1)\n  src/a.ts:2  TODO-1 No TODOs: leftover TODO  [TODO]');
    expect(r.stdout).toMatch(
      /: 1 finding \(0 critical, 1 high, 0 medium, 0 low\) from 2 guards, stored as scan_\S+ — FAILED/,
    );
    expect(r.stdout).toContain('warning: unparseable output from guard TODO: noise');
    expect(r.stdout).toContain('policy: 3 rules from 1 files');
  });

  it('exits 0 for a clean project and 1 for a broken policy', async () => {
    write('.harness/policy/p.star', POLICY);
    expect((await run(['rule', 'check', dir])).exitCode).toBe(0);
    write('.harness/policy/q.star', 'prefix_rule(pattern = [])\n');
    const r = await run(['rule', 'check', dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('q.star:1:12: pattern cannot be empty');
  });

  it('explains how to check a command when PATH is a file (exit 2, a usage error)', async () => {
    const file = write('p.star', POLICY);
    const r = await run(['rule', 'check', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('pass it after `--`');
    const both = await run(['rule', 'check', dir, '--files', 'a.ts', '--', 'git', 'push']);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain('--files and --fix scan a project: leave out the command to scan');
  });

  it('scans only --files, refusing one outside the project (exit 2)', async () => {
    write('src/a.py', 'try:\n    pass\nexcept:\n    pass\n');
    write('src/b.py', 'assert x\n');
    const r = await run(['--json', 'rule', 'check', dir, '--files', 'src/b.py']);
    expect(r.exitCode).toBe(0);
    const data = JSON.parse(r.stdout) as { findings: { rule_id: string }[]; scan_id: string };
    expect(data.findings.map((f) => f.rule_id)).toEqual(['PY-04']);
    expect(data.scan_id).toMatch(/^scan_/);
    const outside = await run(['rule', 'check', dir, '--files', '../elsewhere.py']);
    expect(outside.exitCode).toBe(2);
    expect(outside.stderr).toContain(`file path '../elsewhere.py' is outside project root '${dir}'`);
  });

  it('--fix rewrites the reported lines and reports what is left', async () => {
    write('src/a.py', 'try:\n    pass\nexcept:\n    pass\n');
    expect((await run(['rule', 'check', dir])).exitCode).toBe(1);
    const r = await run(['rule', 'check', dir, '--fix']);
    expect(r.stdout).toContain('fixed: 1 finding in 1 file');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'src/a.py'), 'utf8')).toBe(
      'try:\n    pass\nexcept Exception:\n    pass\n',
    );
  });
});
