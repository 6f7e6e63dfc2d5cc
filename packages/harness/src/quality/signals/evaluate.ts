import { createHash } from 'node:crypto';
import type { RemediationKind, Signal, SignalType } from '@harness/protocol';
import type { SignalAggregate } from '../../store/index.js';
import { escalationBuckets, halfRates } from './book.js';

/** `[gc.signal_thresholds]`: when a group of events becomes a signal. */
export interface SignalThresholds {
  repeated_warn_min: number;
  chronic_block_min: number;
  hot_file_edits_min: number;
  slow_op_threshold_ms: number;
  slow_op_count_min: number;
  escalation_ratio: number;
  violation_min: number;
  task_failure_min: number;
  policy_denial_min: number;
  validation_failure_min: number;
  review_finding_min: number;
  ci_failure_min: number;
  changes_requested_min: number;
}

/** warn_escalation needs this many decided events before rates mean anything (the original's 20). */
export const escalationMinEvents = 20;

interface Detector {
  threshold: (t: SignalThresholds) => number;
  remediation: RemediationKind;
  summary: (a: SignalAggregate) => string;
}

const count = (min: keyof SignalThresholds) => (t: SignalThresholds) => t[min];

/** Each type's threshold, what a draft for it proposes, and how it reads. */
export const detectors: Record<Exclude<SignalType, 'warn_escalation'>, Detector> = {
  repeated_warn: {
    threshold: count('repeated_warn_min'),
    remediation: 'guard',
    summary: (a) => `${a.count} warnings for "${a.key}"`,
  },
  chronic_block: {
    threshold: count('chronic_block_min'),
    remediation: 'rule',
    summary: (a) => `${a.count} blocks by ${a.key}`,
  },
  hot_files: {
    threshold: count('hot_file_edits_min'),
    remediation: 'skill',
    summary: (a) => `${a.key} edited ${a.count} times`,
  },
  slow_operations: {
    threshold: count('slow_op_count_min'),
    remediation: 'skill',
    summary: (a) => `${a.count} slow operations of ${a.key}`,
  },
  linter_violations: {
    threshold: count('violation_min'),
    remediation: 'guard',
    summary: (a) => `rule ${a.key} found ${a.count} times in ${a.files.length} file(s)`,
  },
  task_failures: {
    threshold: count('task_failure_min'),
    remediation: 'skill',
    summary: (a) => `${a.count} tasks failed with ${a.key}`,
  },
  policy_denials: {
    threshold: count('policy_denial_min'),
    remediation: 'policy_rule',
    summary: (a) => `${a.count} commands denied by ${a.key}`,
  },
  validation_failures: {
    threshold: count('validation_failure_min'),
    remediation: 'validation_command',
    summary: (a) => `validation command \`${a.key}\` failed ${a.count} times`,
  },
  review_findings: {
    threshold: count('review_finding_min'),
    remediation: 'rule',
    summary: (a) => `reviewers found "${a.key}" ${a.count} times`,
  },
  ci_failures: {
    threshold: count('ci_failure_min'),
    remediation: 'validation_command',
    summary: (a) => `CI check ${a.key} failed ${a.count} times`,
  },
  changes_requested: {
    threshold: count('changes_requested_min'),
    remediation: 'skill',
    summary: (a) => `changes requested ${a.count} times on pull request ${a.key}`,
  },
};

/** The signals a project's aggregates amount to under `thresholds`, strongest first. */
export function evaluate(
  project: string,
  aggregates: readonly SignalAggregate[],
  thresholds: SignalThresholds,
  detectedAt: string,
): Signal[] {
  const signals: Signal[] = [];
  for (const aggregate of aggregates) {
    const signal =
      aggregate.type === 'warn_escalation'
        ? escalation(project, aggregate, thresholds, detectedAt)
        : counted(project, aggregate, thresholds, detectedAt);
    if (signal !== null) signals.push(signal);
  }
  return signals.sort(
    (a, b) => b.strength / b.threshold - a.strength / a.threshold || a.id.localeCompare(b.id),
  );
}

function counted(
  project: string,
  aggregate: SignalAggregate,
  thresholds: SignalThresholds,
  detectedAt: string,
): Signal | null {
  const detector = detectors[aggregate.type as Exclude<SignalType, 'warn_escalation'>];
  const threshold = detector.threshold(thresholds);
  if (aggregate.count < threshold) return null;
  const details: Record<string, unknown> = { key: aggregate.key, count: aggregate.count };
  if (aggregate.type === 'slow_operations') details.threshold_ms = thresholds.slow_op_threshold_ms;
  if (aggregate.files.length > 0) details.files = [...aggregate.files].sort();
  return build(project, aggregate, {
    strength: aggregate.count,
    threshold,
    remediation: detector.remediation,
    summary: detector.summary(aggregate),
    details,
    detectedAt,
  });
}

function escalation(
  project: string,
  aggregate: SignalAggregate,
  thresholds: SignalThresholds,
  detectedAt: string,
): Signal | null {
  if (aggregate.count < escalationMinEvents) return null;
  const rates = halfRates(escalationBuckets(aggregate), aggregate.count);
  if (rates.first === 0) return null;
  const ratio = rates.second / rates.first;
  if (ratio < thresholds.escalation_ratio) return null;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return build(project, aggregate, {
    strength: round(ratio),
    threshold: thresholds.escalation_ratio,
    remediation: 'rule',
    summary: `warn rate rose from ${pct(rates.first)} to ${pct(rates.second)} over ${aggregate.count} decisions`,
    eventCount: escalationBuckets(aggregate).warn.reduce((a, b) => a + b, 0),
    details: {
      first_half_rate: round(rates.first),
      second_half_rate: round(rates.second),
      ratio: round(ratio),
      decided_events: aggregate.count,
    },
    detectedAt,
  });
}

const pct = (rate: number) => `${Math.round(rate * 100)}%`;

function build(
  project: string,
  aggregate: SignalAggregate,
  fields: {
    strength: number;
    threshold: number;
    remediation: RemediationKind;
    summary: string;
    details: Record<string, unknown>;
    detectedAt: string;
    eventCount?: number;
  },
): Signal {
  return {
    id: signalId(project, aggregate.type, aggregate.key),
    project,
    type: aggregate.type,
    key: aggregate.key,
    strength: fields.strength,
    threshold: fields.threshold,
    remediation: fields.remediation,
    summary: fields.summary,
    details: fields.details,
    evidence: {
      event_ids: [...aggregate.event_ids],
      event_count: fields.eventCount ?? aggregate.count,
      files: [...aggregate.files].sort(),
      task_ids: [...aggregate.task_ids],
      first_seen: aggregate.first_seen,
      last_seen: aggregate.last_seen,
    },
    detected_at: fields.detectedAt,
  };
}

/** Stable for the same trouble in the same project: a signal seen again keeps its id. */
export function signalId(project: string, type: SignalType, key: string): string {
  const hash = createHash('sha256').update(`${project}\u0000${type}\u0000${key}`).digest('hex');
  return `sig_${hash.slice(0, 20)}`;
}
