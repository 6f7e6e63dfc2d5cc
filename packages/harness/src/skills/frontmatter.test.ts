import { describe, expect, it } from 'vitest';
import { FrontmatterError, formatFrontmatter, parseFrontmatter, splitFrontmatter } from './frontmatter.js';
import { readSkill } from './skill-file.js';

const at = (file: string, format: 'skill-md' | 'flat' = 'skill-md') => ({
  format,
  scope: 'project' as const,
  root: '/r',
  file,
});

describe('SKILL.md frontmatter', () => {
  it('reads scalars, quoted strings, block scalars, lists and the metadata map', () => {
    const fields = parseFrontmatter(
      [
        'name: pdf-tools',
        "description: 'It''s for PDFs: forms and tables'",
        'license: "Apache-2.0"',
        'compatibility: |',
        '  Needs python3.',
        '  And poppler.',
        'when_to_use: >-',
        '  When the user',
        '  mentions PDFs.',
        'allowed-tools: [Bash(pdftotext:*), Read]',
        'metadata:',
        '  author: example-org',
        '  version: "1.0"',
        'triggers:',
        '  - pdf',
        '  - "fill a form"',
        '# a comment',
        'disable-model-invocation: true # plain comment',
      ].join('\n'),
    );
    expect(fields).toEqual({
      name: 'pdf-tools',
      description: "It's for PDFs: forms and tables",
      license: 'Apache-2.0',
      compatibility: 'Needs python3.\nAnd poppler.\n',
      when_to_use: 'When the user mentions PDFs.',
      'allowed-tools': ['Bash(pdftotext:*)', 'Read'],
      metadata: { author: 'example-org', version: '1.0' },
      triggers: ['pdf', 'fill a form'],
      'disable-model-invocation': 'true',
    });
  });

  it('takes an unquoted value with a colon in it as the text it is', () => {
    expect(parseFrontmatter('description: Use when: the build fails')).toEqual({
      description: 'Use when: the build fails',
    });
  });

  it('names the line of what it cannot read', () => {
    expect(() => parseFrontmatter('name: a\n  stray: indent', 2)).toThrow(/line 3: "name" has a value/);
    expect(() => parseFrontmatter('just text')).toThrow(FrontmatterError);
    expect(() => parseFrontmatter('description: "unterminated')).toThrow(/line 1: unterminated/);
    expect(() => parseFrontmatter('a: 1\na: 2')).toThrow(/"a" is given twice/);
    expect(() => splitFrontmatter('---\nname: a\n')).toThrow(/never closed/);
  });

  it('writes back what it reads', () => {
    const fields = {
      name: 'x',
      description: 'Says: "hi" # not a comment',
      metadata: { 'short-description': 'a - b' },
      list: ['-dash', 'plain'],
      empty: '',
    };
    const split = splitFrontmatter(formatFrontmatter(fields) + '\nbody\n');
    expect(parseFrontmatter(split.frontmatter ?? '')).toEqual(fields);
    expect(split.body).toBe('body\n');
  });
});

describe('reading a skill', () => {
  it('loads a SKILL.md under its folder name and keeps optional fields', () => {
    const read = readSkill(
      '---\nname: review\ndescription: Reviews code.\nlicense: MIT\n---\n\n# Review\n',
      at('/r/review/SKILL.md'),
    );
    expect(read.ok && read.skill).toMatchObject({
      name: 'review',
      description: 'Reviews code.',
      body: '# Review\n',
      frontmatter: { license: 'MIT' },
    });
    expect(read.ok && read.warnings).toEqual([]);
  });

  it('warns about a name that differs from its folder, and loads it under the folder name', () => {
    const read = readSkill('---\nname: other\ndescription: D\n---\n', at('/r/mine/SKILL.md'));
    expect(read.ok && read.skill.name).toBe('mine');
    expect(read.ok && read.warnings[0]?.reason).toMatch(
      /name "other" differs from its folder; loaded as "mine"/,
    );
  });

  it('skips a skill without a description, or with unreadable frontmatter, saying why', () => {
    const missing = readSkill('---\nname: a\n---\nbody', at('/r/a/SKILL.md'));
    expect(!missing.ok && missing.error.reason).toMatch(/description missing/);
    const broken = readSkill('---\nname: a\ndescription: [unclosed\n---\n', at('/r/a/SKILL.md'));
    expect(!broken.ok && broken.error.reason).toMatch(/unreadable frontmatter: line 3/);
  });

  it('reads the original flat format: name from the file, description from the heading, trigger patterns', () => {
    const text =
      '# Review code changes\n\n<!-- trigger-patterns: code review, review pr -->\n\n## Trigger\nUse it.\n';
    const read = readSkill(text, at('/r/review.md', 'flat'));
    expect(read.ok && read.skill).toMatchObject({
      name: 'review',
      format: 'flat',
      description: 'Review code changes',
      triggerPatterns: ['code review', 'review pr'],
    });
  });

  it('changes its hash when its content changes', () => {
    const a = readSkill('---\ndescription: A\n---\n', at('/r/a/SKILL.md'));
    const b = readSkill('---\ndescription: B\n---\n', at('/r/a/SKILL.md'));
    expect(a.ok && a.skill.contentHash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.ok && b.ok && a.skill.contentHash !== b.skill.contentHash).toBe(true);
  });
});
