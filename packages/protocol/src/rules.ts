import { z } from 'zod';

/** `rule/load` and `rule/check`: the execution policy over JSON-RPC. */
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

export const RuleLoadResultSchema = z.object({
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
  ok: z.boolean(),
  violations: z.array(
    z.object({
      guard: z.string(),
      file: z.string(),
      line: z.number().nullable(),
      rule_id: z.string(),
      message: z.string(),
    }),
  ),
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
