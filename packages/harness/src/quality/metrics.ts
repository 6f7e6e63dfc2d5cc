import { performance } from 'node:perf_hooks';
import type { Grade, ProjectGrade, QualityReport, Severity } from '@harness/protocol';
import type { Clock, ProcessRunner } from '../core/index.js';
import { type ProjectScan, type Rule, scanProject } from '../guards/index.js';
import { type EventLog, gradeQuality, slowOperationMs } from '../observe/index.js';
import type { ScanRecord, ScanTrigger, Store } from '../store/index.js';
import { recordScan } from './scans.js';

/**
 * Quality metrics: a project's grade from its stored events and its latest full scan (the
 * original's formula, observe/quality.ts), per project and over all of them, and `collect`, which
 * scans the project first so the grade counts what is in the tree now.
 */

/** Where a project's rules come from (the catalogue plus its rule files); a port until RULES lands. */
export type RuleSource = (root: string) => Promise<ReadonlyMap<string, Rule>>;

export interface MetricsDeps {
  readonly store: Store;
  readonly events: EventLog;
  readonly clock: Clock;
  readonly runner?: ProcessRunner;
  readonly rules: RuleSource;
}

export interface ReportScope {
  since?: string;
  until?: string;
}

const hour = 3600;
/** GC's interval at each grade: the better the grade, the less often it needs to look. */
const gcIntervals: Record<Grade, number> = { A: 7 * 24 * hour, B: 3 * 24 * hour, C: 24 * hour, D: hour };

export function gcIntervalSecs(grade: Grade): number {
  return gcIntervals[grade];
}

const noSeverities = (): Record<Severity, number> => ({ critical: 0, high: 0, medium: 0, low: 0 });

/**
 * The quality report of a project, or of everything when `project` is null: then the violations
 * are the sum of `projects`' latest full scans.
 */
export async function qualityReport(
  store: Store,
  project: string | null,
  scope: ReportScope,
  projects: readonly string[] = [],
): Promise<QualityReport> {
  const aggregate = await store.events.aggregate(
    { ...scope, ...(project === null ? {} : { project }) },
    slowOperationMs,
  );
  const scans = await latestScans(store, project === null ? projects : [project]);
  const bySeverity = noSeverities();
  for (const scan of scans)
    for (const [severity, n] of Object.entries(scan.by_severity)) bySeverity[severity as Severity] += n;
  const violations = scans.reduce((n, scan) => n + scan.finding_count, 0);
  const quality = gradeQuality({ ...aggregate, violations });
  const single = project === null ? null : (scans[0] ?? null);
  return {
    project,
    since: scope.since ?? null,
    until: scope.until ?? null,
    quality,
    recommended_gc_interval_secs: gcIntervalSecs(quality.grade),
    events: {
      total: aggregate.total,
      security_blocks: aggregate.security_blocks,
      instability: aggregate.instability,
      slow: aggregate.slow,
    },
    violations: {
      count: violations,
      by_severity: bySeverity,
      scan_id: single?.id ?? null,
      scanned_at: single?.started_at ?? null,
    },
  };
}

async function latestScans(store: Store, projects: readonly string[]): Promise<ScanRecord[]> {
  const scans = await Promise.all(projects.map((p) => store.scans.latestFull(p)));
  return scans.filter((scan): scan is ScanRecord => scan !== null);
}

/** Each project's grade, for dashboards and `metrics/query` without a project. */
export async function projectGrades(
  store: Store,
  projects: readonly string[],
  scope: ReportScope = {},
): Promise<ProjectGrade[]> {
  return Promise.all(
    projects.map(async (project) => {
      const report = await qualityReport(store, project, scope);
      return {
        project,
        grade: report.quality.grade,
        score: report.quality.score,
        violations: report.violations.count,
      };
    }),
  );
}

export interface CollectedMetrics extends QualityReport {
  scan: {
    id: string;
    finding_count: number;
    duration_ms: number;
    by_rule: Record<string, number>;
    problems: { guard: string; problem: string }[];
  };
}

/** Scans the whole project with its rules, stores the scan (trigger `metrics`), then grades it. */
export async function collectMetrics(
  deps: MetricsDeps,
  project: { name: string; root: string },
  trigger: ScanTrigger = 'metrics',
): Promise<CollectedMetrics> {
  const startedAt = deps.clock.now();
  const started = performance.now();
  const rules = await deps.rules(project.root);
  const scan = await scanProject(project.root, { rules, ...(deps.runner ? { processes: deps.runner } : {}) });
  const durationMs = Math.round(performance.now() - started);
  const record = await recordScan(deps, {
    project: project.name,
    scan,
    trigger,
    startedAt,
    durationMs,
  });
  const report = await qualityReport(deps.store, project.name, {});
  return {
    ...report,
    scan: {
      id: record.id,
      finding_count: record.finding_count,
      duration_ms: record.duration_ms,
      by_rule: record.by_rule,
      problems: scanProblems(scan),
    },
  };
}

/** A guard that failed, timed out or printed lines that are not findings is said, not hidden. */
function scanProblems(scan: ProjectScan): { guard: string; problem: string }[] {
  const problems: { guard: string; problem: string }[] = [];
  for (const run of scan.guards) {
    if (run.timedOut) problems.push({ guard: run.guard, problem: `timed out after ${run.durationMs} ms` });
    else if (run.error !== undefined) problems.push({ guard: run.guard, problem: run.error });
  }
  for (const garbage of scan.garbage.slice(0, 20))
    problems.push({ guard: garbage.guard, problem: `not a finding: ${garbage.line.slice(0, 200)}` });
  return problems;
}
