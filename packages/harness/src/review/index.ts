/**
 * review: the cross-review engine (a primary reviewer and a challenger of another provider, an
 * issue ledger across rounds, answers parsed robustly, `not_converged` never approved), the
 * `cross_review` target resolution, and preflight (a read-only turn before implementing, from the
 * latest project scan). Used by the task pipeline's review loop and by the server. Depends on core,
 * store, observe, agents, threads, policy, guards and skills; the project scan comes in through a
 * port (`ScanBaseline`), wired by the server.
 */
export { parseReviewerAnswer, type ParsedAnswer, type RaisedIssue, type ReviewerAnswer } from './answer.js';
export { IssueLedger } from './ledger.js';
export {
  crossReview,
  type CrossReviewInput,
  type CrossReviewRun,
  type Reviewer,
  type ReviewerReply,
} from './engine.js';
export { primaryFormat, type ReviewSubject } from './prompts.js';
export { chooseChallenger, sameProvider } from './challenger.js';
export { resolveTarget, type ResolvedTarget, type TargetDeps } from './target.js';
export { type ReadOnlyAsk, threadReviewer, type ThreadServices } from './read-only-turn.js';
export { type CrossReviewDeps, type CrossReviewSettings, runCrossReview } from './cross-review.js';
export {
  parsePreflightAnswer,
  preflightBrief,
  preflightPrompt,
  type PreflightInput,
  runPreflight,
  type ScanBaseline,
  type ScanSummary,
} from './preflight.js';
