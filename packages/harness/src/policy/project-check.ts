import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding, ProjectCheckResult, Severity } from '@harness/protocol';
import { ErrorCodes, HarnessError, describeError, type ProcessRunner } from '../core/index.js';
import {
  applyFixes,
  loadRuleCatalogue,
  scanProject,
  type CatalogueOptions,
  type FixResult,
  type ProjectScan,
} from '../guards/index.js';
import type { Policy } from './policy.js';

/**
 * A project check, as `harness rule check DIR` and `rule/check {project_root}` run it: the rule
 * catalogue loaded, the project's guards and the built-in ones run (over the given files or the
 * whole tree), `--fix` applied and the project scanned again, the scan stored, and the policy
 * loaded. Who may be scanned and where scans are stored are the caller's to say (the server and
 * the CLI differ): scanning runs the project's guard scripts, so the server allows only projects
 * it knows.
 */
export interface ProjectCheckContext {
  readonly guardTimeoutMs?: number;
  readonly processes?: ProcessRunner;
  /** Where rule files are discovered besides the project (home, admin dir, configured paths). */
  readonly catalogue?: Omit<CatalogueOptions, 'projectRoot'>;
  /** Resolves the directory to the project it is, or refuses; the directory's name by default. */
  readonly authorize?: (root: string) => Promise<{ project: string; root: string }>;
  /** Stores the scan and returns its id; not stored (`scan_id: null`) without it. */
  readonly record?: (scan: StoredScanInput) => Promise<string>;
  readonly fix?: boolean;
  /** Loads the project's policy, reported beside the scan. */
  readonly loadPolicy: (root: string) => Promise<Policy>;
}

export interface StoredScanInput {
  readonly project: string;
  readonly scan: ProjectScan;
  readonly startedAt: Date;
  readonly durationMs: number;
}

/** Findings at this severity or above fail the check (CLI exit 1, `ok: false`). */
export const FAIL_SEVERITY: Severity = 'high';
// Not the protocol's severityAtLeast: its module builds zod schemas, and `harness rule` starts without zod.
const FAILING: readonly Severity[] = ['critical', 'high'];

export async function checkProject(
  target: string,
  files: readonly string[] | undefined,
  ctx: ProjectCheckContext,
): Promise<ProjectCheckResult> {
  const info = await stat(target).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new HarnessError(ErrorCodes.notFound, `${target}: not a project directory`, {
      data: { root: target },
    });
  }
  const { project, root } = ctx.authorize
    ? await ctx.authorize(path.resolve(target))
    : { project: path.basename(path.resolve(target)), root: path.resolve(target) };
  const catalogue = await loadRuleCatalogue({ ...ctx.catalogue, projectRoot: root });
  const startedAt = new Date();
  const options = {
    rules: catalogue.rules,
    ...(files === undefined ? {} : { files }),
    ...(ctx.guardTimeoutMs === undefined ? {} : { timeoutMs: ctx.guardTimeoutMs }),
    ...(ctx.processes === undefined ? {} : { processes: ctx.processes }),
  };
  let scan = await scanProject(root, options);
  let fixed: FixResult | undefined;
  if (ctx.fix === true) {
    fixed = await applyFixes(root, scan.findings, catalogue.rules);
    if (fixed.fixesApplied > 0) scan = await scanProject(root, options);
  }
  const durationMs = Date.now() - startedAt.getTime();
  const scanId = ctx.record ? await ctx.record({ project, scan, startedAt, durationMs }) : null;
  const policy = await policySummary(root, ctx);
  const failing = scan.findings.some((f) => FAILING.includes(f.severity));
  return {
    kind: 'project',
    ok: !failing && policy.error === undefined,
    scan_id: scanId,
    project,
    root,
    files: scan.files === null ? null : [...scan.files],
    findings: [...scan.findings],
    by_severity: bySeverity(scan.findings),
    ...(fixed
      ? { fixed: { files_changed: [...fixed.filesChanged], fixes_applied: fixed.fixesApplied } }
      : {}),
    guards: scan.guards.map((g) => ({
      guard: g.guard,
      path: g.path,
      exit_code: g.exitCode,
      timed_out: g.timedOut,
      duration_ms: g.durationMs,
      ...(g.error === undefined ? {} : { error: g.error }),
    })),
    garbage: scan.garbage.map((g) => ({ guard: g.guard, line: g.line })),
    policy,
  };
}

async function policySummary(root: string, ctx: ProjectCheckContext): Promise<ProjectCheckResult['policy']> {
  try {
    const loaded = await ctx.loadPolicy(root);
    return {
      files: [...loaded.files],
      rule_count: loaded.rules.prefixRules.length + loaded.rules.networkRules.length,
    };
  } catch (error) {
    return { files: [], rule_count: 0, error: describeError(error) };
  }
}

function bySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}
