import { z } from 'zod';
import { findingSchema, ruleCategorySchema, severitySchema } from './quality.js';

/**
 * `rule/load` and `rule/check`: the execution policy and the rule catalogue over JSON-RPC. With
 * `project_root`, `rule/load` also lists the project's rule catalogue; `rule/check` with a
 * `command` checks it against the policy, and without one scans the project (or its `files`).
 */
const DECISIONS = ['allow', 'prompt', 'forbidden'] as const;

export const RuleLoadParamsSchema = z
  .object({
    path: z.string().min(1).optional(),
    project_root: z.string().min(1).optional(),
    default_decision: z.enum(DECISIONS).optional(),
  })
  .refine((p) => p.path !== undefined || p.project_root !== undefined, {
    message: 'pass `path` or `project_root`',
  });

export const RuleCheckParamsSchema = z
  .object({
    path: z.string().min(1).optional(),
    project_root: z.string().min(1).optional(),
    command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
    /** A project scan of just these files (relative to `project_root`, or absolute inside it). */
    files: z.array(z.string().min(1)).optional(),
    default_decision: z.enum(DECISIONS).optional(),
  })
  .refine((p) => p.path !== undefined || p.project_root !== undefined, {
    message: 'pass `path` or `project_root`',
  });

export const RuleMatchSchema = z.object({
  kind: z.enum(['prefix_rule', 'network_rule']),
  rule: z.string(),
  pattern: z.array(z.array(z.string())),
  matched_prefix: z.array(z.string()),
  decision: z.enum(DECISIONS),
  justification: z.string().optional(),
  file: z.string(),
  line: z.number(),
  column: z.number(),
  resolved_program: z.string().optional(),
});

/** One rule of the catalogue, as `rule/load` lists it. */
export const CatalogueRuleSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: severitySchema,
  category: ruleCategorySchema,
  paths: z.array(z.string()),
  fix_pattern: z.string().nullable(),
  /** Where it was read: a file and line, or `builtin:<file>.md`. */
  source: z.object({ file: z.string(), line: z.number().int() }),
  origin: z.enum(['project', 'user', 'admin', 'configured', 'builtin']),
});

export const RuleLoadResultSchema = z.object({
  /** The rule catalogue, with `project_root` only. */
  rules_count: z.number().int().optional(),
  rules: z.array(CatalogueRuleSchema).optional(),
  /** Rules hidden by one of the same id that takes precedence (`file:line` of each). */
  shadowed: z.array(z.object({ id: z.string(), by: z.string(), hidden: z.string() })).optional(),
  files: z.array(z.string()),
  default_decision: z.enum(DECISIONS),
  prefix_rules: z.array(
    z.object({
      rule: z.string(),
      pattern: z.array(z.array(z.string())),
      decision: z.enum(DECISIONS),
      justification: z.string().optional(),
      file: z.string(),
      line: z.number(),
      column: z.number(),
    }),
  ),
  host_executables: z.array(z.object({ name: z.string(), paths: z.array(z.string()) })),
  network_rules: z.array(
    z.object({
      host: z.string(),
      protocol: z.string(),
      decision: z.enum(DECISIONS),
      justification: z.string().optional(),
    }),
  ),
});

export const CommandPartSchema = z.object({
  command: z.array(z.string()),
  origin: z.string(),
  decision: z.enum(DECISIONS),
  matched_rules: z.array(RuleMatchSchema),
  reasons: z.array(z.string()),
  redirections: z.array(z.string()),
});

export const CommandCheckResultSchema = z.object({
  kind: z.literal('command'),
  decision: z.enum(DECISIONS),
  reason: z.string(),
  matched_rules: z.array(RuleMatchSchema),
  parts: z.array(CommandPartSchema),
  problems: z.array(z.string()),
  files: z.array(z.string()),
});

export const ProjectCheckResultSchema = z.object({
  kind: z.literal('project'),
  /** No finding at `high` or above, and the policy loads. */
  ok: z.boolean(),
  /** The stored scan (its row and `rule.scan`/`rule.finding` events); null when it was not stored. */
  scan_id: z.string().nullable(),
  project: z.string(),
  root: z.string(),
  /** The files scanned, or null for the whole project. */
  files: z.array(z.string()).nullable(),
  findings: z.array(findingSchema),
  by_severity: z.record(severitySchema, z.number().int()),
  /** With `--fix` (CLI): what was fixed before the scan that `findings` come from. */
  fixed: z.object({ files_changed: z.array(z.string()), fixes_applied: z.number().int() }).optional(),
  guards: z.array(
    z.object({
      guard: z.string(),
      path: z.string(),
      exit_code: z.number().nullable(),
      timed_out: z.boolean(),
      duration_ms: z.number(),
      error: z.string().optional(),
    }),
  ),
  garbage: z.array(z.object({ guard: z.string(), line: z.string() })),
  policy: z.object({ files: z.array(z.string()), rule_count: z.number(), error: z.string().optional() }),
});

export type RuleLoadParams = z.infer<typeof RuleLoadParamsSchema>;
export type RuleCheckParams = z.infer<typeof RuleCheckParamsSchema>;
export type RuleLoadResult = z.infer<typeof RuleLoadResultSchema>;
export type CommandCheckResult = z.infer<typeof CommandCheckResultSchema>;
export type ProjectCheckResult = z.infer<typeof ProjectCheckResultSchema>;
export type RuleMatchJson = z.infer<typeof RuleMatchSchema>;
export type CommandPart = z.infer<typeof CommandPartSchema>;
