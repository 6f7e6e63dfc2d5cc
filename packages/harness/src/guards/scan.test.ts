import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinRules, loadRuleCatalogue } from './catalogue.js';
import { applyFixes } from './fix.js';
import { scanProject } from './scan.js';

let base: string;
let root: string;
beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'project-scan-'));
  root = path.join(base, 'project');
  await mkdir(root);
});
afterEach(() => rm(base, { recursive: true, force: true }));

async function put(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true });
  await writeFile(path.join(root, file), text);
}

/** A project guard that reports every TODO, and echoes the files it was given as a finding. */
const todoGuard = [
  'root="$1"; shift',
  'cd "$root" || exit 2',
  'grep -rn "TODO" --include="*.txt" . | sed "s|^\\./||" | while IFS=: read -r f l rest; do echo "$f:$l:ARCH-1:TODO left"; done',
  'for f in "$@"; do echo "$f::ARGS-1:given"; done',
  'echo "/etc/passwd:1:ARCH-1:outside"',
  'echo "../escape.txt:1:ARCH-1:outside"',
].join('\n');

describe('scanProject', () => {
  beforeEach(async () => {
    await put('.harness/guards/todo.sh', todoGuard);
    await put('.harness/rules/arch.md', '## ARCH-1: No TODOs left (high)\nFinish it.\n');
    await put('notes.txt', 'one\nTODO two\n');
    await put('docs/more.txt', 'TODO\n');
    await put('src/app.ts', 'export const f = (x: any) => x;\nconsole.log(f(1));\n');
    await put('src/app.test.ts', 'console.log("tests may print");\n');
    await put('node_modules/dep/index.js', 'eval(code);\n');
    await put('dist/out.js', 'eval(code);\n');
    await put('target/x.rs', 'fn f() { x.unwrap(); }\n');
  });

  it('runs the project guards and the built-in ones, mapping each finding to its rule', async () => {
    const catalogue = await loadRuleCatalogue({ projectRoot: root, home: base, adminDir: base });
    const scan = await scanProject(root, { rules: catalogue.rules });
    expect(scan.findings.map((f) => [f.file, f.line, f.rule_id, f.severity, f.guard])).toEqual([
      ['docs/more.txt', 1, 'ARCH-1', 'high', 'TODO'],
      ['notes.txt', 2, 'ARCH-1', 'high', 'TODO'],
      ['src/app.ts', 1, 'TS-01', 'medium', 'builtin'],
      ['src/app.ts', 2, 'TS-02', 'low', 'builtin'],
    ]);
    expect(scan.files).toBeNull();
    expect(scan.garbage.map((g) => g.line)).toEqual([
      `/etc/passwd: outside the project root ${root}`,
      `../escape.txt: outside the project root ${root}`,
    ]);
    expect(scan.guards.map((g) => g.guard)).toEqual(['TODO', 'builtin']);
  });

  it('limits the scan to the files asked for and passes them to the guards after the root', async () => {
    const scan = await scanProject(root, { files: ['notes.txt', path.join(root, 'src/app.ts')] });
    expect(scan.files).toEqual(['notes.txt', 'src/app.ts']);
    expect(scan.findings.map((f) => [f.file, f.rule_id, f.title])).toEqual([
      ['notes.txt', 'ARGS-1', null],
      ['notes.txt', 'ARCH-1', null],
      ['src/app.ts', 'ARGS-1', null],
      ['src/app.ts', 'TS-01', 'No explicit `any`'],
      ['src/app.ts', 'TS-02', 'No console.log left in code'],
    ]);
  });

  it('takes a directory among the files for everything below it', async () => {
    const scan = await scanProject(root, { files: ['src/'] });
    expect(scan.files).toEqual(['src']);
    expect(scan.findings.map((f) => [f.file, f.rule_id])).toEqual([
      ['src', 'ARGS-1'],
      ['src/app.ts', 'TS-01'],
      ['src/app.ts', 'TS-02'],
    ]);
  });

  it('runs no built-in guard when told not to, or for rules the catalogue does not hold', async () => {
    const off = await scanProject(root, { builtinGuards: false });
    expect(off.findings.some((f) => f.guard === 'builtin')).toBe(false);
    const onlyTs02 = new Map([...builtinRules()].filter(([id]) => id === 'TS-02'));
    const some = await scanProject(root, { rules: onlyTs02 });
    expect(some.findings.filter((f) => f.guard === 'builtin').map((f) => f.rule_id)).toEqual(['TS-02']);
  });

  it('refuses a file outside the root, by path or through a symlink', async () => {
    await writeFile(path.join(base, 'outside.ts'), 'eval(x);\n');
    await symlink(path.join(base, 'outside.ts'), path.join(root, 'link.ts'));
    await expect(scanProject(root, { files: ['../outside.ts'] })).rejects.toThrow(
      `file path '../outside.ts' is outside project root '${root}'`,
    );
    await expect(scanProject(root, { files: ['link.ts'] })).rejects.toThrow(
      `file path 'link.ts' is outside project root '${root}'`,
    );
    const whole = await scanProject(root, { builtinGuards: true });
    expect(whole.findings.some((f) => f.file === 'link.ts')).toBe(false);
  });
});

describe('applyFixes', () => {
  it('fixes only the reported lines, never a file outside the root, and the rescan is clean', async () => {
    await put(
      '.harness/rules/api.md',
      '---\nfix_pattern: "s/oldApi\\(/newApi(/g"\n---\n## API-1: Use newApi (high)\n',
    );
    await put(
      '.harness/guards/api.sh',
      'cd "$1"; grep -n "oldApi(" src/a.ts | grep -v keep | while IFS=: read -r l rest; do echo "src/a.ts:$l:API-1:old"; done',
    );
    await put('src/a.ts', 'oldApi(1); oldApi(2);\n// keep oldApi( here\noldApi(3);\n');
    const catalogue = await loadRuleCatalogue({
      projectRoot: root,
      home: base,
      adminDir: base,
      builtin: false,
    });
    const scan = await scanProject(root, { rules: catalogue.rules });
    expect(scan.findings.map((f) => f.line)).toEqual([1, 3]);
    const outside = { ...scan.findings[0]!, file: '../elsewhere.ts' };
    await writeFile(path.join(base, 'elsewhere.ts'), 'oldApi(9);\n');
    const result = await applyFixes(root, [...scan.findings, outside], catalogue.rules);
    expect(result).toMatchObject({ filesChanged: ['src/a.ts'], fixesApplied: 2 });
    expect(result.notApplied.map((n) => n.reason)).toEqual([`../elsewhere.ts is not a file inside ${root}`]);
    expect(await readFile(path.join(root, 'src/a.ts'), 'utf8')).toBe(
      'newApi(1); newApi(2);\n// keep oldApi( here\nnewApi(3);\n',
    );
    expect(await readFile(path.join(base, 'elsewhere.ts'), 'utf8')).toBe('oldApi(9);\n');
    expect((await scanProject(root, { rules: catalogue.rules })).findings).toEqual([]);
  });
});
