/**
 * The module boundaries of ARCHITECTURE.md, enforced on every TypeScript file, tests included:
 * every import edge between the modules of packages/harness/src must be in `allowed`, cross-module
 * imports go through the target's index.ts, each third-party package is imported only by the
 * modules `packagesOf` names, the test doubles (@harness/testkit) are reached only by tests,
 * benchmarks and the demo, and the runtime-neutral packages import nothing from Node. Change the
 * tables and the design document together, deliberately.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
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
  agents: ['core', 'sandbox', 'shell', 'observe', 'context'],
  github: ['core'],
  projects: ['core', 'store'],
  threads: ['core', 'store', 'observe', 'agents', 'policy'],
  // The AGENTS.md cascade each agent is given (docs/ARCHITECTURE.md, §1).
  context: ['core'],
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
    'guards',
    'quality',
    'context',
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
    'context',
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
    'context',
  ],
};
const starlarkUsers = new Set(['policy', 'server', 'cli']);

/**
 * Third-party packages (by package name) each module may import, beside zod and @harness/protocol,
 * which every module may. A package no row names fails wherever it is imported: adding one is a
 * decision about which module owns it.
 */
const packagesOf: Record<string, readonly string[]> = {
  core: ['pino', 'smol-toml'],
  store: ['better-sqlite3', 'pg'],
  observe: [
    '@opentelemetry/api',
    '@opentelemetry/exporter-metrics-otlp-grpc',
    '@opentelemetry/exporter-metrics-otlp-http',
    '@opentelemetry/exporter-trace-otlp-grpc',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
    '@opentelemetry/sdk-metrics',
    '@opentelemetry/sdk-trace-base',
    '@opentelemetry/semantic-conventions',
  ],
  agents: ['@anthropic-ai/sdk', 'smol-toml'],
  github: ['@octokit/rest'],
  server: ['hono', '@hono/node-server', 'ws', '@modelcontextprotocol/sdk'],
  cli: ['commander', 'picocolors', 'smol-toml'],
};
const everywhere = new Set(['zod', '@harness/protocol']);
/** Only tests import these: the runner, the test doubles, and GitHub's own webhook signing as a reference. */
const testOnly = new Set(['vitest', '@harness/testkit', '@octokit/webhooks', '@octokit/webhooks-methods']);
/** The demo runs on the test doubles, loaded only when `harness demo` runs (a dynamic import). */
const demoFiles = [/^cli\/commands\/demo\.ts$/, /^cli\/demo\//];

interface ImportRef {
  specifier: string;
  /** `import()`: loaded only when that code runs. */
  dynamic: boolean;
}

function sourceFiles(dir: string, includeTests = false): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .filter((entry) => includeTests || !entry.name.endsWith('.test.ts'))
    .filter((entry) => !entry.parentPath.split(path.sep).includes('node_modules'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Every import, re-export and `import()` of a file, with whether it is dynamic. */
function importsOf(file: string): ImportRef[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier))
        found.push({ specifier: node.moduleSpecifier.text, dynamic: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument))
        found.push({ specifier: argument.text, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub/path.js` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));
}

function checkPackage(from: string, relative: string, ref: ImportRef): string | null {
  const pkg = packageName(ref.specifier);
  const isTest = relative.endsWith('.test.ts');
  if (pkg === '@harness/testkit') {
    if (isTest) return null;
    if (demoFiles.some((demo) => demo.test(relative)))
      return ref.dynamic ? null : 'the demo must load @harness/testkit with import(), not a static import';
    return `${from} may not import @harness/testkit: only tests, benchmarks and the demo reach the test doubles`;
  }
  if (pkg === '@harness/starlark')
    return starlarkUsers.has(from) ? null : `${from} may not import @harness/starlark`;
  if (everywhere.has(pkg) || (isTest && testOnly.has(pkg))) return null;
  if ((packagesOf[from] ?? []).includes(pkg)) return null;
  const owners = Object.keys(packagesOf).filter((module) => packagesOf[module]!.includes(pkg));
  if (testOnly.has(pkg)) return `${from} may not import ${pkg} outside a test`;
  return owners.length === 0
    ? `${from} imports ${pkg}, which no module may use (name its owner in packagesOf)`
    : `${from} may not import ${pkg} (only ${owners.join(', ')} may)`;
}

/** Returns what is wrong with one import of a harness source or test file, or null. */
export function checkHarnessImport(
  srcRoot: string,
  file: string,
  specifier: string,
  dynamic = false,
): string | null {
  const relative = path.relative(srcRoot, file).split(path.sep).join('/');
  const from = relative.split('/')[0]!;
  if (isNodeBuiltin(specifier)) return null;
  if (!specifier.startsWith('.')) return checkPackage(from, relative, { specifier, dynamic });
  if (from.endsWith('.ts')) return null; // the facade (src/index.ts) may re-export anything
  const target = path.relative(srcRoot, path.resolve(path.dirname(file), specifier));
  const [to, ...rest] = target.split(path.sep);
  if (to === undefined || to === from) return null;
  if (to.startsWith('..')) return `imports outside src: ${specifier}`;
  if (!(allowed[from] ?? []).includes(to)) return `${from} → ${to} is not an allowed edge`;
  if (rest.join('/') !== 'index.js')
    return `${from} must import ${to} through ${to}/index.ts, not ${specifier}`;
  return null;
}

/**
 * Tests, benchmarks and their support code outside src reach harness modules through an index.ts
 * too (what they exercise is the module's surface), and may import anything else. The CLI is the
 * composition root and has no index.ts: its files are its surface.
 */
export function checkOutsideImport(srcRoot: string, file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.relative(srcRoot, path.resolve(path.dirname(file), specifier));
  if (target.startsWith('..')) return null;
  const [module, ...rest] = target.split(path.sep);
  if (rest.length === 0 || module === 'cli') return null; // the facade, the composition root
  return rest.join('/') === 'index.js'
    ? null
    : `must import ${module} through ${module}/index.ts, not ${specifier}`;
}

function violations(files: string[], check: (file: string, ref: ImportRef) => string | null): string[] {
  return files.flatMap((file) =>
    importsOf(file)
      .map((ref) => check(file, ref))
      .filter((problem): problem is string => problem !== null)
      .map((problem) => `${path.relative(repoRoot, file)}: ${problem}`),
  );
}

/**
 * The source files reached from `entries` by relative imports (static, re-exports and `import()`),
 * `.js` specifiers mapped back to their `.ts` sources. A production file outside this set is one only
 * tests use: it belongs in the testkit or beside its test.
 */
export function reachableFrom(
  entries: readonly string[],
  importsIn: (file: string) => string[],
): Set<string> {
  const seen = new Set<string>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsIn(file)) {
      if (specifier.startsWith('.'))
        pending.push(path.resolve(path.dirname(file), specifier).replace(/\.js$/, '.ts'));
    }
  }
  return seen;
}

describe('architecture', () => {
  const harnessSrc = path.join(repoRoot, 'packages/harness/src');

  it('allows only the designed import edges and packages in harness modules, tests included', () => {
    const problems = violations(sourceFiles(harnessSrc, true), (file, ref) =>
      checkHarnessImport(harnessSrc, file, ref.specifier, ref.dynamic),
    );
    expect(problems).toEqual([]);
  });

  it('has tests and benchmarks outside src reach harness modules only through their index.ts', () => {
    const outside = ['test', 'bench', 'packages/harness/test']
      .map((dir) => path.join(repoRoot, dir))
      .flatMap((dir) => sourceFiles(dir, true));
    expect(outside.length).toBeGreaterThan(0);
    const problems = violations(outside, (file, ref) => checkOutsideImport(harnessSrc, file, ref.specifier));
    expect(problems).toEqual([]);
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
      expect(index, `${module.name}/index.ts names what it exports`).not.toMatch(/^export \*/m);
    }
  });

  it('has no production file that only tests use', () => {
    // What runs: the CLI (bin/harness.js loads start-up.ts, then main.ts or rule-main.ts) and the facade.
    const entries = ['cli/start-up.ts', 'cli/main.ts', 'cli/rule-main.ts', 'index.ts'].map((file) =>
      path.join(harnessSrc, file),
    );
    const reached = reachableFrom(entries, (file) => importsOf(file).map((ref) => ref.specifier));
    const unreached = sourceFiles(harnessSrc)
      .filter((file) => !reached.has(file))
      .map((file) => path.relative(repoRoot, file));
    expect(unreached).toEqual([]);
  });

  it('keeps protocol, starlark and the shell module free of Node and of each other', () => {
    for (const dir of ['packages/protocol/src', 'packages/starlark/src', 'packages/harness/src/shell']) {
      const problems = sourceFiles(path.join(repoRoot, dir), true).flatMap((file) =>
        importsOf(file)
          .map((ref) => ref.specifier)
          .filter(
            (s) => s.startsWith('node:') || s.startsWith('@harness/') || builtinNames.has(s.split('/')[0]!),
          )
          .map((s) => `${path.relative(repoRoot, file)} imports ${s}`),
      );
      expect(problems).toEqual([]);
    }
  });
});

/** Third-party packages the dashboard's browser code may import: React, and the protocol's types. */
const dashboardPackages = new Set(['react', 'react-dom']);
/** The build configuration runs in Node, under vite. */
const dashboardBuildPackages = new Set(['vite', '@vitejs/plugin-react']);

/**
 * Returns what is wrong with one import of a dashboard file (packages/dashboard/…), or null. The
 * app reaches Harness only through the wire: it imports @harness/protocol for its types alone
 * (`import type`, so no validator ships to the browser), React, and its own files.
 */
export function checkDashboardImport(relative: string, specifier: string, typeOnly: boolean): string | null {
  const isTest = /\.test\.tsx?$/.test(relative);
  if (specifier.startsWith('.')) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(relative), specifier));
    return target.startsWith('..') ? `imports outside the dashboard: ${specifier}` : null;
  }
  const pkg = packageName(specifier);
  if (pkg === '@harness/protocol')
    return typeOnly || isTest ? null : 'imports @harness/protocol for its types only: use `import type`';
  if (dashboardPackages.has(pkg)) return null;
  if (relative === 'vite.config.ts' && (dashboardBuildPackages.has(pkg) || isNodeBuiltin(specifier)))
    return null;
  if (isTest && (testOnly.has(pkg) || isNodeBuiltin(specifier))) return null;
  return `the dashboard may not import ${specifier}`;
}

/** Every import of a dashboard file, with whether it is type-only. */
function dashboardImportsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((element) => element.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: allTypes });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument))
        found.push({ specifier: argument.text, typeOnly: false });
    } else if (ts.isImportTypeNode(node)) {
      const literal = node.argument;
      if (ts.isLiteralTypeNode(literal) && ts.isStringLiteral(literal.literal))
        found.push({ specifier: literal.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('dashboard architecture', () => {
  const dashboard = path.join(repoRoot, 'packages/dashboard');

  it("has the dashboard import only React, its own files and the protocol's types", () => {
    const files = readdirSync(dashboard, { withFileTypes: true, recursive: true })
      .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter((file) => !file.split(path.sep).some((part) => part === 'node_modules' || part === 'dist'));
    expect(files.length).toBeGreaterThan(10);
    const problems = files.flatMap((file) => {
      const relative = path.relative(dashboard, file).split(path.sep).join('/');
      return dashboardImportsOf(file)
        .map((ref) => checkDashboardImport(relative, ref.specifier, ref.typeOnly))
        .filter((problem): problem is string => problem !== null)
        .map((problem) => `packages/dashboard/${relative}: ${problem}`);
    });
    expect(problems).toEqual([]);
  });

  it('catches a value import of the protocol, a harness module and a package it may not use', () => {
    expect(checkDashboardImport('src/App.tsx', '@harness/protocol', false)).toMatch(/import type/);
    expect(checkDashboardImport('src/App.tsx', '@harness/protocol', true)).toBeNull();
    expect(checkDashboardImport('src/App.tsx', '@harness/harness', true)).toMatch(/may not import/);
    expect(checkDashboardImport('src/App.tsx', '../../harness/src/index.js', false)).toMatch(/outside/);
    expect(checkDashboardImport('src/App.tsx', 'zod', false)).toMatch(/may not import/);
    expect(checkDashboardImport('src/App.tsx', 'node:fs', false)).toMatch(/may not import/);
    expect(checkDashboardImport('src/App.tsx', 'react-dom/client', false)).toBeNull();
    expect(checkDashboardImport('src/x.test.ts', 'vitest', false)).toBeNull();
    expect(checkDashboardImport('vite.config.ts', 'vite', false)).toBeNull();
  });
});

describe('the import checker (it can fail)', () => {
  const harnessSrc = path.join(repoRoot, 'packages/harness/src');
  const storeFile = path.join(harnessSrc, 'store', 'x.ts');
  const storeTest = path.join(harnessSrc, 'store', 'x.test.ts');

  it('catches a forbidden edge and a deep import, in code and in tests alike', () => {
    for (const file of [storeFile, storeTest]) {
      expect(checkHarnessImport(harnessSrc, file, '../server/index.js')).toBe(
        'store → server is not an allowed edge',
      );
      expect(checkHarnessImport(harnessSrc, file, '../core/errors.js')).toMatch(/through core\/index.ts/);
      expect(checkHarnessImport(harnessSrc, file, '../core/index.js')).toBeNull();
    }
    expect(
      checkOutsideImport(
        harnessSrc,
        path.join(repoRoot, 'test/e2e/x.test.ts'),
        '../../packages/harness/src/core/git.js',
      ),
    ).toMatch(/through core\/index.ts/);
  });

  it('catches a third-party package outside the module that owns it, and one nobody owns', () => {
    expect(checkHarnessImport(harnessSrc, storeFile, 'hono')).toBe(
      'store may not import hono (only server may)',
    );
    expect(checkHarnessImport(harnessSrc, path.join(harnessSrc, 'agents', 'x.ts'), '@octokit/rest')).toMatch(
      /only github may/,
    );
    expect(checkHarnessImport(harnessSrc, storeFile, 'left-pad')).toMatch(/which no module may use/);
    expect(checkHarnessImport(harnessSrc, storeFile, 'vitest')).toMatch(/outside a test/);
    expect(checkHarnessImport(harnessSrc, storeFile, '@harness/starlark')).toMatch(/may not import/);
    expect(checkHarnessImport(harnessSrc, storeFile, 'better-sqlite3')).toBeNull();
    expect(checkHarnessImport(harnessSrc, storeFile, 'pg')).toBeNull();
    expect(checkHarnessImport(harnessSrc, storeFile, 'node:fs')).toBeNull();
    expect(checkHarnessImport(harnessSrc, storeTest, 'vitest')).toBeNull();
  });

  it('catches a production import of the test doubles; tests and the demo (dynamically) may', () => {
    const serverFile = path.join(harnessSrc, 'server', 'harness.ts');
    const demo = path.join(harnessSrc, 'cli', 'commands', 'demo.ts');
    expect(checkHarnessImport(harnessSrc, serverFile, '@harness/testkit')).toMatch(
      /only tests, benchmarks and the demo/,
    );
    expect(checkHarnessImport(harnessSrc, demo, '@harness/testkit')).toMatch(/with import\(\)/);
    expect(checkHarnessImport(harnessSrc, demo, '@harness/testkit', true)).toBeNull();
    expect(checkHarnessImport(harnessSrc, storeTest, '@harness/testkit')).toBeNull();
  });
  it('finds a file that nothing reaches', () => {
    const graph: Record<string, string[]> = { '/m/a.ts': ['./b.js'], '/m/b.ts': [], '/m/c.ts': ['./a.js'] };
    const reached = reachableFrom(['/m/a.ts'], (file) => graph[file] ?? []);
    expect([...reached].sort()).toEqual(['/m/a.ts', '/m/b.ts']);
    expect(reached.has('/m/c.ts')).toBe(false);
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
