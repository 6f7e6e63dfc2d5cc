/** Reading a drafting agent's answer: path-named fenced blocks, unified diffs, kinds, hostile text. */
import { describe, expect, it } from 'vitest';
import { MAX_ARTIFACT_BYTES, MAX_ARTIFACTS, artifactKind, parseArtifacts } from './artifacts.js';

const fence = '```';

describe('parseArtifacts', () => {
  it('reads fenced blocks with a path after the language, and the prose as rationale', () => {
    const text = [
      'The same debug print keeps coming back; this guard finds it.',
      '',
      `${fence}bash .harness/guards/no-debug.sh`,
      '#!/bin/sh',
      'grep -rn "console.log" src | sed "s/^/x/"',
      fence,
      '',
      'And the rule that names it:',
      `${fence}markdown .harness/rules/debug.md`,
      '## NO-DEBUG: No debug prints (high)',
      fence,
    ].join('\n');
    const parsed = parseArtifacts(text, 'rule');
    expect(parsed.artifacts).toEqual([
      {
        path: '.harness/guards/no-debug.sh',
        kind: 'guard',
        format: 'file',
        content: '#!/bin/sh\ngrep -rn "console.log" src | sed "s/^/x/"\n',
      },
      {
        path: '.harness/rules/debug.md',
        kind: 'rule',
        format: 'file',
        content: '## NO-DEBUG: No debug prints (high)\n',
      },
    ]);
    expect(parsed.rationale).toBe(
      'The same debug print keeps coming back; this guard finds it.\n\nAnd the rule that names it:',
    );
    expect(parsed.dropped).toEqual([]);
  });

  it('reads bare unified diffs and diffs in unnamed ```diff blocks; a named block wins over a diff of the same path', () => {
    const text = [
      'Add a pre-commit check:',
      '--- a/.harness/config.toml',
      '+++ b/.harness/config.toml',
      '@@ -1,2 +1,3 @@',
      ' [validation]',
      '-pre_commit = []',
      '+pre_commit = ["npm run lint"]',
      'That is all.',
      `${fence}diff`,
      '--- a/src/a.ts',
      '+++ b/src/a.ts',
      '@@ -1 +1 @@',
      '-old',
      '+new',
      fence,
      `${fence}ts src/a.ts`,
      'whole file',
      fence,
    ].join('\n');
    const parsed = parseArtifacts(text, 'guard');
    expect(parsed.artifacts.map((a) => [a.path, a.kind, a.format])).toEqual([
      ['src/a.ts', 'guard', 'file'],
      ['.harness/config.toml', 'validation_command', 'diff'],
    ]);
    expect(parsed.artifacts[1]?.content).toBe(
      '--- a/.harness/config.toml\n+++ b/.harness/config.toml\n@@ -1,2 +1,3 @@\n [validation]\n-pre_commit = []\n+pre_commit = ["npm run lint"]\n',
    );
    expect(parsed.rationale).toBe('Add a pre-commit check:\nThat is all.');
  });

  it('finds nothing in an answer without paths or diffs: no artifact, no fallback', () => {
    const parsed = parseArtifacts(`I would add a guard.\n${fence}bash\necho hi\n${fence}\n`, 'guard');
    expect(parsed.artifacts).toEqual([]);
    expect(parsed.rationale).toBe('I would add a guard.');
  });

  it('parses hostile output without throwing, keeping paths as written for adoption to refuse', () => {
    const huge = 'x'.repeat(MAX_ARTIFACT_BYTES + 1);
    const text = [
      `${fence}sh ../../etc/cron.d/evil`,
      'rm -rf /',
      fence,
      `${fence}sh /etc/passwd`,
      'root::0:0',
      fence,
      `${fence}sh .harness/guards/huge.sh`,
      huge,
      fence,
      `${fence}sh .harness/guards/unclosed.sh`,
      'never closed',
    ].join('\n');
    const parsed = parseArtifacts(text, 'guard');
    expect(parsed.artifacts.map((a) => a.path)).toEqual([
      '../../etc/cron.d/evil',
      '/etc/passwd',
      '.harness/guards/unclosed.sh',
    ]);
    expect(parsed.artifacts[2]?.content).toBe('never closed\n');
    expect(parsed.dropped).toEqual([
      {
        path: '.harness/guards/huge.sh',
        reason: `${MAX_ARTIFACT_BYTES + 1 + 1} bytes, over the ${MAX_ARTIFACT_BYTES}-byte limit`,
      },
    ]);
  });

  it(`keeps at most ${MAX_ARTIFACTS} artifacts and survives a pathological answer`, () => {
    const many = Array.from(
      { length: MAX_ARTIFACTS + 3 },
      (_, i) => `${fence}sh .harness/guards/g${i}.sh\necho ${i}\n${fence}`,
    );
    const parsed = parseArtifacts(many.join('\n'), 'guard');
    expect(parsed.artifacts).toHaveLength(MAX_ARTIFACTS);
    expect(parsed.dropped).toHaveLength(3);
    const noise = `${'--- a\n'.repeat(5000)}${'+++ '.repeat(5000)}\u0000${fence.repeat(3000)}`;
    expect(() => parseArtifacts(noise, 'rule')).not.toThrow();
  });
});

describe('artifactKind', () => {
  it('tells the kind from the path, else the signal remediation', () => {
    expect(artifactKind('.harness/guards/a.sh', 'rule')).toBe('guard');
    expect(artifactKind('.harness/generated/guards/a.py', 'rule')).toBe('guard');
    expect(artifactKind('.harness/rules/x.md', 'guard')).toBe('rule');
    expect(artifactKind('.harness/generated/rules/x.md', 'guard')).toBe('rule');
    expect(artifactKind('.harness/policy/p.star', 'guard')).toBe('policy_rule');
    expect(artifactKind('.harness/skills/fix-lint/SKILL.md', 'guard')).toBe('skill');
    expect(artifactKind('docs/SKILL.md', 'guard')).toBe('skill');
    expect(artifactKind('.harness/config.toml', 'guard')).toBe('validation_command');
    expect(artifactKind('src/index.ts', 'policy_rule')).toBe('policy_rule');
    expect(artifactKind('.harness/rules/x.txt', 'guard')).toBe('guard');
  });
});
