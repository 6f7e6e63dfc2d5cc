/**
 * quality: the loop that improves agent work — stored rule scans, quality metrics and health,
 * signals detected in the event history, and GC that drafts remediations, tries them on the past
 * and lets a person adopt or reject them. Depends on core, store, observe, policy, guards and agents.
 */
export { countBySeverity, recordScan, type ScanRecorderDeps, type ScanToRecord } from './scans.js';
export {
  type CollectedMetrics,
  collectMetrics,
  gcIntervalSecs,
  type MetricsDeps,
  projectGrades,
  qualityReport,
  type ReportScope,
  type RuleSource,
} from './metrics.js';
export { type HealthDeps, healthReport } from './health.js';
export { detectionPageSize, type DetectOptions, detectSignals } from './signals/detect.js';
export {
  detectors,
  escalationMinEvents,
  type SignalThresholds,
  evaluate,
  signalId,
} from './signals/evaluate.js';
