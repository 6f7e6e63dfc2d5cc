import { describe, expect, it } from 'vitest';
import { gradeFinished } from './task-grade.js';

describe('gradeFinished', () => {
  it('is null before any task has finished', () => {
    expect(gradeFinished({ done: 0, failed: 0, scores: [] })).toBeNull();
  });

  it('is the mean score while nothing has failed', () => {
    expect(gradeFinished({ done: 3, failed: 0, scores: [95, 92, 90] })).toBe('A');
    expect(gradeFinished({ done: 2, failed: 0, scores: [95, 70] })).toBe('B');
  });

  it('is never an A beside a failure, however good the other scores', () => {
    // 99 done tasks scoring 100 and one failure: the mean of the scores alone would be an A.
    const scores = [...Array<number>(99).fill(100), 45];
    expect(gradeFinished({ done: 99, failed: 1, scores })).toBe('B');
  });

  it('is capped by the share of finished tasks that succeeded', () => {
    expect(gradeFinished({ done: 1, failed: 2, scores: [100, 45, 45] })).toBe('D');
    expect(gradeFinished({ done: 3, failed: 1, scores: [100, 100, 100, 100] })).toBe('B');
    expect(gradeFinished({ done: 1, failed: 1, scores: [100, 100] })).toBe('C');
    expect(gradeFinished({ done: 0, failed: 2, scores: [] })).toBe('D');
  });

  it('counts failed tasks that carry no score', () => {
    expect(gradeFinished({ done: 1, failed: 1, scores: [100] })).toBe('C');
  });
});
