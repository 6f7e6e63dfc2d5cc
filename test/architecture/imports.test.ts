/**
 * The module boundaries of ARCHITECTURE.md, enforced: every import edge between the modules of
 * packages/harness/src must be in the table below, cross-module imports go through the target's
 * index.ts, and the runtime-neutral packages import nothing from Node. Change the table and the
 * design document together, deliberately.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@harness/testkit';

const allowed: Record<string, readonly string[]> = {
  core: [],
  store: ['core'],
  sandbox: ['core'],
  shell: [],
  guards: ['core'],
  policy: ['core', 'shell', 'guards'],
  observe: ['core', 'store'],
  agents: ['core', 'sandbox', 'shell', 'observe'],
  github: ['core'],
  projects: ['core', 'store'],
  threads: ['core', 'store', 'observe', 'agents', 'policy'],
  // Reserved for the next capabilities (docs/ARCHITECTURE.md, "Where the next capabilities go").
  skills: ['core', 'store'],
  plans: ['core', 'store', 'skills'],
  review: ['core', 'store', 'observe', 'agents', 'threads', 'policy', 'guards', 'skills'],
  quality: ['core', 'store', 'observe', 'policy', 'guards', 'agents'],
  tasks: [
    'core',
    'store',
    'observe',
    'agents',
    'github',
    'threads',
    'projects',
    'skills',
    'plans',
    'review',
    'quality',
  ],
  server: [
    'core',
    'store',
    'sandbox',
    'shell',
    'guards',
    'policy',
    'observe',
    'agents',
    'github',
    'projects',
    'threads',
    'skills',
    'plans',
    'review',
    'quality',
    'tasks',
  ],
  cli: [
    'core',
    'store',
    'sandbox',
    'shell',
    'guards',
    'policy',
    'observe',
    'agents',
    'github',
    'projects',
    'threads',
    'skills',
    'plans',
    'review',
    'quality',
    'tasks',
    'server',
  ],
};
const starlarkUsers = new Set(['policy', 'server', 'cli']);

function sourceFiles(dir: string, includeTests = false): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .filter((entry) => includeTests || !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

/** Returns what is wrong with one import of a harness source file, or null. */
export function checkHarnessImport(srcRoot: string, file: string, specifier: string): string | null {
  const from = path.relative(srcRoot, file).split(path.sep)[0]!;
  if (from.endsWith('.ts')) return null; // the facade (src/index.ts) may re-export anything
  if (specifier === '@harness/starlark' && !starlarkUsers.has(from))
    return `${from} may not import @harness/starlark`;
  if (!specifier.startsWith('.')) return null;
  const target = path.relative(srcRoot, path.resolve(path.dirname(file), specifier));
  const [to, ...rest] = target.split(path.sep);
  if (to === undefined || to === from) return null;
  if (to.startsWith('..')) return `imports outside src: ${specifier}`;
  if (!(allowed[from] ?? []).includes(to)) return `${from} → ${to} is not an allowed edge`;
  if (rest.join('/') !== 'index.js')
    return `${from} must import ${to} through ${to}/index.ts, not ${specifier}`;
  return null;
}

describe('architecture', () => {
  const harnessSrc = path.join(repoRoot, 'packages/harness/src');

  it('allows only the designed import edges between harness modules', () => {
    const violations = sourceFiles(harnessSrc).flatMap((file) =>
      importsOf(file)
        .map((specifier) => checkHarnessImport(harnessSrc, file, specifier))
        .filter((problem): problem is string => problem !== null)
        .map((problem) => `${path.relative(repoRoot, file)}: ${problem}`),
    );
    expect(violations).toEqual([]);
  });

  it('has an index.ts with a doc paragraph for every module', () => {
    for (const module of readdirSync(harnessSrc, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      expect(Object.keys(allowed), `unknown module ${module.name}`).toContain(module.name);
      if (module.name === 'cli') continue; // the composition root: its entry is main.ts and nothing imports it
      const index = readFileSync(path.join(harnessSrc, module.name, 'index.ts'), 'utf8');
      expect(
        index.trimStart().startsWith('/**'),
        `${module.name}/index.ts opens with its doc paragraph`,
      ).toBe(true);
    }
  });

  it('keeps protocol, starlark and the shell module free of Node and of each other', () => {
    for (const dir of ['packages/protocol/src', 'packages/starlark/src', 'packages/harness/src/shell']) {
      const problems = sourceFiles(path.join(repoRoot, dir), true).flatMap((file) =>
        importsOf(file)
          .filter(
            (s) => s.startsWith('node:') || s.startsWith('@harness/') || builtinNames.has(s.split('/')[0]!),
          )
          .map((s) => `${path.relative(repoRoot, file)} imports ${s}`),
      );
      expect(problems).toEqual([]);
    }
  });

  it('catches a forbidden edge, a deep import and a Node import (the checker itself can fail)', () => {
    const file = path.join(harnessSrc, 'store', 'x.ts');
    expect(checkHarnessImport(harnessSrc, file, '../server/index.js')).toMatch(/not an allowed edge/);
    expect(checkHarnessImport(harnessSrc, file, '../core/errors.js')).toMatch(/through core\/index.ts/);
    expect(checkHarnessImport(harnessSrc, file, '../core/index.js')).toBeNull();
    expect(checkHarnessImport(harnessSrc, file, '@harness/starlark')).toMatch(/may not import/);
  });
});

const builtinNames = new Set([
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'http',
  'net',
  'stream',
  'url',
  'util',
  'events',
  'process',
]);
