import { z } from 'zod';
import { draftSchema, draftStatusSchema, signalSchema, signalTypeSchema } from './quality.js';

/**
 * GC over the wire: one run (signals detected, drafts made, what the budget allowed), the state of
 * a project's GC (drafts by status, the last and next run, the budget), and adopting or rejecting
 * a draft. The shapes of drafts and signals themselves are in quality.ts.
 */

const draftId = z.string().min(1).max(200);
const projectRef = z.string().min(1).max(4096);

/** The total budget over its window: what was spent, what is left, and whether drafting stopped. */
export const gcBudgetSchema = z.object({
  spent_usd: z.number().nonnegative(),
  total_usd: z.number().nonnegative(),
  window_hours: z.number().int().positive(),
  remaining_usd: z.number().nonnegative(),
  /** True once another draft's budget would not fit: GC then detects and reports, and drafts nothing. */
  exhausted: z.boolean(),
});
export type GcBudget = z.infer<typeof gcBudgetSchema>;

/** Something that went wrong for one signal (no artifact, agent failure, replay failure). */
export const gcRunErrorSchema = z.object({
  signal_id: z.string().nullable(),
  signal_type: signalTypeSchema.nullable(),
  message: z.string(),
});
export type GcRunError = z.infer<typeof gcRunErrorSchema>;

export const gcRunReportSchema = z.object({
  run_id: z.string(),
  project: z.string(),
  started_at: z.string(),
  finished_at: z.string(),
  signals: z.array(signalSchema),
  drafts: z.array(draftSchema),
  /** Signals not drafted and why (`pending draft`, `over max_drafts_per_run`, `budget exhausted`). */
  skipped: z.array(z.object({ signal_id: z.string(), reason: z.string() })),
  errors: z.array(gcRunErrorSchema),
  budget: gcBudgetSchema,
  /** Pending drafts past their `draft_ttl_hours`, marked expired by this run (kept, never deleted). */
  expired: z.number().int().nonnegative(),
});
export type GcRunReport = z.infer<typeof gcRunReportSchema>;

/** One stored run, as `gc/status` shows the last one. */
export const gcRunSchema = z.object({
  id: z.string(),
  project: z.string(),
  status: z.enum(['running', 'finished', 'failed', 'abandoned']),
  trigger: z.string(),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  signals: z.number().int().nonnegative(),
  drafts: z.number().int().nonnegative(),
  spent_usd: z.number().nonnegative(),
  errors: z.array(z.string()),
  budget_exhausted: z.boolean(),
});
export type GcRun = z.infer<typeof gcRunSchema>;

export const gcStatusSchema = z.object({
  project: z.string(),
  drafts: z.record(draftStatusSchema, z.number().int().nonnegative()),
  running: z.boolean(),
  /** Where the running run is: `drafting 2 of 3 (chronic_block …)`, `replaying …`; null when idle. */
  progress: z
    .object({ step: z.string(), index: z.number().int(), count: z.number().int(), message: z.string() })
    .nullable(),
  last_run: gcRunSchema.nullable(),
  /** When the scheduler runs GC on this project next (the grade's interval after the last run). */
  next_run_at: z.string().nullable(),
  budget: gcBudgetSchema,
});
export type GcStatus = z.infer<typeof gcStatusSchema>;

export const gcRunParamsSchema = z.strictObject({ project: projectRef.optional() });
export const gcStatusParamsSchema = z.strictObject({ project: projectRef.optional() });
export const gcDraftsParamsSchema = z.strictObject({
  project: projectRef.optional(),
  /** Just this draft (`harness gc show ID`); not found is an error. */
  draft_id: draftId.optional(),
  status: draftStatusSchema.optional(),
  limit: z.number().int().min(1).max(500).default(100),
});
export const gcAdoptParamsSchema = z.strictObject({ draft_id: draftId });
export const gcRejectParamsSchema = z.strictObject({
  draft_id: draftId,
  reason: z.string().trim().min(1, 'give the reason for the rejection').max(10_000),
});

export const gcAdoptResultSchema = z.object({
  draft: draftSchema,
  /** Files written into the project's tree (empty when `gc.auto_pr` put them on a branch instead). */
  written: z.array(z.string()),
  /** The branch holding the artifacts' commit (`gc/<draft>`) when `gc.auto_pr` is on. */
  branch: z.string().nullable(),
});
export type GcAdoptResult = z.infer<typeof gcAdoptResultSchema>;

/** The `gc/*` entries of the method table (methods.ts spreads them in). */
export const gcMethods = {
  'gc/run': { params: gcRunParamsSchema, result: gcRunReportSchema },
  /** Starts a run and answers once it is recorded; follow it with `gc/status` (a run may outlast a request). */
  'gc/start': {
    params: gcRunParamsSchema,
    result: z.object({ run_id: z.string(), project: z.string() }),
  },
  'gc/status': { params: gcStatusParamsSchema, result: gcStatusSchema },
  'gc/drafts': { params: gcDraftsParamsSchema, result: z.object({ drafts: z.array(draftSchema) }) },
  /** Operator only: writes the draft's artifacts (every path checked first). */
  'gc/adopt': { params: gcAdoptParamsSchema, result: gcAdoptResultSchema },
  /** Operator only: the reason is required and kept. */
  'gc/reject': { params: gcRejectParamsSchema, result: draftSchema },
} as const;
