import { z } from 'zod';

/** The wire shapes of Harness's domain objects (snake_case, timestamps as RFC 3339 UTC strings). */

export const timestampSchema = z.iso.datetime({ offset: true });

export const threadStatusSchema = z.enum(['idle', 'active', 'archived']);
export type ThreadStatus = z.infer<typeof threadStatusSchema>;

export const turnStatusSchema = z.enum([
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
]);
export type TurnStatus = z.infer<typeof turnStatusSchema>;

export const tokenUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_tokens: z.number().int().nonnegative().default(0),
  cache_write_tokens: z.number().int().nonnegative().default(0),
  cost_usd: z.number().nonnegative(),
});
export type TokenUsage = z.infer<typeof tokenUsageSchema>;

/** No usage yet: where a sum starts. Frozen, since every sum starts from this one object. */
export const zeroUsage: TokenUsage = Object.freeze({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_tokens: 0,
  cache_write_tokens: 0,
  cost_usd: 0,
});

/**
 * A USD amount as Harness reports it: to the micro-dollar (6 decimal places), the precision the
 * price tables support for a request, so sums read 0.3, not 0.30000000000000004. Every cost that
 * leaves Harness (usage events, turns, tasks, the dashboard, metrics) goes through this.
 */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

/** The sum of two usages: a turn's deltas, a gateway lease's metered calls, a span's running total. */
export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    input_tokens: a.input_tokens + b.input_tokens,
    output_tokens: a.output_tokens + b.output_tokens,
    cache_read_tokens: a.cache_read_tokens + b.cache_read_tokens,
    cache_write_tokens: a.cache_write_tokens + b.cache_write_tokens,
    cost_usd: roundUsd(a.cost_usd + b.cost_usd),
  };
}

export const metadataSchema = z.record(z.string(), z.unknown());

export const threadSchema = z.object({
  id: z.string(),
  project_root: z.string(),
  agent: z.string().nullable(),
  title: z.string().nullable(),
  status: threadStatusSchema,
  native_session_id: z.string().nullable(),
  parent_thread_id: z.string().nullable(),
  metadata: metadataSchema,
  turn_count: z.number().int().nonnegative(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});
export type Thread = z.infer<typeof threadSchema>;

/** Items are what happened inside a turn; their `type` is open so new agent item kinds don't break old clients. */
export const itemSchema = z.looseObject({ type: z.string() });
export type Item = z.infer<typeof itemSchema>;

export const turnErrorSchema = z.object({ code: z.string(), message: z.string() });

export const turnSchema = z.object({
  id: z.string(),
  thread_id: z.string(),
  seq: z.number().int().positive(),
  status: turnStatusSchema,
  input: z.string(),
  agent: z.string().nullable(),
  items: z.array(itemSchema),
  usage: tokenUsageSchema.nullable(),
  error: turnErrorSchema.nullable(),
  started_at: timestampSchema,
  completed_at: timestampSchema.nullable(),
});
export type Turn = z.infer<typeof turnSchema>;

/** Decisions of hooks, guards and the execution policy, in one vocabulary. */
export const decisionSchema = z.enum([
  'pass',
  'warn',
  'block',
  'gate',
  'escalate',
  'complete',
  'allow',
  'prompt',
  'forbidden',
]);
export type Decision = z.infer<typeof decisionSchema>;

export const eventKindSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:/-]+$/, 'letters, digits and _ . : / - only');

export const eventSchema = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  ts: timestampSchema,
  kind: z.string(),
  thread_id: z.string().nullable(),
  turn_id: z.string().nullable(),
  task_id: z.string().nullable(),
  session_id: z.string().nullable(),
  tool: z.string().nullable(),
  decision: decisionSchema.nullable(),
  reason: z.string().nullable(),
  duration_ms: z.number().nonnegative().nullable(),
  data: z.unknown().nullable(),
  /** The project it concerns (a task's events: the task's project), when known. */
  project: z.string().nullable(),
});
export type Event = z.infer<typeof eventSchema>;

export const sandboxModeSchema = z.enum(['read-only', 'workspace-write', 'danger-full-access']);
export type SandboxModeName = z.infer<typeof sandboxModeSchema>;

export const gradeSchema = z.enum(['A', 'B', 'C', 'D']);
export type Grade = z.infer<typeof gradeSchema>;

export const qualitySchema = z.object({
  score: z.number(),
  grade: gradeSchema,
  dimensions: z.object({
    security: z.number(),
    stability: z.number(),
    coverage: z.number(),
    performance: z.number(),
  }),
});
export type Quality = z.infer<typeof qualitySchema>;
