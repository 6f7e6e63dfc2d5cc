import type { Grade, Task } from '@harness/protocol';
import { gradeFor } from '../observe/index.js';

export interface TaskOutcome {
  succeeded: boolean;
  validationAttempts: number;
  reviewEnabled: boolean;
  approvedInRound: number | null;
  costUsd: number;
  durationMs: number;
}

const clamp = (n: number) => Math.max(0, Math.min(100, n));

/**
 * The quality of one finished task: validation (first-time passes score best), review (approval
 * in fewer rounds scores best), cost and time. A failed task never grades above D.
 */
export function gradeTask(outcome: TaskOutcome): { score: number; grade: Grade } {
  const validation = clamp(100 - 20 * Math.max(0, outcome.validationAttempts - 1));
  const review = !outcome.reviewEnabled
    ? 80
    : outcome.approvedInRound === null
      ? 30
      : clamp(100 - 15 * (outcome.approvedInRound - 1));
  const cost = clamp(100 - 10 * Math.max(0, outcome.costUsd - 1));
  const minutes = outcome.durationMs / 60_000;
  const time = clamp(100 - 2 * Math.max(0, minutes - 10));
  let score = 0.35 * validation + 0.35 * review + 0.15 * cost + 0.15 * time;
  if (!outcome.succeeded) score = Math.min(score, 45);
  score = Math.round(score * 10) / 10;
  return { score, grade: gradeFor(score) };
}

export function approvedRound(task: Task): number | null {
  return task.rounds.find((r) => r.verdict === 'approve')?.round ?? null;
}
