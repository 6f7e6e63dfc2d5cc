import { z } from 'zod';

/**
 * Task classification and routing over the wire: `task/classify` says how hard a piece of work
 * is, in which language, whether it must write and reach the network, and why; a task records the
 * agent and model its complexity routed it to (`Task.routing`).
 */

export const complexities = ['simple', 'medium', 'complex', 'critical'] as const;
export const complexitySchema = z.enum(complexities);
export type TaskComplexity = z.infer<typeof complexitySchema>;

const shortText = z.string().max(1_000);
const labels = z.array(z.string().min(1).max(100)).max(100);

/** What is known of the issue or pull request the work comes from; every field optional. */
export const classifySourceSchema = z.strictObject({
  number: z.number().int().positive().optional(),
  title: shortText.optional(),
  body: z.string().max(100_000).optional(),
  labels: labels.optional(),
  /** Paths the pull request changes. */
  files: z.array(z.string().min(1).max(4096)).max(10_000).optional(),
});
export type ClassifySource = z.infer<typeof classifySourceSchema>;

export const taskClassifyParamsSchema = z.strictObject({
  prompt: z.string().trim().min(1).max(100_000),
  issue: classifySourceSchema.optional(),
  pr: classifySourceSchema.optional(),
});
export type TaskClassifyParams = z.infer<typeof taskClassifyParamsSchema>;

export const classificationSchema = z.object({
  complexity: complexitySchema,
  /** The main programming language, from the paths and names the text mentions; null when none. */
  language: z.string().nullable(),
  needs_write: z.boolean(),
  needs_network: z.boolean(),
  /** Each rule that fired, in words; the first says what decided the complexity. */
  reasons: z.array(z.string()),
});
export type Classification = z.infer<typeof classificationSchema>;

/** Who a task was routed to, and why: decided at submission, shown on the task. */
export const taskRoutingSchema = z.object({
  complexity: complexitySchema,
  agent: z.string(),
  /** The model asked of the agent; null leaves the agent's default. */
  model: z.string().nullable(),
  reason: z.string(),
});
export type TaskRouting = z.infer<typeof taskRoutingSchema>;

export const classifyMethods = {
  'task/classify': { params: taskClassifyParamsSchema, result: classificationSchema },
} as const;
