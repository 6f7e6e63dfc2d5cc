/**
 * quality: the quality loop — what Harness learns from the work it governs and observes. Project
 * metrics, health and signals say where trouble recurs; GC drafts a remediation for the strongest
 * signals; replay tries each draft on the past (the current tree and the stored history) before
 * anyone adopts it; learning turns adopted drafts and recurring failures into new drafts. Nothing
 * here becomes active by itself: every proposal is a draft a person adopts or rejects. Depends on
 * core, store, observe, policy, guards and agents.
 */
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
