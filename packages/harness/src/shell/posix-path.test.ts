import { describe, expect, it } from 'vitest';
import { baseName, dirName, joinPath, normalizePath, resolvePath } from './posix-path.js';

// Expected values are what `path.posix.resolve` answers for the same inputs (no trailing slash kept).
describe('posix paths without node:path', () => {
  it('normalizes dots, double slashes and .. above the root', () => {
    expect(normalizePath('/a//b/./c/../d/')).toBe('/a/b/d');
    expect(normalizePath('/../..')).toBe('/');
    expect(normalizePath('a/../../b')).toBe('../b');
    expect(normalizePath('a/..')).toBe('.');
  });

  it('resolves against an absolute base, an absolute path standing on its own', () => {
    expect(resolvePath('/repo', 'x.sh')).toBe('/repo/x.sh');
    expect(resolvePath('/repo/sub', '../x.sh')).toBe('/repo/x.sh');
    expect(resolvePath('/repo', '/etc/passwd')).toBe('/etc/passwd');
    expect(resolvePath('/repo', 'a', '../b', 'c')).toBe('/repo/b/c');
    expect(resolvePath('/repo', '.')).toBe('/repo');
  });

  it('joins, names the last component and its directory', () => {
    expect(joinPath('/repo', 'Makefile')).toBe('/repo/Makefile');
    expect(joinPath('/repo/', '../package.json')).toBe('/package.json');
    expect(baseName('/usr/bin/git')).toBe('git');
    expect(baseName('dir/')).toBe('dir');
    expect(baseName('git')).toBe('git');
    expect(dirName('/a/b')).toBe('/a');
    expect(dirName('/a')).toBe('/');
    expect(dirName('/')).toBe('/');
    expect(dirName('a')).toBe('.');
    expect(dirName('/a/b/')).toBe('/a');
  });
});
