import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { isWithin } from '../core/index.js';
import { builtinGuards, isTestFile, lexLines, type BuiltinGuard } from './builtin/index.js';
import { globToRegExp, matchesAny } from './glob.js';
import type { GuardViolation } from './guards.js';
import type { Rule } from './scan.js';

/**
 * Runs the built-in guards in-process: walks the project (or reads just the given files), skipping
 * version control, dependencies, build output and vendored code, symlinks, binaries and very large
 * files, and checks each file with the guards whose rule's `paths` match it. The rule given for an
 * id (a project may restate a built-in rule) decides the paths; the guard is the built-in one.
 */
export const SKIPPED_DIRS = new Set([
  '.git',
  'node_modules',
  'target',
  'dist',
  'vendor',
  'third_party',
  '.venv',
  'venv',
  '__pycache__',
]);
const MAX_FILE_BYTES = 1024 * 1024;

interface ActiveGuard {
  readonly guard: BuiltinGuard;
  readonly globs: readonly RegExp[];
}

export async function runBuiltinGuards(
  root: string,
  rules: ReadonlyMap<string, Rule>,
  files: readonly string[] | null,
): Promise<GuardViolation[]> {
  const active: ActiveGuard[] = [];
  for (const [id, guard] of builtinGuards()) {
    const rule = rules.get(id);
    if (rule) active.push({ guard, globs: rule.paths.map(globToRegExp) });
  }
  if (active.length === 0) return [];
  const candidates = files === null ? await walk(root) : await expand(root, files);
  const violations: GuardViolation[] = [];
  for (const file of candidates) {
    const guards = active.filter((a) => matchesAny(file, a.globs));
    if (guards.length === 0) continue;
    const content = await readText(root, file);
    if (content !== null) violations.push(...checkFile(file, content, guards));
  }
  return violations;
}

function checkFile(file: string, content: string, guards: readonly ActiveGuard[]): GuardViolation[] {
  const lines = lexLines(file, content);
  const cfgTest = file.endsWith('.rs') ? lines.find((l) => /^\s*#\[cfg\(test\)\]/.test(l.code)) : undefined;
  const context = { file, lines, isTest: isTestFile(file), testCodeFrom: cfgTest?.number ?? null };
  const out: GuardViolation[] = [];
  for (const { guard } of guards) {
    if (guard.skipTests && context.isTest) continue;
    for (const line of lines) {
      if (guard.skipTests && context.testCodeFrom !== null && line.number >= context.testCodeFrom) break;
      const message = guard.check(line, context);
      if (message !== null) {
        out.push({ guard: 'builtin', file, line: line.number, ruleId: guard.ruleId, message });
      }
    }
  }
  return out;
}

/** The files asked for, with a directory standing for the files below it; `.` is the whole tree. */
async function expand(root: string, files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    const info = await lstat(path.join(root, file)).catch(() => undefined);
    if (info?.isDirectory()) out.push(...(await walk(root, file)));
    else out.push(file);
  }
  return [...new Set(out)];
}

/** Every regular file under `root` (or its `dir`), relative and `/`-separated, in a stable order. */
async function walk(root: string, dir = ''): Promise<string[]> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const entry of entries) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) out.push(...(await walk(root, relative)));
    else if (entry.isFile()) out.push(relative);
  }
  return out;
}

/**
 * The file's text, or null for what is not scanned: missing, not a regular file, a symlink whose
 * target is outside the root, larger than 1 MiB, or binary (a NUL byte).
 */
async function readText(root: string, file: string): Promise<string | null> {
  const absolute = path.join(root, file);
  const link = await lstat(absolute).catch(() => undefined);
  if (link?.isSymbolicLink()) {
    const target = await realpath(absolute).catch(() => undefined);
    const realRoot = await realpath(root).catch(() => root);
    if (target === undefined || !isWithin(realRoot, target)) return null;
  }
  const info = link?.isSymbolicLink() ? await stat(absolute).catch(() => undefined) : link;
  if (!info?.isFile() || info.size > MAX_FILE_BYTES) return null;
  const buffer = await readFile(absolute).catch(() => undefined);
  if (!buffer || buffer.subarray(0, 8192).includes(0)) return null;
  return buffer.toString('utf8');
}
