import type { Event, HealthReport, QualityReport, Severity, Signal } from '@harness/protocol';
import { severities } from '@harness/protocol';
import type { Clock } from '../core/index.js';
import type { ScanRecord, Store } from '../store/index.js';
import { qualityReport } from './metrics.js';
import { detectSignals } from './signals/detect.js';
import type { SignalThresholds } from './signals/evaluate.js';

/**
 * A project's health: its grade, what its latest full scan found per rule, the signals detected
 * now (an incremental pass, so cheap), how its events were decided, and what to do about it.
 */
export interface HealthDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly thresholds: SignalThresholds;
}

/** Finding events read from one scan to learn each rule's severity and files. */
const scanEventLimit = 10_000;

export async function healthReport(deps: HealthDeps, project: string): Promise<HealthReport> {
  const { store } = deps;
  const [quality, scan, signals, aggregate] = await Promise.all([
    qualityReport(store, project, {}),
    store.scans.latestFull(project),
    detectSignals(store, project, deps.thresholds, deps.clock),
    store.events.aggregate({ project }, 0),
  ]);
  const findings = scan === null ? [] : await findingEvents(store, scan);
  const violations = violationSummary(findings);
  const decided = (names: string[]) => names.reduce((n, name) => n + (aggregate.by_decision[name] ?? 0), 0);
  return {
    project,
    quality,
    violation_summary: violations.map(({ files: _files, ...v }) => v),
    signal_summary: signalSummary(signals),
    event_summary: {
      total: aggregate.total,
      pass: decided(['pass', 'complete', 'allow']),
      warn: decided(['warn', 'prompt']),
      block: decided(['block', 'gate', 'forbidden']),
      escalate: decided(['escalate']),
    },
    recommendations: recommend(project, quality, scan, violations, signals),
  };
}

async function findingEvents(store: Store, scan: ScanRecord): Promise<Event[]> {
  return store.events.query({
    session_id: scan.id,
    kinds: ['rule.finding'],
    limit: scanEventLimit,
    order: 'asc',
  });
}

interface RuleViolations {
  rule_id: string;
  count: number;
  severity: Severity;
  files: string[];
}

function violationSummary(findings: readonly Event[]): RuleViolations[] {
  const byRule = new Map<string, RuleViolations>();
  for (const event of findings) {
    const data = (event.data ?? {}) as { rule_id?: string; severity?: Severity; file?: string };
    const ruleId = data.rule_id ?? event.tool ?? 'unknown';
    const entry = byRule.get(ruleId) ?? {
      rule_id: ruleId,
      count: 0,
      severity: data.severity ?? 'medium',
      files: [],
    };
    entry.count += 1;
    if (data.file !== undefined && !entry.files.includes(data.file)) entry.files.push(data.file);
    byRule.set(ruleId, entry);
  }
  return [...byRule.values()].sort(
    (a, b) =>
      b.count - a.count ||
      severities.indexOf(a.severity) - severities.indexOf(b.severity) ||
      a.rule_id.localeCompare(b.rule_id),
  );
}

function signalSummary(signals: readonly Signal[]): HealthReport['signal_summary'] {
  const byType = new Map<Signal['type'], { count: number; last_detected: string }>();
  for (const signal of signals) {
    const entry = byType.get(signal.type) ?? { count: 0, last_detected: signal.detected_at };
    entry.count += 1;
    if (signal.detected_at > entry.last_detected) entry.last_detected = signal.detected_at;
    byType.set(signal.type, entry);
  }
  return [...byType.entries()]
    .map(([type, entry]) => ({ type, ...entry }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

const fileList = (files: readonly string[]) =>
  files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`;

/** Concrete next steps, most urgent first; never empty. */
function recommend(
  project: string,
  quality: QualityReport,
  scan: ScanRecord | null,
  violations: readonly RuleViolations[],
  signals: readonly Signal[],
): string[] {
  const out: string[] = [];
  if (scan === null)
    out.push(`scan ${project}: it has no full scan yet (metrics/collect, or harness rule check on its root)`);
  for (const severity of ['critical', 'high'] as const) {
    for (const v of violations.filter((x) => x.severity === severity))
      out.push(`fix the ${v.count} ${severity} finding(s) of ${v.rule_id} in ${fileList(v.files)}`);
  }
  if (signals.length > 0) {
    const strongest = signals[0] as Signal;
    out.push(
      `run harness gc run ${project}: ${signals.length} signal(s) pending, the strongest: ${strongest.summary}`,
    );
  }
  const dims = Object.entries(quality.quality.dimensions).sort((a, b) => a[1] - b[1]);
  const [weakest, score] = dims[0] as [string, number];
  if (quality.quality.grade === 'C' || quality.quality.grade === 'D')
    out.push(
      `grade ${quality.quality.grade} (${quality.quality.score}): the weakest dimension is ${weakest} (${score})`,
    );
  if (out.length === 0)
    out.push(`nothing to do: grade ${quality.quality.grade}, no open high findings, no signals`);
  return out;
}
