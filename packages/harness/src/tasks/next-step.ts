import type { DeliverMode, Delivery, ReviewRound } from '@harness/protocol';
import { TaskFailure } from './task-failure.js';
import type { ValidationResult } from './stages.js';

/**
 * What comes after a stage's result, decided from the result alone: go on, send the work back to
 * the implementor, or end the task failed. The run (task-run.ts) carries the decision out.
 */
export type NextStep = { kind: 'advance' } | { kind: 'fix' } | { kind: 'fail'; failure: TaskFailure };

const advance: NextStep = { kind: 'advance' };
const fixIt: NextStep = { kind: 'fix' };
const fail = (code: string, message: string): NextStep => ({
  kind: 'fail',
  failure: new TaskFailure(code, message),
});

/**
 * After validation attempt `attempt` (from 1), the commands' result and the guards' report (null
 * when no new finding blocks): `max_retries` fix rounds, then the task fails — `validation_failed`
 * when a command still fails, else `guard_findings`.
 */
export function afterValidation(
  result: Exclude<ValidationResult, { kind: 'cancelled' }>,
  attempt: number,
  maxRetries: number,
  guardReport: string | null = null,
): NextStep {
  if (result.kind === 'passed' && guardReport === null) return advance;
  if (attempt <= maxRetries) return fixIt;
  if (result.kind === 'failed')
    return fail(
      'validation_failed',
      `validation still failed after ${attempt} attempt(s):\n${result.report.slice(0, 2000)}`,
    );
  return fail(
    'guard_findings',
    `the guards still found new problems after ${attempt} attempt(s):\n${(guardReport ?? '').slice(0, 2000)}`,
  );
}

/**
 * After a review round: approval ends the review; no verdict, or changes still wanted (or the
 * reviewers still disagreeing) after the last round, fail. Disagreement before then is sent back
 * to the implementor like a change request: every issue still held is addressed.
 */
export function afterReview(round: ReviewRound, maxRounds: number): NextStep {
  if (round.verdict === 'approve') return advance;
  if (round.verdict === 'protocol_error')
    return fail('review_protocol_error', 'the reviewer answered without a verdict in the required format');
  if (round.round >= maxRounds && round.verdict === 'not_converged')
    return fail(
      'review_not_converged',
      `the reviewer and the challenger ${round.challenger ?? ''} still disagreed after ${maxRounds} round(s)`,
    );
  if (round.round >= maxRounds)
    return fail('review_not_approved', `the reviewer did not approve after ${maxRounds} round(s)`);
  return fixIt;
}

/**
 * How the work leaves Harness: `auto` is a pull request when one can be opened (a GitHub remote
 * and a token), a pushed branch otherwise. An explicit mode is kept as asked; a `pull_request`
 * that cannot be opened fails at the pull request, saying what is missing.
 */
export function chooseDelivery(mode: DeliverMode, canOpenPullRequest: boolean): Delivery {
  if (mode !== 'auto') return mode;
  return canOpenPullRequest ? 'pull_request' : 'branch';
}
