/**
 * quality: the loop that improves agent work — stored rule scans, quality metrics and health,
 * signals detected in the event history, and GC that drafts remediations, tries them on the past
 * and lets a person adopt or reject them. Depends on core, store, observe, policy, guards and agents.
 */
export { countBySeverity, recordScan, type ScanRecorderDeps, type ScanToRecord } from './scans.js';
