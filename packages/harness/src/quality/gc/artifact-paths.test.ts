/**
 * Adoption's path checks on a real git repository in a temp dir: every hostile path refuses the
 * whole draft before anything is written (the tree is compared byte for byte), and a good draft's
 * files and diffs are written and applied.
 */
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Artifact } from '@harness/protocol';
import { git, makeRepo, tempDir } from '@harness/testkit';
import { createProcessRunner } from '../../core/index.js';
import { checkArtifactPaths, writeArtifacts } from './artifact-paths.js';

const runner = createProcessRunner();
let dir: ReturnType<typeof tempDir>;
let root: string;
let outside: string;

const file = (p: string, content = 'echo ok\n', kind: Artifact['kind'] = 'guard'): Artifact => ({
  path: p,
  kind,
  format: 'file',
  content,
});

/** Every path under the root and outside it (`.git` aside) with its content: what "untouched" means. */
function snapshot(): string {
  return git(root, 'status', '--porcelain', '--untracked-files=all') + git(outside, 'status', '--porcelain');
}

beforeEach(() => {
  dir = tempDir();
  root = makeRepo(path.join(dir.path, 'project'), { 'src/a.ts': 'old\n', 'README.md': '# p\n' });
  outside = makeRepo(path.join(dir.path, 'outside'), { 'secret.txt': 'keep\n' });
  mkdirSync(path.join(root, '.harness'), { recursive: true });
  symlinkSync(outside, path.join(root, '.harness', 'linked'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'secret-link.txt'));
});
afterEach(() => dir.remove());

describe('adoption path checks', () => {
  const hostile: [string, string][] = [
    ['../outside/evil.sh', 'climbs out with ".."'],
    ['.harness/guards/../../../outside/x', 'climbs out with ".."'],
    ['/etc/cron.d/evil', 'is absolute'],
    ['.git/hooks/pre-commit', 'is inside .git'],
    ['src/.GIT/config', 'is inside .git'],
    ['.harness/linked/evil.sh', 'resolves outside the project root'],
    ['secret-link.txt', 'is a symlink'],
    ['src', 'exists and is not a regular file'],
  ];

  it.each(hostile)('refuses %s before anything is written', async (bad, why) => {
    const before = snapshot();
    const artifacts = [file('.harness/guards/good.sh'), file(bad)];
    await expect(writeArtifacts(runner, root, artifacts)).rejects.toThrow(why);
    expect(snapshot()).toBe(before);
    expect(() => statSync(path.join(root, '.harness/guards/good.sh'))).toThrow();
    expect(readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('keep\n');
  });

  it('refuses a diff whose headers patch another file than its path', async () => {
    const before = snapshot();
    const diff: Artifact = {
      path: 'src/a.ts',
      kind: 'guard',
      format: 'diff',
      content: '--- a/src/a.ts\n+++ b/../outside/secret.txt\n@@ -1 +1 @@\n-old\n+new\n',
    };
    await expect(writeArtifacts(runner, root, [diff])).rejects.toThrow('climbs out with ".."');
    expect(snapshot()).toBe(before);
  });

  it('names every refused path at once', () => {
    expect(() => checkArtifactPaths(root, [file('/abs'), file('.git/x'), file('ok.sh')])).toThrow(
      /"\/abs" is absolute.*"\.git\/x" is inside \.git/,
    );
  });

  it('refuses a diff that does not apply, writing nothing', async () => {
    const before = snapshot();
    const bad: Artifact = {
      path: 'src/a.ts',
      kind: 'rule',
      format: 'diff',
      content: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-not there\n+new\n',
    };
    await expect(writeArtifacts(runner, root, [file('.harness/guards/g.sh'), bad])).rejects.toThrow(
      /diff does not apply \(nothing written\)/,
    );
    expect(snapshot()).toBe(before);
  });

  it('writes files (guards executable) and applies diffs', async () => {
    const diff: Artifact = {
      path: 'src/a.ts',
      kind: 'rule',
      format: 'diff',
      content: '--- a/src/a.ts\n+++ b/src/a.ts\n@@ -1 +1 @@\n-old\n+new\n',
    };
    writeFileSync(path.join(root, 'existing.md'), 'before\n');
    const written = await writeArtifacts(runner, root, [
      file('.harness/guards/new/deep.sh', '#!/bin/sh\nexit 0\n'),
      file('existing.md', 'after\n', 'rule'),
      diff,
    ]);
    expect(written).toEqual(['.harness/guards/new/deep.sh', 'existing.md', 'src/a.ts']);
    expect(readFileSync(path.join(root, '.harness/guards/new/deep.sh'), 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect(statSync(path.join(root, '.harness/guards/new/deep.sh')).mode & 0o111).not.toBe(0);
    expect(readFileSync(path.join(root, 'existing.md'), 'utf8')).toBe('after\n');
    expect(readFileSync(path.join(root, 'src/a.ts'), 'utf8')).toBe('new\n');
  });
});
