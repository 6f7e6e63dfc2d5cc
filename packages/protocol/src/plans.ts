import { z } from 'zod';

/**
 * ExecPlans: the `PLANS.md` convention (a living design document an agent keeps while it works),
 * stored as Markdown files in the project. The shape below is what `ExecPlan.parse` reads from a
 * file and what `toMarkdown` writes back; one is the inverse of the other.
 */
export const planStatusSchema = z.enum(['draft', 'active', 'completed', 'abandoned']);
export type PlanStatus = z.infer<typeof planStatusSchema>;

/** A `Progress` checkbox: `- [x] (timestamp) description`. */
export const planMilestoneSchema = z.object({
  description: z.string(),
  done: z.boolean(),
  /** When it was checked off, as written in the file (ISO 8601 when Harness wrote it). */
  at: z.string().nullable(),
});
export type PlanMilestone = z.infer<typeof planMilestoneSchema>;

/** A numbered `Concrete Steps` checkbox with the files it touches. */
export const planStepSchema = z.object({
  description: z.string(),
  files: z.array(z.string()),
  done: z.boolean(),
});
export type PlanStep = z.infer<typeof planStepSchema>;

export const planDecisionSchema = z.object({
  decision: z.string(),
  rationale: z.string(),
  date: z.string(),
  author: z.string(),
});
export type PlanDecision = z.infer<typeof planDecisionSchema>;

export const planSurpriseSchema = z.object({
  observation: z.string(),
  evidence: z.string(),
  date: z.string(),
});
export type PlanSurprise = z.infer<typeof planSurpriseSchema>;

/** A section the convention does not name, kept verbatim. */
export const planSectionSchema = z.object({ heading: z.string(), body: z.string() });

export const execPlanSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: planStatusSchema,
  project_root: z.string().nullable(),
  created_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  /** Prose between the header and the first section. */
  preamble: z.string(),
  purpose: z.string(),
  progress: z.array(planMilestoneSchema),
  surprises: z.array(planSurpriseSchema),
  decisions: z.array(planDecisionSchema),
  outcomes: z.string(),
  context: z.string(),
  plan_of_work: z.string(),
  steps: z.array(planStepSchema),
  /** Prose of `Concrete Steps` around the numbered steps (commands to run, expected output). */
  steps_notes: z.string(),
  validation: z.string(),
  idempotence: z.string(),
  artifacts: z.string(),
  interfaces: z.string(),
  other_sections: z.array(planSectionSchema),
});
export type ExecPlanData = z.infer<typeof execPlanSchema>;

export const planProgressSchema = z.object({ done: z.number().int(), total: z.number().int() });
export type PlanProgress = z.infer<typeof planProgressSchema>;

const projectRoot = z.string().min(1).max(4096);
/** A plan by its id (a file `.agent/plans/<id>.md`) or by its path, relative to the project or absolute. */
const planRef = z.string().min(1).max(4096);
const text = z
  .string({ error: (issue) => (issue.input === undefined ? 'required for this action' : 'must be a string') })
  .min(1)
  .max(100_000);

const initParams = z.strictObject({
  /** The spec: Markdown whose first `#` heading is the plan's title and the rest its purpose. */
  spec: z.string().min(1).max(200_000),
  /** The project: a registered project's name or checkout. */
  project_root: projectRoot,
  /** Where to write the plan inside the project; `.agent/plans/<id>.md` by default. */
  path: z.string().min(1).max(4096).optional(),
});

const base = { project_root: projectRoot, plan: planRef };
const updateParams = z.discriminatedUnion('action', [
  z.strictObject({ ...base, action: z.literal('activate') }),
  z.strictObject({ ...base, action: z.literal('complete') }),
  z.strictObject({ ...base, action: z.literal('abandon') }),
  /** A new milestone with `description`, or the one at `index` (0-based) checked (`done`, default true). */
  z.strictObject({
    ...base,
    action: z.literal('milestone'),
    description: text.optional(),
    index: z.number().int().min(0).optional(),
    done: z.boolean().optional(),
  }),
  z.strictObject({
    ...base,
    action: z.literal('step'),
    description: text.optional(),
    files: z.array(z.string().min(1).max(4096)).max(1000).optional(),
    index: z.number().int().min(0).optional(),
    done: z.boolean().optional(),
  }),
  z.strictObject({
    ...base,
    action: z.literal('decision'),
    decision: text,
    rationale: text,
    author: z.string().min(1).max(200).optional(),
  }),
  z.strictObject({ ...base, action: z.literal('surprise'), observation: text, evidence: text }),
  z.strictObject({ ...base, action: z.literal('outcome'), text }),
]);

const planResult = z.object({
  plan_id: z.string(),
  /** The file, relative to the project root. */
  path: z.string(),
  plan: execPlanSchema,
  progress: planProgressSchema,
});
export type PlanResult = z.infer<typeof planResult>;

const planSummary = z.object({
  plan_id: z.string(),
  path: z.string(),
  title: z.string(),
  status: planStatusSchema,
  progress: planProgressSchema,
  updated_at: z.string().nullable(),
});

export const planMethods = {
  'exec_plan/init': { params: initParams, result: planResult },
  'exec_plan/update': { params: updateParams, result: planResult },
  'exec_plan/status': { params: z.strictObject(base), result: planResult },
  'exec_plan/list': {
    params: z.strictObject({ project_root: projectRoot }),
    result: z.object({
      plans: z.array(planSummary),
      /** Files in the plans folder that could not be read, and why. */
      errors: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  },
} as const;
export type PlanUpdateParams = z.infer<typeof updateParams>;

/**
 * The plan a task carries: written into its worktree before the agent starts, read back after
 * each of the implementor's turns. `markdown` is the plan as last read, so it outlives the worktree.
 */
export const taskPlanSchema = z.object({
  plan_id: z.string(),
  /** Relative to the worktree (and the project). */
  path: z.string(),
  title: z.string(),
  status: planStatusSchema,
  progress: planProgressSchema,
  updated_at: z.string().nullable(),
  markdown: z.string(),
});
export type TaskPlan = z.infer<typeof taskPlanSchema>;
