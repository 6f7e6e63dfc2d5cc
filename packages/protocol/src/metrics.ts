import { z } from 'zod';
import { severitySchema, signalTypeSchema } from './quality.js';
import { gradeSchema, qualitySchema, timestampSchema } from './types.js';

/**
 * Quality and health on the wire: the quality report (`metrics/collect`, `metrics/query`), the
 * project health report of `health/check {project_root}`, and what `stats/query` adds per rule
 * and per kind and tool. The grade is the original's formula (observe/quality.ts).
 */

const projectRoot = z.string().min(1).max(4096);
const projectName = z.string().min(1).max(200);

export const qualityReportSchema = z.object({
  /** The project it grades, or null for all events and every project's latest scan. */
  project: z.string().nullable(),
  since: z.string().nullable(),
  until: z.string().nullable(),
  quality: qualitySchema,
  /** How often GC should run at this grade: A 7 days, B 3 days, C 1 day, D 1 hour. */
  recommended_gc_interval_secs: z.number().int().positive(),
  events: z.object({
    total: z.number().int().nonnegative(),
    security_blocks: z.number().int().nonnegative(),
    instability: z.number().int().nonnegative(),
    slow: z.number().int().nonnegative(),
  }),
  /** Open violations: the findings of the latest scan of the whole project (summed for all). */
  violations: z.object({
    count: z.number().int().nonnegative(),
    by_severity: z.record(severitySchema, z.number().int().nonnegative()),
    scan_id: z.string().nullable(),
    scanned_at: z.string().nullable(),
  }),
});
export type QualityReport = z.infer<typeof qualityReportSchema>;

export const projectGradeSchema = z.object({
  project: z.string(),
  grade: gradeSchema,
  score: z.number(),
  violations: z.number().int().nonnegative(),
});
export type ProjectGrade = z.infer<typeof projectGradeSchema>;

export const metricsCollectParamsSchema = z.strictObject({ project_root: projectRoot });
export const metricsCollectResultSchema = qualityReportSchema.extend({
  scan: z.object({
    id: z.string(),
    finding_count: z.number().int().nonnegative(),
    duration_ms: z.number().nonnegative(),
    by_rule: z.record(z.string(), z.number().int().nonnegative()),
    /** Guards that failed or printed lines that are not findings, by guard id. */
    problems: z.array(z.object({ guard: z.string(), problem: z.string() })),
  }),
});

export const metricsQueryParamsSchema = z.strictObject({
  project: projectName.optional(),
  since: timestampSchema.optional(),
  until: timestampSchema.optional(),
});
export const metricsQueryResultSchema = qualityReportSchema.extend({
  /** Every registered project's grade (only when no project was asked for). */
  projects: z.array(projectGradeSchema),
});

export const healthCheckParamsSchema = z.strictObject({ project_root: projectRoot.optional() });

export const healthReportSchema = z.object({
  project: z.string(),
  quality: qualityReportSchema,
  /** The latest full scan's findings per rule, most first. */
  violation_summary: z.array(
    z.object({ rule_id: z.string(), count: z.number().int(), severity: severitySchema }),
  ),
  /** The signals detected now, per type. */
  signal_summary: z.array(
    z.object({ type: signalTypeSchema, count: z.number().int(), last_detected: z.string() }),
  ),
  event_summary: z.object({
    total: z.number().int(),
    pass: z.number().int(),
    warn: z.number().int(),
    block: z.number().int(),
    escalate: z.number().int(),
  }),
  /** What to do next, concretely (which findings to fix where, which GC run to start). */
  recommendations: z.array(z.string()),
});
export type HealthReport = z.infer<typeof healthReportSchema>;

export const ruleStatsSchema = z.object({
  rule_id: z.string(),
  total: z.number().int(),
  block: z.number().int(),
  warn: z.number().int(),
  pass: z.number().int(),
  last_seen: z.string(),
});

/** Per kind and tool: our events have no "hook"; this is what the original's hook_stats were. */
export const toolStatsSchema = z.object({
  kind: z.string(),
  tool: z.string().nullable(),
  total: z.number().int(),
  pass_rate: z.number(),
  warn_rate: z.number(),
  block_rate: z.number(),
});

export const ruleTrendSchema = z.object({
  period_start: z.string(),
  rule_id: z.string(),
  count: z.number().int(),
});
