import path from 'node:path';
import type { Finding, RuleCategory, Severity } from '@harness/protocol';
import { runGuards, type GuardOptions, type GuardRun, type GuardScan, type GuardViolation } from './guards.js';

/**
 * A project scan: every guard's report mapped to the rule it names, with that rule's severity.
 * A finding whose rule no loaded catalogue knows is `medium`, as in the original, and says so by
 * a null title.
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
  /** Only findings in these files (relative to the root, or absolute inside it). */
  readonly files?: readonly string[];
  /** The rules findings are mapped to; none means every finding is `medium` and untitled. */
  readonly rules?: ReadonlyMap<string, Rule>;
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
  const files = options.files?.map((file) => relativeTo(root, file)) ?? null;
  const scan = await runGuards(root, options);
  const wanted = files === null ? null : new Set(files);
  const findings = scan.violations
    .map((violation) => toFinding(root, violation, options.rules))
    .filter((finding) => wanted === null || wanted.has(finding.file));
  return { root, files, findings, guards: scan.guards, garbage: scan.garbage, skipped: scan.skipped };
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

/** A guard may print absolute paths or paths relative to the root; findings are always relative. */
function relativeTo(root: string, file: string): string {
  const absolute = path.resolve(root, file);
  const relative = path.relative(root, absolute);
  return relative.split(path.sep).join('/');
}
