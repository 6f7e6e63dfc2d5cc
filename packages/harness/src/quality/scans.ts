import type { Decision, Finding, Severity } from '@harness/protocol';
import { newId } from '../core/index.js';
import type { ProjectScan } from '../guards/index.js';
import type { EventLog } from '../observe/index.js';
import type { ScanRecord, ScanTrigger, Store } from '../store/index.js';

/**
 * Stores a rule scan so its history can be queried: one `scans` row, one `rule.scan` event and one
 * `rule.finding` event per finding, all sharing the scan's id as their session. The finding events
 * are what signals, metrics and replays read.
 */
export interface ScanRecorderDeps {
  readonly store: Store;
  readonly events: EventLog;
}

export interface ScanToRecord {
  readonly project: string;
  readonly scan: ProjectScan;
  readonly trigger: ScanTrigger;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly taskId?: string;
}

/** The original's mapping: what blocks, what warns, what passes. */
const decisionFor: Record<Severity, Decision> = {
  critical: 'block',
  high: 'block',
  medium: 'warn',
  low: 'pass',
};

export async function recordScan(deps: ScanRecorderDeps, input: ScanToRecord): Promise<ScanRecord> {
  const record: ScanRecord = {
    id: newId('scan'),
    project: input.project,
    root: input.scan.root,
    trigger: input.trigger,
    task_id: input.taskId ?? null,
    files: input.scan.files === null ? null : [...input.scan.files],
    started_at: input.startedAt.toISOString(),
    duration_ms: input.durationMs,
    finding_count: input.scan.findings.length,
    by_severity: countBySeverity(input.scan.findings),
    by_rule: countBy(input.scan.findings, (f) => f.rule_id),
  };
  await deps.store.scans.insert(record);
  const common = { project: record.project, session_id: record.id, task_id: record.task_id };
  await deps.events.append({
    ...common,
    kind: 'rule.scan',
    tool: 'rule-engine',
    decision: record.finding_count === 0 ? 'pass' : 'warn',
    reason: `findings=${record.finding_count}`,
    duration_ms: record.duration_ms,
    data: {
      scan_id: record.id,
      trigger: record.trigger,
      files: record.files,
      by_severity: record.by_severity,
    },
  });
  for (const finding of input.scan.findings) {
    await deps.events.append({
      ...common,
      kind: 'rule.finding',
      tool: finding.rule_id,
      decision: decisionFor[finding.severity],
      reason: finding.message,
      data: { scan_id: record.id, full: record.files === null, ...finding },
    });
  }
  return record;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
