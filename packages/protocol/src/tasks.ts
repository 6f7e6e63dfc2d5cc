import { z } from 'zod';
import { preflightResultSchema } from './review.js';
import { gradeSchema, qualitySchema, timestampSchema } from './types.js';
import { taskRoutingSchema } from './classify.js';
import { taskPlanSchema } from './plans.js';

/**
 * Tasks: units of work on a project that the pipeline drives through turns, and the projects they
 * run in. Shared by the REST API, the JSON-RPC task methods and the dashboard.
 */

export const taskStateSchema = z.enum([
  'queued',
  'preparing',
  'implementing',
  'validating',
  'fixing',
  'pr_open',
  'reviewing',
  'needs_input',
  'done',
  'failed',
  'cancelled',
]);
export type TaskState = z.infer<typeof taskStateSchema>;

export const terminalTaskStates: ReadonlySet<TaskState> = new Set(['done', 'failed', 'cancelled']);

/** Every state a stopped run can leave a task in: failed, or cancelled by request. */
const stops = ['failed', 'cancelled'] as const;

/**
 * Every state change a task may make, and no other: the pipeline asks for them and the store
 * refuses the rest. A task is created `queued` and claimed into `preparing`; a run resumed after a
 * crash skips what earlier runs finished, which is why `preparing` reaches every later stage. A run
 * cut off by a crash or a shutdown goes back to `queued`. `needs_input` waits for a person: their
 * answer (`task/respond`) queues it again to resume where it stopped, or a cancel ends it; `done`,
 * `failed` and `cancelled` are final.
 */
export const taskTransitions: Readonly<Record<TaskState, readonly TaskState[]>> = {
  queued: ['preparing', 'cancelled'],
  preparing: ['implementing', 'validating', 'pr_open', 'reviewing', 'fixing', 'done', 'queued', ...stops],
  implementing: ['validating', 'needs_input', 'queued', ...stops],
  validating: ['fixing', 'pr_open', 'reviewing', 'done', 'queued', ...stops],
  fixing: ['validating', 'reviewing', 'needs_input', 'queued', ...stops],
  pr_open: ['reviewing', 'done', 'queued', ...stops],
  reviewing: ['fixing', 'done', 'needs_input', 'queued', ...stops],
  needs_input: ['queued', 'cancelled'],
  done: [],
  failed: [],
  cancelled: [],
};

/** True when the table lets a task in `from` move to `to`. */
export function isTaskTransition(from: TaskState, to: TaskState): boolean {
  return taskTransitions[from].includes(to);
}

export const taskKindSchema = z.enum(['prompt', 'issue', 'pr']);
export type TaskKind = z.infer<typeof taskKindSchema>;

export const reviewFindingSchema = z.object({
  file: z.string(),
  line: z.number().int().positive().nullable(),
  severity: z.enum(['critical', 'high', 'medium', 'low']),
  message: z.string(),
});
export type ReviewFinding = z.infer<typeof reviewFindingSchema>;

export const reviewRoundSchema = z.object({
  round: z.number().int().positive(),
  reviewer: z.string(),
  /** `not_converged`: the reviewer and its challenger still disagreed after `challenge_rounds`. */
  verdict: z.enum(['approve', 'changes_requested', 'protocol_error', 'not_converged']),
  summary: z.string(),
  findings: z.array(reviewFindingSchema),
  at: timestampSchema,
  /** The challenger of a cross-review round (`[agents.review] challenger_agent`), if there was one. */
  challenger: z.string().nullable().optional(),
  /** Findings the challenger disputed and the reviewer kept (also in `findings`). */
  contested: z.array(reviewFindingSchema).optional(),
});
export type ReviewRound = z.infer<typeof reviewRoundSchema>;

/**
 * How a task's work leaves Harness: `pull_request` pushes and opens one on GitHub, `branch`
 * pushes the task's branch, `none` keeps the commit on a local branch; `auto` is a pull request
 * where the remote is on GitHub and a token is set, a pushed branch otherwise.
 */
export const deliverModeSchema = z.enum(['auto', 'pull_request', 'branch', 'none']);
export type DeliverMode = z.infer<typeof deliverModeSchema>;
/** What a task's delivery was: `auto` resolved to one of the others. */
export const deliverySchema = z.enum(['pull_request', 'branch', 'none']);
export type Delivery = z.infer<typeof deliverySchema>;

export const taskErrorSchema = z.object({ code: z.string(), message: z.string() });

/** How a person answers a task waiting for approval of a command (`task/respond`). */
export const approvalDecisionSchema = z.enum(['allow_once', 'allow_always', 'deny']);
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;

/**
 * What a task in `needs_input` waits for: a command its agent wants to run that the policy marks
 * `prompt`, with the policy's reason (which names the rule and its file:line).
 */
export const pendingApprovalSchema = z.object({
  command: z.string(),
  reason: z.string().nullable(),
  /** The stage the agent was in (implementing, fixing or reviewing); the run resumes it. */
  stage: z.string(),
  role: z.enum(['implementor', 'reviewer']),
  /** The agent's thread, continued on resume (with its native session when the agent has one). */
  thread_id: z.string().nullable(),
  asked_at: timestampSchema,
});
export type PendingApproval = z.infer<typeof pendingApprovalSchema>;

/** A person's answer to a pending approval, kept for the rest of the task. */
export const approvalRecordSchema = pendingApprovalSchema.extend({
  decision: approvalDecisionSchema,
  note: z.string().nullable(),
  /** Who answered: the channel (rpc, rest, mcp) and the client's name when it gave one. */
  decided_by: z.string(),
  decided_at: timestampSchema,
  /** allow_once: whether the one allowed run was used. */
  used: z.boolean(),
  /** Whether a resumed run has told the agent the answer. */
  delivered: z.boolean(),
});
export type ApprovalRecord = z.infer<typeof approvalRecordSchema>;

/** `task/respond` and `POST /tasks/ID/respond` (without task_id, which is in the path). */
export const taskRespondBodySchema = z.strictObject({
  decision: approvalDecisionSchema,
  /** Told to the agent with the decision (why it was refused, what to do instead). */
  note: z.string().max(10_000).optional(),
});
export const taskRespondSchema = taskRespondBodySchema.extend({ task_id: z.string().min(1).max(200) });
export type TaskRespond = z.infer<typeof taskRespondSchema>;

export const taskSchema = z.object({
  id: z.string(),
  project: z.string(),
  kind: taskKindSchema,
  prompt: z.string().nullable(),
  issue: z.number().int().positive().nullable(),
  pr: z.number().int().positive().nullable(),
  description: z.string().nullable(),
  agent: z.string().nullable(),
  reviewer: z.string().nullable(),
  /** Whether the task is reviewed (decided at submission). */
  review: z.boolean(),
  budget_usd: z.number().nullable(),
  priority: z.number().int(),
  state: taskStateSchema,
  branch: z.string().nullable(),
  worktree: z.string().nullable(),
  pr_url: z.string().nullable(),
  pr_number: z.number().int().nullable(),
  /** The delivery asked for at submission; null follows the project's `[git] deliver`. */
  deliver: deliverModeSchema.nullable(),
  /** The delivery the run chose, once it delivered. */
  delivery: deliverySchema.nullable(),
  /** The commit delivered (pushed, or kept on the local branch). */
  commit_sha: z.string().nullable(),
  /** The commit the task's branch started from: what its diff is measured against. */
  base_commit: z.string().nullable(),
  rounds: z.array(reviewRoundSchema),
  validation_attempts: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative(),
  score: z.number().nullable(),
  grade: gradeSchema.nullable(),
  error: taskErrorSchema.nullable(),
  /** While in `needs_input`: the command waiting for a person's approval. */
  pending_approval: pendingApprovalSchema.nullable(),
  /** The answers people gave this task's approvals, oldest first. */
  approvals: z.array(approvalRecordSchema),
  /** What the preflight turn found before implementing (`[preflight] enabled`), else null. */
  preflight: preflightResultSchema.nullable(),
  source: z.string().nullable(),
  external_id: z.string().nullable(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  started_at: timestampSchema.nullable(),
  finished_at: timestampSchema.nullable(),
  /** The complexity the task was classified at, and the agent and model that routed it to. */
  routing: taskRoutingSchema.nullable(),
  /** The ExecPlan the task carries, and its progress as the agent last left it. */
  plan: taskPlanSchema.nullable(),
});
export type Task = z.infer<typeof taskSchema>;

/** What a new task must be told; everything else starts empty. */
export type NewTask = Pick<Task, 'id' | 'project' | 'kind' | 'created_at'> & Partial<Task>;

/**
 * A task as it is first stored: queued, with nothing run yet. The one place a whole `Task` is
 * spelled out, so a new field gets its starting value here and nowhere else.
 */
export function newTask(init: NewTask): Task {
  return {
    prompt: null,
    issue: null,
    pr: null,
    description: null,
    agent: null,
    reviewer: null,
    review: true,
    budget_usd: null,
    priority: 0,
    state: 'queued',
    branch: null,
    worktree: null,
    pr_url: null,
    pr_number: null,
    deliver: null,
    delivery: null,
    commit_sha: null,
    base_commit: null,
    rounds: [],
    validation_attempts: 0,
    cost_usd: 0,
    score: null,
    grade: null,
    error: null,
    pending_approval: null,
    approvals: [],
    preflight: null,
    source: null,
    external_id: null,
    updated_at: init.created_at,
    started_at: null,
    finished_at: null,
    routing: null,
    plan: null,
    ...init,
  };
}

const positiveInt = z.number().int().positive();

/**
 * Names of skills to activate. A name is one path segment (it names a skill folder), so one that
 * could climb out of a folder (`..`, `/`) is refused here.
 */
export const skillNamesSchema = z
  .array(
    z
      .string()
      .regex(
        /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
        'a skill name is letters, digits, ".", "_" and "-", without ".." (it names a folder)',
      ),
  )
  .max(50);

/** `POST /tasks` and `task/create`: exactly what to do, by prompt, issue or pull request. */
export const taskCreateSchema = z
  .strictObject({
    prompt: z.string().trim().min(1).max(100_000).optional(),
    issue: positiveInt.optional(),
    pr: positiveInt.optional(),
    project: z.string().min(1).max(4096).optional(),
    description: z.string().max(10_000).optional(),
    agent: z.string().min(1).max(100).optional(),
    /** The reviewing agent; by default the project's `reviewer_agent` ("auto": a usable other agent). */
    reviewer: z.string().min(1).max(100).optional(),
    /** `false` skips the review stage; by default `[agents.review] enabled`. */
    review: z.boolean().optional(),
    /** The task's cost cap in USD: the run fails with `budget_exceeded` once its cost passes it. */
    budget_usd: z.number().positive().max(1_000_000).optional(),
    deliver: deliverModeSchema.optional(),
    priority: z.number().int().min(-100).max(100).default(0),
    /**
     * An ExecPlan for the task: a spec (Markdown, its first heading the title) or the path of a
     * `.md` file in the project (a plan, kept as it is, or a spec). The agent keeps it current.
     */
    plan: z.string().trim().min(1).max(200_000).optional(),
    /** Skills to give the implementor explicitly (by name), on top of those that match the task. */
    skills: skillNamesSchema.optional(),
  })
  .refine((body) => [body.prompt, body.issue, body.pr].filter((v) => v !== undefined).length === 1, {
    message: 'give exactly one of prompt, issue or pr',
  });
export type TaskCreate = z.infer<typeof taskCreateSchema>;

/** Most items one `POST /tasks/batch` or `task/batch` may carry. */
export const MAX_BATCH_SIZE = 100;

/** A batch's list, whose errors name the limit (zod's own say only "Too big"). */
export function batchList<T extends z.ZodType>(item: T, field: string) {
  return z
    .array(item)
    .min(1, `give at least one of ${field}`)
    .max(MAX_BATCH_SIZE, `at most ${MAX_BATCH_SIZE} ${field} in one batch`);
}

export const issueBatchSchema = z.strictObject({
  project: z.string().min(1).max(4096).optional(),
  agent: z.string().min(1).max(100).optional(),
  issues: batchList(positiveInt, 'issues'),
});
export const taskListBatchSchema = z.strictObject({ tasks: batchList(z.unknown(), 'tasks') });

/**
 * `POST /tasks/batch`: by issue numbers or by task bodies. Validate with the one of the two the
 * body's keys ask for (`taskBatchSchemaFor`): a union's error would only say "Invalid input".
 */
export const taskBatchSchema = z.union([issueBatchSchema, taskListBatchSchema]);

export function taskBatchSchemaFor(body: unknown): typeof issueBatchSchema | typeof taskListBatchSchema {
  const hasTasks = typeof body === 'object' && body !== null && 'tasks' in body;
  return hasTasks ? taskListBatchSchema : issueBatchSchema;
}

export const taskListQuerySchema = z.strictObject({
  state: taskStateSchema.optional(),
  project: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

export const projectSchema = z.object({
  name: z.string(),
  root: z.string(),
  default: z.boolean(),
  max_concurrent: z.number().int().positive(),
  default_agent: z.string().nullable(),
  reviewer_agent: z.string().nullable(),
  source: z.enum(['config', 'flag', 'api']),
});
export type Project = z.infer<typeof projectSchema>;

export const projectNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and . _ - only')
  .refine((name) => name !== 'default', '"default" is reserved');

export const projectCreateSchema = z
  .strictObject({
    id: projectNameSchema.optional(),
    name: projectNameSchema.optional(),
    root: z.string().min(1).max(4096),
    max_concurrent: positiveInt.max(64).default(2),
    default_agent: z.string().min(1).max(100).optional(),
    reviewer_agent: z.string().min(1).max(100).optional(),
    default: z.boolean().default(false),
  })
  .refine((body) => (body.id ?? body.name) !== undefined, { message: 'give the project an id (or name)' });

export const dashboardSchema = z.object({
  global: z.object({
    running: z.number(),
    queued: z.number(),
    done: z.number(),
    failed: z.number(),
    cancelled: z.number(),
    needs_input: z.number(),
    grade: gradeSchema.nullable(),
    cost_usd: z.number(),
    /** The event-based quality grade over all events and projects (stats, metrics). */
    quality: qualitySchema.optional(),
  }),
  projects: z.array(
    z.object({
      /** The project's name, as in `GET /api/projects` and `project/list`. */
      name: z.string(),
      /** The same name under its older key, kept for existing clients. */
      id: z.string(),
      root: z.string(),
      max_concurrent: z.number(),
      tasks: z.object({ running: z.number(), queued: z.number(), done: z.number(), failed: z.number() }),
      /** The project's quality grade: its events and its latest scan's findings. */
      quality: qualitySchema.optional(),
    }),
  ),
});
export type Dashboard = z.infer<typeof dashboardSchema>;
