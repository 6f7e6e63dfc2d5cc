/**
 * quality: the loop that improves agent work — stored rule scans, metrics, health and signals over
 * the event history, and GC, which turns the strongest signals into remediation drafts (guards,
 * rules, policy rules, skills, validation commands), tries them on the past, and lets people adopt or
 * reject them. May depend on core, store, observe, policy, guards and agents; tasks, server and cli
 * use it.
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
// GC (quality/gc): drafts, the drafting run with its budgets, adoption, the scheduler.
export {
  MAX_ARTIFACT_BYTES,
  MAX_ARTIFACTS,
  type ParsedAnswer,
  artifactKind,
  parseArtifacts,
} from './gc/artifacts.js';
export { type ArtifactTarget, checkArtifactPaths, writeArtifacts } from './gc/artifact-paths.js';
export { type BudgetSettings, budgetState, canDraft } from './gc/budget.js';
export {
  AgentDrafter,
  DRAFT_TOOLS,
  type DraftAnswer,
  type Drafter,
  type DraftRequest,
} from './gc/drafter.js';
export { type AdoptOutcome, type AdoptionDeps, pullRequestPrompt } from './gc/gc-adoption.js';
export { isGenerated, orderSignals } from './gc/gc-drafting.js';
export { GcScheduler, type GcSchedulerDeps, gradeIntervalMs } from './gc/gc-scheduler.js';
export { GcService, type GcServiceDeps } from './gc/gc-service.js';
export type {
  GcPorts,
  GcProgress,
  GcProject,
  GcSettings,
  GradeOf,
  PullRequestRequest,
} from './gc/gc-types.js';
export { draftPrompt } from './gc/prompts.js';
export { isRunOwnerGone, newRunOwner } from './gc/run-owner.js';
// Replay: a draft tried on the current tree and the stored history (replay/).
export { replayDraft, type ReplayContext } from './replay/replay.js';
export { rulesInArtifact, type DraftRule, type RuleHeadings } from './replay/rule-headings.js';
export { ProjectHistory, type ProjectRef } from './replay/history.js';
export type { Confine } from './replay/tree-replay.js';
// Learning: rules and skills from adopted drafts and recurring failures, as drafts (learn/).
export { learn, NO_LESSONS, type LearnContext, type LearnKind } from './learn/learn.js';
export { fencedFiles, type FencedFiles } from './learn/fenced-files.js';
export { lessonsOf, type Lesson } from './learn/lessons.js';
export {
  readOnlyAgent,
  type AgentAnswer,
  type ReadOnlyAgent,
  type ReadOnlyAgentOptions,
} from './agent-turn.js';
