import { z } from 'zod';
import { draftSchema } from './quality.js';

/**
 * `learn/rules` and `learn/skills`: rules and skills derived from adopted drafts and from the
 * project's task history (failures that recur, review findings that recur). What they produce are
 * pending drafts, reviewed and adopted like any other; nothing is written to the project.
 */
export const learnParamsSchema = z.strictObject({
  /** The project: its checkout, or a registered project's name; the default project when absent. */
  project_root: z.string().min(1).max(4096).optional(),
  /** At most this many drafts (one agent turn each); `[learn] max_drafts` by default. */
  max_drafts: z.number().int().min(1).max(20).optional(),
  /** How many tasks must share a failure or a review finding before it is a lesson. */
  min_occurrences: z.number().int().min(2).max(1000).optional(),
});
export type LearnParams = z.infer<typeof learnParamsSchema>;

export const learnResultSchema = z.object({
  project: z.string(),
  drafts: z.array(draftSchema),
  /** Why nothing was drafted, when nothing was. */
  reason: z.string().optional(),
  /** What the agent turns of this run cost, drafted or not (from the agents' own usage). */
  cost_usd: z.number().nonnegative(),
  /** Lessons not turned into a draft: the agent failed or proposed no usable file, or the budget was spent. */
  errors: z.array(z.object({ key: z.string(), message: z.string() })),
});
export type LearnResult = z.infer<typeof learnResultSchema>;
