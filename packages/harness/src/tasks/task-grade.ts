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

export interface FinishedTasks {
  /** How many tasks ended `done` and `failed` (cancelled tasks are not counted: someone chose to stop them). */
  done: number;
  failed: number;
  /** The scores of recent graded `done` and `failed` tasks (a failed task scores at most 45). */
  scores: number[];
}

/**
 * The grade over finished tasks — `done` and `failed`; `cancelled` ones are left out. It is the mean
 * score, capped by the share of those tasks that succeeded, and never an A beside a failure: one
 * failed task of ten caps it at B, one of two at C. Null before any task has finished.
 */
export function gradeFinished(tasks: FinishedTasks): Grade | null {
  const finished = tasks.done + tasks.failed;
  if (finished === 0) return null;
  const mean =
    tasks.scores.length === 0 ? 100 : tasks.scores.reduce((n, s) => n + s, 0) / tasks.scores.length;
  const succeeded = (100 * tasks.done) / finished;
  const cap = tasks.failed > 0 ? Math.min(succeeded, 89.9) : 100;
  return gradeFor(Math.min(mean, cap));
}
