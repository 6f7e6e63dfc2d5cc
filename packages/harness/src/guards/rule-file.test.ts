import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRuleCatalogue } from './catalogue.js';
import { parseFixPattern, parseRuleFile } from './rule-file.js';

describe('parseRuleFile', () => {
  it('reads frontmatter and sections; severity only from the heading marker', () => {
    const rules = parseRuleFile(
      [
        '---',
        'paths: ["src/**/*.ts", "*.{js,mjs}"]  # where',
        'fix_pattern: "s|foo\\(\\)|bar()|g"',
        '---',
        '# Project rules',
        '## SEC-9: Critical paths are checked (low)',
        'This text says critical and high, which changes nothing.',
        '',
        '```md',
        '## NOT-A-RULE: inside a fence (high)',
        '```',
        '## ARCH-1: Layers import downwards (HIGH)',
        'Text.',
      ].join('\n'),
      'rules/a.md',
    );
    expect(rules.map((r) => [r.id, r.title, r.severity, r.category, r.source.line])).toEqual([
      ['SEC-9', 'Critical paths are checked', 'low', 'security', 6],
      ['ARCH-1', 'Layers import downwards', 'high', 'style', 12],
    ]);
    expect(rules[0]?.paths).toEqual(['src/**/*.ts', '*.{js,mjs}']);
    expect(rules[0]?.fixPattern).toBe('s|foo\\(\\)|bar()|g');
    expect(rules[0]?.description).toContain('## NOT-A-RULE');
  });

  it('takes a block list of paths and a category from the frontmatter', () => {
    const [rule] = parseRuleFile(
      '---\npaths:\n  - "**/*.py"\n  - lib/**\ncategory: security\n---\n## X-1: T (medium)\n',
      'f.md',
    );
    expect(rule).toMatchObject({
      id: 'X-1',
      paths: ['**/*.py', 'lib/**'],
      category: 'security',
      fixPattern: null,
    });
  });

  it.each([
    ['## RS-01: No unwrap', 'f.md:1: rule RS-01 has no severity marker'],
    ['\n\n## rs-01: lower (high)', 'f.md:3: rule id "rs-01" must start with an uppercase letter'],
    ['## NOCOLON (high)', 'f.md:1: rule heading "## NOCOLON (high)" is not "## ID: Title (severity)"'],
    [
      '## A-1: x (high)\n## A-1: again (low)',
      'f.md:2: rule A-1 is defined twice in this file (first at line 1)',
    ],
    ['---\npaths: "*.rs"\n## A-1: x (high)', 'f.md:1: frontmatter opened with --- is never closed'],
    ['---\nfix_pattern: "s/(/x/"\n---\n', 'f.md:2: fix_pattern "s/(/x/": the pattern does not compile'],
    ['---\nseverity: high\n---\n', 'f.md:2: unknown frontmatter key "severity"'],
    ['---\ncategory: speed\n---\n', 'f.md:2: category must be one of security, stability, style'],
    ['## A-1: (high)', 'f.md:1: rule A-1 has no title'],
  ])('refuses %j naming file:line', (text, message) => {
    expect(() => parseRuleFile(text, 'f.md')).toThrow(message);
  });
});

describe('parseFixPattern', () => {
  it('takes any delimiter, escaped delimiters, sed replacements and flags', () => {
    const fix = parseFixPattern('s#a\\#(b)#[&|\\1]#g');
    expect('a#b a#b'.replace(fix.regex, fix.replacement)).toBe('[a#b|b] [a#b|b]');
    const once = parseFixPattern('s/x/$y/');
    expect('xx'.replace(once.regex, once.replacement)).toBe('$yx');
    expect(() => parseFixPattern('y/a/b/')).toThrow('must look like s/PATTERN/REPLACEMENT/');
    expect(() => parseFixPattern('s/a/b/q')).toThrow('unknown flags "q"');
    expect(() => parseFixPattern('s/a')).toThrow('expected s/PATTERN/REPLACEMENT/[flags]');
  });
});

describe('loadRuleCatalogue', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'rule-catalogue-'));
  });
  afterEach(() => rm(base, { recursive: true, force: true }));

  const put = async (file: string, text: string) => {
    await mkdir(path.dirname(path.join(base, file)), { recursive: true });
    await writeFile(path.join(base, file), text);
  };

  it('lets project beat user beat admin beat configured beat builtin, reporting what is hidden', async () => {
    await put(
      'project/.harness/rules/nested/a.md',
      '## SEC-01: Project secrets (low)\n## P-1: Project only (high)\n',
    );
    await put('home/.harness/rules/u.md', '## SEC-01: User secrets (high)\n## U-1: User (low)\n');
    await put('etc/a.md', '## U-1: Admin (critical)\n## RS-01: Admin unwrap (low)\n');
    await put('extra/c.md', '## RS-01: Configured unwrap (medium)\n## C-1: Configured (low)\n');
    await put('extra-file.md', '## C-2: Single file (low)\n');
    const catalogue = await loadRuleCatalogue({
      projectRoot: path.join(base, 'project'),
      home: path.join(base, 'home'),
      adminDir: path.join(base, 'etc'),
      discoveryPaths: [path.join(base, 'extra'), path.join(base, 'extra-file.md')],
    });
    const pick = (id: string) => [catalogue.rules.get(id)?.title, catalogue.origins.get(id)];
    expect(pick('SEC-01')).toEqual(['Project secrets', 'project']);
    expect(pick('U-1')).toEqual(['User', 'user']);
    expect(pick('RS-01')).toEqual(['Admin unwrap', 'admin']);
    expect(pick('C-2')).toEqual(['Single file', 'configured']);
    expect(pick('PY-01')).toEqual(['No bare except', 'builtin']);
    const hidden = catalogue.shadowed.map((s) => [s.id, s.by.replace(base, ''), s.hidden.replace(base, '')]);
    expect(hidden).toEqual([
      ['SEC-01', '/project/.harness/rules/nested/a.md:1', '/home/.harness/rules/u.md:1'],
      ['U-1', '/home/.harness/rules/u.md:2', '/etc/a.md:1'],
      ['RS-01', '/etc/a.md:2', '/extra/c.md:1'],
      ['SEC-01', '/project/.harness/rules/nested/a.md:1', 'builtin:secrets.md:7'],
      ['RS-01', '/etc/a.md:2', 'builtin:rust.md:6'],
    ]);
  });

  it('fails on a broken file with its path and line, and on a configured path that is missing', async () => {
    await put('project/.harness/rules/bad.md', '# Rules\n\n## X-1: no marker\n');
    await expect(
      loadRuleCatalogue({ projectRoot: path.join(base, 'project'), home: base, adminDir: base }),
    ).rejects.toThrow(
      `${path.join(base, 'project/.harness/rules/bad.md')}:3: rule X-1 has no severity marker`,
    );
    await expect(
      loadRuleCatalogue({
        home: base,
        adminDir: base,
        discoveryPaths: [path.join(base, 'nope')],
        builtin: false,
      }),
    ).rejects.toThrow(`rules.discovery_paths: ${path.join(base, 'nope')} does not exist`);
  });

  it('loads nothing but the shipped catalogue for an empty machine, and nothing at all without it', async () => {
    const only = await loadRuleCatalogue({ home: base, adminDir: base });
    expect([...only.origins.values()].every((o) => o === 'builtin')).toBe(true);
    expect(only.rules.size).toBeGreaterThanOrEqual(20);
    const none = await loadRuleCatalogue({ home: base, adminDir: base, builtin: false });
    expect(none.rules.size).toBe(0);
  });
});
