import { z } from 'zod';
import { complexitySchema } from './classify.js';

/**
 * Review over the wire: `cross_review` (a primary reviewer and a challenger from another provider
 * argue over a change until they agree or the rounds run out) and `preflight` (a read-only turn
 * that says what a task must respect before anyone implements it). The pipeline's review loop and
 * its preflight stage store the same shapes on the task.
 */

const projectRoot = z.string().min(1).max(4096);
export const issueSeveritySchema = z.enum(['critical', 'high', 'medium', 'low']);

/**
 * One issue of a cross-review, as the ledger holds it: where (file and line, null when the issue
 * is about the change as a whole), how bad, how sure its author was (0 to 1), who raised it in
 * which round, and who agreed with or disputed it.
 */
export const reviewIssueSchema = z.object({
  /** `I1`, `I2`…: the name both reviewers use for it. */
  id: z.string(),
  file: z.string(),
  line: z.number().int().positive().nullable(),
  severity: issueSeveritySchema,
  confidence: z.number().min(0).max(1),
  message: z.string(),
  raised_by: z.string(),
  round: z.number().int().positive(),
  agreed_by: z.array(z.string()),
  disputed_by: z.array(z.object({ agent: z.string(), reason: z.string() })),
  /**
   * `consensus`: both sides hold it; `contested`: the other side disputes it and its author keeps
   * it; `open`: the other side has not said yet; `withdrawn`: its author took it back.
   */
  status: z.enum(['consensus', 'contested', 'open', 'withdrawn']),
});
export type ReviewIssue = z.infer<typeof reviewIssueSchema>;

/** One reviewer's turn of a cross-review. `raw` is the answer's text when it could not be read. */
export const crossReviewTurnSchema = z.object({
  round: z.number().int().positive(),
  agent: z.string(),
  role: z.enum(['primary', 'challenger']),
  verdict: z.enum(['approve', 'changes_requested', 'protocol_error']),
  summary: z.string(),
  raw: z.string().nullable(),
  cost_usd: z.number().nonnegative(),
});
export type CrossReviewTurn = z.infer<typeof crossReviewTurnSchema>;

/**
 * `approved` and `changes_requested` only after the reviewers agree; `not_converged` when an
 * issue was still disputed (or unanswered) after the last round — never an approval;
 * `protocol_error` when a reviewer's answer could not be read (its text is on the turn).
 */
export const crossReviewStatusSchema = z.enum([
  'approved',
  'changes_requested',
  'not_converged',
  'protocol_error',
]);
export type CrossReviewStatus = z.infer<typeof crossReviewStatusSchema>;

export const crossReviewOutcomeSchema = z.object({
  status: crossReviewStatusSchema,
  primary: z.string(),
  /** Null: a single reviewer (no challenger configured or usable). */
  challenger: z.string().nullable(),
  rounds: z.number().int().nonnegative(),
  max_rounds: z.number().int().positive(),
  min_confidence: z.number().min(0).max(1),
  consensus_issues: z.array(reviewIssueSchema),
  contested_issues: z.array(reviewIssueSchema),
  /** Raised but never answered by the other side (the rounds ran out first). */
  open_issues: z.array(reviewIssueSchema),
  withdrawn_issues: z.array(reviewIssueSchema),
  /** Raised with a confidence below `min_confidence`: reported, never blocking, never argued. */
  low_confidence_issues: z.array(reviewIssueSchema),
  turns: z.array(crossReviewTurnSchema),
  cost_usd: z.number().nonnegative(),
});
export type CrossReviewOutcome = z.infer<typeof crossReviewOutcomeSchema>;

/**
 * What `cross_review` reviews, as a string:
 * - a task id (`task_…`): the task's diff from its base commit to its branch;
 * - `A..B`: the commits of B not in A (`git diff A...B`);
 * - a branch or commit: its commits not on the project's default branch (on the default branch
 *   itself, its last commit).
 */
export const crossReviewParamsSchema = z.strictObject({
  project_root: projectRoot,
  target: z.string().min(1, 'target: expected a task id, a range "A..B", or a branch or commit').max(500),
  /** Turns in all, the primary's first review included (default 3): 1 means no challenge. */
  max_rounds: z.number().int().min(1).max(10).optional(),
  /** The primary reviewer; default: the server's default agent. */
  primary: z.string().min(1).max(100).optional(),
  /** The challenger; default: a usable agent of another provider than the primary. */
  challenger: z.string().min(1).max(100).optional(),
});

export const crossReviewResultSchema = crossReviewOutcomeSchema.extend({
  target: z.object({
    kind: z.enum(['task', 'range', 'ref']),
    spec: z.string(),
    base: z.string(),
    head: z.string(),
    truncated: z.boolean(),
  }),
});
export type CrossReviewResult = z.infer<typeof crossReviewResultSchema>;

export const preflightRiskSchema = z.enum(['low', 'medium', 'high']);

/** The project scan a preflight started from: the latest full scan, or one it ran (`ran: true`). */
export const preflightBaselineSchema = z.object({
  scan_id: z.string(),
  started_at: z.string(),
  finding_count: z.number().int().nonnegative(),
  by_severity: z.record(z.string(), z.number().int().nonnegative()),
  ran: z.boolean(),
});

export const preflightResultSchema = z.object({
  agent: z.string(),
  constraints: z.array(z.string()),
  affected_files: z.array(z.string()),
  risk: preflightRiskSchema,
  complexity: complexitySchema,
  summary: z.string(),
  baseline: preflightBaselineSchema,
  cost_usd: z.number().nonnegative(),
  at: z.string(),
});
export type PreflightResult = z.infer<typeof preflightResultSchema>;

export const preflightParamsSchema = z.strictObject({
  project_root: projectRoot,
  task_description: z.string().min(1, 'task_description: expected the task to plan for').max(100_000),
  agent: z.string().min(1).max(100).optional(),
});

export const reviewMethods = {
  /** A primary reviewer and a challenger of another provider review `target` until they agree. */
  cross_review: { params: crossReviewParamsSchema, result: crossReviewResultSchema },
  /** A read-only turn: constraints, affected files, risk and complexity, from the latest scan. */
  preflight: { params: preflightParamsSchema, result: preflightResultSchema },
} as const;
