import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, RuleCategory, Severity } from '@harness/protocol';
import { ErrorCodes, HarnessError, isWithin } from '../core/index.js';
import { runBuiltinGuards, SKIPPED_DIRS } from './builtin-scan.js';
import { builtinRules } from './catalogue.js';
import {
  runGuards,
  type GuardOptions,
  type GuardRun,
  type GuardScan,
  type GuardViolation,
} from './guards.js';

/**
 * A project scan: the project's guard scripts and the built-in guards, every report mapped to the
 * rule it names, with that rule's severity. A finding whose rule no loaded catalogue knows is
 * `medium`, as in the original, and says so by a null title. A guard that reports a file outside
 * the root has printed garbage, not a finding.
 */

/** One rule of the catalogue: a `## ID: Title (severity)` section of a rule file. */
export interface Rule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly category: RuleCategory;
  /** Globs of the files the rule applies to; empty means every file. */
  readonly paths: readonly string[];
  /** The section's text: what is wrong and how to fix it, given to an agent with a finding. */
  readonly description: string;
  /** A sed-style `s/PAT/REP/` applied by `--fix`, when the rule has one. */
  readonly fixPattern: string | null;
  /** Where the rule was read from (`builtin:…` for the shipped catalogue). */
  readonly source: { readonly file: string; readonly line: number };
}

export interface ScanOptions extends GuardOptions {
  /**
   * Only these files (relative to the root, or absolute inside it; a directory stands for the
   * files below it); one outside the root is an error.
   */
  readonly files?: readonly string[];
  /**
   * The rules findings are mapped to, and the built-in rules whose guards run; the built-in
   * catalogue when not given.
   */
  readonly rules?: ReadonlyMap<string, Rule>;
  /** Run the built-in guards of the rules (default true). */
  readonly builtinGuards?: boolean;
}

export interface ProjectScan {
  readonly root: string;
  /** The files asked for (relative to the root), or null for the whole project. */
  readonly files: readonly string[] | null;
  readonly findings: readonly Finding[];
  readonly guards: readonly GuardRun[];
  readonly garbage: GuardScan['garbage'];
  readonly skipped: readonly string[];
}

export async function scanProject(projectRoot: string, options: ScanOptions = {}): Promise<ProjectScan> {
  const root = path.resolve(projectRoot);
  const files =
    options.files === undefined ? null : await Promise.all(options.files.map((f) => insideRoot(root, f)));
  const rules = options.rules ?? builtinRules();
  const scan = await runGuards(root, { ...options, ...(files === null ? {} : { files }) });
  const garbage = [...scan.garbage];
  const violations: GuardViolation[] = [];
  for (const violation of scan.violations) {
    if (isWithin(root, path.resolve(root, violation.file))) violations.push(violation);
    else
      garbage.push({ guard: violation.guard, line: `${violation.file}: outside the project root ${root}` });
  }
  const guards = [...scan.guards];
  if (options.builtinGuards !== false) {
    const started = Date.now();
    const wanted = files?.filter((f) => !f.split('/').some((part) => SKIPPED_DIRS.has(part))) ?? null;
    violations.push(...(await runBuiltinGuards(root, rules, wanted)));
    guards.push(builtinRun(Date.now() - started));
  }
  const findings = violations
    .map((violation) => toFinding(root, violation, rules))
    .filter((finding) => files === null || files.some((f) => covers(f, finding.file)))
    .sort(byPlace);
  return { root, files, findings, guards, garbage, skipped: scan.skipped };
}

export function toFinding(
  root: string,
  violation: GuardViolation,
  rules: ReadonlyMap<string, Rule> | undefined,
): Finding {
  const rule = rules?.get(violation.ruleId);
  return {
    rule_id: violation.ruleId,
    severity: rule?.severity ?? 'medium',
    title: rule?.title ?? null,
    file: relativeTo(root, violation.file),
    line: violation.line,
    message: violation.message,
    guard: violation.guard,
  };
}

/** A file asked for covers itself; a directory, everything below it (`''` is the root). */
function covers(asked: string, file: string): boolean {
  return asked === '' || file === asked || file.startsWith(`${asked}/`);
}

function builtinRun(durationMs: number): GuardRun {
  return {
    guard: 'builtin',
    path: 'builtin',
    exitCode: 0,
    timedOut: false,
    durationMs,
    stderr: '',
    error: undefined,
  };
}

function byPlace(a: Finding, b: Finding): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if ((a.line ?? 0) !== (b.line ?? 0)) return (a.line ?? 0) - (b.line ?? 0);
  return a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0;
}

/**
 * A file asked for, relative to the root; refused when it is outside, by its path or (when it
 * exists) by where its symlinks lead.
 */
async function insideRoot(root: string, file: string): Promise<string> {
  const absolute = path.resolve(root, file);
  const realRoot = await realpath(root).catch(() => root);
  const real = await realpath(absolute).catch(() => null);
  if (!isWithin(root, absolute) || (real !== null && !isWithin(realRoot, real))) {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `file path '${file}' is outside project root '${root}'`,
      {
        data: { file, root },
      },
    );
  }
  return relativeTo(root, absolute);
}

/** A guard may print absolute paths or paths relative to the root; findings are always relative. */
function relativeTo(root: string, file: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  return relative.split(path.sep).join('/');
}
