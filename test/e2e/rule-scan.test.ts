/**
 * `harness rule check DIR` from the built binary: a project with planted problems (a project guard
 * and rule file beside the built-in catalogue) is scanned, the findings carry their rules'
 * severities, the scan is stored in the data directory's SQLite under the project's registered
 * name, `--fix` repairs what it can, and the exit code says whether high findings remain.
 * Needs `npm run build`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, repoRoot, tempDir } from '@harness/testkit';
import { builtinRules, parseRuleFile } from '../../packages/harness/src/guards/index.js';
import { SqliteStore } from '../../packages/harness/src/store/index.js';

const dir = tempDir('harness-rule-scan-');
afterAll(() => dir.remove());
const home = realpathSync(dir.path);
const root = path.join(home, 'shop');
const dataDir = path.join(home, '.data', 'harness');

function write(rel: string, text: string): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function harness(args: string[]) {
  const run = spawnSync(process.execPath, [harnessBin, ...args], {
    env: isolatedEnv(home),
    cwd: home,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

write(
  '.harness/rules/shop.md',
  '---\nfix_pattern: "s/legacyPrice\\(/price(/"\n---\n## SHOP-1: Use price() (high)\n',
);
write(
  '.harness/guards/legacy.sh',
  'cd "$1" && grep -rn "legacyPrice(" --include=*.py . | sed "s|^\\./||" | cut -d: -f1,2 | sed "s/$/:SHOP-1:legacy price call/"\n',
);
write('app/cart.py', 'def total(items=[]):\n    return legacyPrice(items)\n');
write(
  'app/db.py',
  'def find(cur, name):\n    cur.execute("SELECT * FROM users WHERE name = \'" + name + "\'")\n',
);
write('web/client.ts', 'export const agent = { rejectUnauthorized: false };\n');

describe('harness rule check DIR', () => {
  it('finds the planted problems with their severities and stores the scan under the project', async () => {
    const r = harness(['--project', `shop=${root}`, '--json', 'rule', 'check', root]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const data = JSON.parse(r.stdout) as {
      scan_id: string;
      project: string;
      findings: { rule_id: string; severity: string; file: string; line: number; guard: string }[];
    };
    expect(data.project).toBe('shop');
    expect(data.findings.map((f) => [f.file, f.line, f.rule_id, f.severity, f.guard])).toEqual([
      ['app/cart.py', 1, 'PY-02', 'medium', 'builtin'],
      ['app/cart.py', 2, 'SHOP-1', 'high', 'LEGACY'],
      ['app/db.py', 2, 'SEC-05', 'high', 'builtin'],
      ['web/client.ts', 1, 'SEC-06', 'high', 'builtin'],
    ]);
    const store = SqliteStore.open(dataDir);
    try {
      const latest = await store.scans.latestFull('shop');
      expect(latest).toMatchObject({
        id: data.scan_id,
        trigger: 'cli',
        root,
        files: null,
        finding_count: 4,
        by_severity: { critical: 0, high: 3, medium: 1, low: 0 },
      });
      const events = await store.events.query({
        project: 'shop',
        session_id: data.scan_id,
        limit: 10,
        order: 'asc',
      });
      expect(events.map((e) => [e.kind, e.tool, e.decision])).toEqual([
        ['rule.scan', 'rule-engine', 'warn'],
        ['rule.finding', 'PY-02', 'warn'],
        ['rule.finding', 'SHOP-1', 'block'],
        ['rule.finding', 'SEC-05', 'block'],
        ['rule.finding', 'SEC-06', 'block'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('--fix repairs the lines its rules can, and the human report groups what is left', () => {
    const r = harness(['rule', 'check', root, '--fix', '--files', 'app/cart.py']);
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(root, 'app/cart.py'), 'utf8')).toBe(
      'def total(items=[]):\n    return price(items)\n',
    );
    expect(r.stdout).toContain('fixed: 1 finding in 1 file');
    expect(r.stdout).toContain(
      'medium (1)\n  app/cart.py:1  PY-02 No mutable default arguments: mutable default argument  [builtin]',
    );
    expect(r.stdout).toMatch(
      /^shop: 1 finding \(0 critical, 0 high, 1 medium, 0 low\) from 2 guards, stored as scan_/m,
    );
  });

  it('exits 2 on a usage error: a broken rule file names its file and line', () => {
    write('.harness/rules/broken.md', '# Rules\n## SHOP-2: no marker\n');
    const r = harness(['rule', 'check', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(root, '.harness/rules/broken.md')}:2: rule SHOP-2 has no severity marker`,
    );
  });
});

describe('the README on rules', () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');

  it('shows a rule file that parses as it says', () => {
    const sample = /^<!-- sample: rule file -->\n```markdown\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? '';
    const rules = parseRuleFile(sample, 'README.md');
    expect(rules.map((r) => [r.id, r.severity, r.paths, r.fixPattern])).toEqual([
      ['SHOP-1', 'high', ['src/**/*.ts', '*.tsx'], 's/legacyFetch\\(/fetch(/g'],
    ]);
  });

  it('lists every built-in rule with its severity and title', () => {
    const rows = [...readme.matchAll(/^\| `([A-Z]+-\d+)` \| (\w+) \| (.+?) \| /gm)].map((m) => [
      m[1],
      m[2],
      m[3],
    ]);
    const rules = [...builtinRules().values()].map((r) => [r.id, r.severity, r.title]);
    const byId = (a: (string | undefined)[], b: (string | undefined)[]) =>
      (a[0] ?? '') < (b[0] ?? '') ? -1 : 1;
    expect([...rows].sort(byId)).toEqual([...rules].sort(byId));
  });
});
