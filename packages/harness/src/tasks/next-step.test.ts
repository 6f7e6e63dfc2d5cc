import { describe, expect, it } from 'vitest';
import type { ReviewRound } from '@harness/protocol';
import { afterReview, afterValidation } from './next-step.js';

const failed = { kind: 'failed' as const, report: 'npm test exited 1', commands: [], detected: null };
const round = (n: number, verdict: ReviewRound['verdict']): ReviewRound => ({
  round: n,
  reviewer: 'codex',
  verdict,
  summary: '',
  findings: [],
  at: '2026-01-01T00:00:00.000Z',
});

describe('the step after validation', () => {
  it('goes on when it passed', () => {
    expect(afterValidation({ kind: 'passed', sha: 'abc', commands: [], detected: null }, 3, 0)).toEqual({
      kind: 'advance',
    });
  });

  it('sends a failure back to the implementor while fix rounds are left, then fails the task', () => {
    expect(afterValidation(failed, 1, 2)).toEqual({ kind: 'fix' });
    expect(afterValidation(failed, 2, 2)).toEqual({ kind: 'fix' });
    const last = afterValidation(failed, 3, 2);
    expect(last.kind === 'fail' && last.failure).toMatchObject({
      code: 'validation_failed',
      message: 'validation still failed after 3 attempt(s):\nnpm test exited 1',
    });
  });

  it('counts guard findings against the same retries, failing with guard_findings when only they remain', () => {
    const passed = { kind: 'passed' as const, sha: 'abc', commands: [], detected: null };
    expect(afterValidation(passed, 1, 1, 'a.js:1 [SEC-EVAL]')).toEqual({ kind: 'fix' });
    const last = afterValidation(passed, 2, 1, 'a.js:1 [SEC-EVAL]');
    expect(last.kind === 'fail' && last.failure).toMatchObject({
      code: 'guard_findings',
      message: 'the guards still found new problems after 2 attempt(s):\na.js:1 [SEC-EVAL]',
    });
    // A failing command is the first thing to name.
    const both = afterValidation(failed, 2, 1, 'a.js:1 [SEC-EVAL]');
    expect(both.kind === 'fail' && both.failure.code).toBe('validation_failed');
  });
});

describe('the step after a review round', () => {
  it('ends the review on approval', () => {
    expect(afterReview(round(2, 'approve'), 2)).toEqual({ kind: 'advance' });
  });

  it('answers requested changes while rounds are left, and fails after the last', () => {
    expect(afterReview(round(1, 'changes_requested'), 2)).toEqual({ kind: 'fix' });
    const last = afterReview(round(2, 'changes_requested'), 2);
    expect(last.kind === 'fail' && last.failure).toMatchObject({ code: 'review_not_approved' });
  });

  it('never takes an answer without a verdict as approval', () => {
    const next = afterReview(round(1, 'protocol_error'), 3);
    expect(next.kind === 'fail' && next.failure).toMatchObject({ code: 'review_protocol_error' });
  });
});
