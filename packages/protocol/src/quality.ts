import { z } from 'zod';

/**
 * The quality loop's shared vocabulary: how severe a rule is, what a scan finds, and the signals
 * GC detects in the event history. Rule scans, the pipeline's guard stage, metrics, health and GC
 * all speak these shapes.
 */

/** From the `(severity)` marker of a rule's heading; ordered from most to least severe. */
export const severities = ['critical', 'high', 'medium', 'low'] as const;
export const severitySchema = z.enum(severities);
export type Severity = z.infer<typeof severitySchema>;

/** True when `severity` is `threshold` or more severe. */
export function severityAtLeast(severity: Severity, threshold: Severity): boolean {
  return severities.indexOf(severity) <= severities.indexOf(threshold);
}

export const ruleCategorySchema = z.enum(['security', 'stability', 'style']);
export type RuleCategory = z.infer<typeof ruleCategorySchema>;

/** One thing a guard reported, mapped to its rule. `file` is relative to the project root. */
export const findingSchema = z.object({
  rule_id: z.string(),
  severity: severitySchema,
  /** The rule's title, or null when no loaded rule has this id (then severity is `medium`). */
  title: z.string().nullable(),
  file: z.string(),
  line: z.number().int().nullable(),
  message: z.string(),
  /** The guard that reported it: a project guard's id, or `builtin` for the catalogue's. */
  guard: z.string(),
});
export type Finding = z.infer<typeof findingSchema>;

export const signalTypes = [
  // The original's detectors, over the event history.
  'repeated_warn',
  'chronic_block',
  'hot_files',
  'slow_operations',
  'warn_escalation',
  'linter_violations',
  // What our own pipeline knows.
  'task_failures',
  'policy_denials',
  'validation_failures',
  'review_findings',
  // From GitHub webhooks.
  'ci_failures',
  'changes_requested',
] as const;
export const signalTypeSchema = z.enum(signalTypes);
export type SignalType = z.infer<typeof signalTypeSchema>;

/** What a draft for a signal proposes. */
export const remediationKinds = ['guard', 'rule', 'policy_rule', 'skill', 'validation_command'] as const;
export const remediationKindSchema = z.enum(remediationKinds);
export type RemediationKind = z.infer<typeof remediationKindSchema>;

/** Why a signal was raised: the events, files and counts behind it. */
export const evidenceSchema = z.object({
  /** Ids of (up to 50 of) the events behind the signal, oldest first. */
  event_ids: z.array(z.string()),
  /** How many events matched in all (may exceed `event_ids.length`). */
  event_count: z.number().int().nonnegative(),
  files: z.array(z.string()),
  task_ids: z.array(z.string()),
  first_seen: z.string().nullable(),
  last_seen: z.string().nullable(),
});
export type Evidence = z.infer<typeof evidenceSchema>;

export const signalSchema = z.object({
  /** Stable for the same trouble: `type` plus `key`, hashed; a signal seen again keeps its id. */
  id: z.string(),
  project: z.string(),
  type: signalTypeSchema,
  /** What groups it: the rule id, the file, the failure code, the command … */
  key: z.string(),
  /** How strong: the count (or ratio) compared against its threshold; higher is drafted first. */
  strength: z.number(),
  threshold: z.number(),
  remediation: remediationKindSchema,
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  evidence: evidenceSchema,
  detected_at: z.string(),
});
export type Signal = z.infer<typeof signalSchema>;

/** One file a draft proposes: whole content from a fenced block, or a unified diff. */
export const artifactSchema = z.object({
  /** Relative to the project root; checked again (inside the root, no `.git`, no symlink out) on adoption. */
  path: z.string(),
  kind: remediationKindSchema,
  format: z.enum(['file', 'diff']),
  content: z.string(),
});
export type Artifact = z.infer<typeof artifactSchema>;

const replayExampleLimit = 10;

/** A draft tried on the past before anyone adopts it: what it finds now, what it would have caught. */
export const replayReportSchema = z.object({
  replayed_at: z.string(),
  /** The draft's guards and rules run over the project's current tree. */
  tree: z.object({
    findings: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    examples: z.array(findingSchema).max(replayExampleLimit),
  }),
  /** The draft's policy rules and rules checked against the stored events. */
  history: z.object({
    commands_checked: z.number().int().nonnegative(),
    /** Past commands the draft would have blocked (forbidden) or held for approval (prompt). */
    commands_blocked: z.number().int().nonnegative(),
    command_examples: z
      .array(
        z.object({
          event_id: z.string(),
          ts: z.string(),
          task_id: z.string().nullable(),
          command: z.string(),
          decision: z.enum(['prompt', 'forbidden']),
        }),
      )
      .max(replayExampleLimit),
    /** Past findings (stored scan events) that the draft's rules or guards account for. */
    findings_explained: z.number().int().nonnegative(),
    finding_examples: z
      .array(
        z.object({
          event_id: z.string(),
          rule_id: z.string(),
          file: z.string(),
          line: z.number().nullable(),
        }),
      )
      .max(replayExampleLimit),
  }),
  /** Artifacts that could not be tried (a skill, a malformed guard …), each with why. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type ReplayReport = z.infer<typeof replayReportSchema>;

export const draftStatuses = ['pending', 'adopted', 'rejected', 'expired'] as const;
export const draftStatusSchema = z.enum(draftStatuses);
export type DraftStatus = z.infer<typeof draftStatusSchema>;

/** A remediation proposed for a signal; kept whatever becomes of it. */
export const draftSchema = z.object({
  id: z.string(),
  project: z.string(),
  status: draftStatusSchema,
  signal: signalSchema,
  artifacts: z.array(artifactSchema),
  rationale: z.string(),
  /** Who drafted it: the agent, its model and what it cost. */
  agent: z.string(),
  model: z.string().nullable(),
  cost_usd: z.number().nonnegative(),
  replay: replayReportSchema.nullable(),
  created_at: z.string(),
  expires_at: z.string(),
  /** When and by whom it was adopted, rejected or expired, and why it was rejected. */
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  reject_reason: z.string().nullable(),
  /** The task that opens the pull request of an adopted draft (`gc.auto_pr`). */
  task_id: z.string().nullable(),
});
export type Draft = z.infer<typeof draftSchema>;
