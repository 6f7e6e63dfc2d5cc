import { z } from 'zod';
import {
  dashboardSchema,
  projectCreateSchema,
  projectSchema,
  skillNamesSchema,
  taskCreateSchema,
  taskListBatchSchema,
  taskListQuerySchema,
  taskRespondSchema,
  taskSchema,
  taskStateSchema,
} from './tasks.js';
import { taskDiffParamsSchema, taskDiffSchema } from './task-diff.js';
import { gcMethods } from './gc.js';
import { skillMethods } from './skills.js';
import { contextMethods } from './context.js';
import { classifyMethods } from './classify.js';
import { planMethods } from './plans.js';
import { reviewMethods } from './review.js';
import {
  healthCheckParamsSchema,
  healthReportSchema,
  metricsCollectParamsSchema,
  metricsCollectResultSchema,
  metricsQueryParamsSchema,
  metricsQueryResultSchema,
  ruleStatsSchema,
  ruleTrendSchema,
  toolStatsSchema,
} from './metrics.js';
import { learnParamsSchema, learnResultSchema } from './learn.js';
import {
  CommandCheckResultSchema,
  ProjectCheckResultSchema,
  RuleCheckParamsSchema,
  RuleLoadParamsSchema,
  RuleLoadResultSchema,
} from './rules.js';
import {
  decisionSchema,
  sandboxModeSchema,
  eventKindSchema,
  eventSchema,
  metadataSchema,
  qualitySchema,
  threadSchema,
  threadStatusSchema,
  timestampSchema,
  turnSchema,
} from './types.js';

/**
 * The method table: every JSON-RPC method with the zod schemas of its params and result. The
 * server validates params with these; clients and the dashboard can infer their types from them.
 * Params are strict objects: a misspelt field is an error, not silently ignored.
 */

/** The params of methods that take none; the router skips validation when none are sent. */
export const noParams = z.strictObject({});
const id = z.string().min(1).max(200);

const initializeParams = z.strictObject({
  client_info: z
    .strictObject({ name: z.string().min(1).max(200), version: z.string().max(100).optional() })
    .optional(),
  protocol_version: z.string().max(20).optional(),
});
const initializeResult = z.object({
  name: z.literal('harness'),
  version: z.string(),
  protocol_version: z.string(),
  connection_id: z.string(),
  capabilities: z.record(z.string(), z.boolean()),
});

const threadStartParams = z.strictObject({
  cwd: z.string().min(1).max(4096).optional(),
  agent: z.string().min(1).max(100).optional(),
  title: z.string().max(500).optional(),
  metadata: metadataSchema.optional(),
});
const threadRef = z.strictObject({ thread_id: id });
const threadForkParams = z.strictObject({ thread_id: id, from_turn_id: id.optional() });
const threadListParams = z.strictObject({
  status: threadStatusSchema.optional(),
  project_root: z.string().min(1).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});

const eventLogParams = z.strictObject({
  event: z.strictObject({
    id: z.string().min(1).max(200).optional(),
    ts: timestampSchema.optional(),
    kind: eventKindSchema,
    thread_id: id.optional(),
    turn_id: id.optional(),
    task_id: id.optional(),
    session_id: z.string().min(1).max(200).optional(),
    tool: z.string().max(200).optional(),
    decision: decisionSchema.optional(),
    reason: z.string().max(10_000).optional(),
    duration_ms: z.number().nonnegative().optional(),
    data: z.unknown().optional(),
    /** A registered project's name; else the project of the thread's directory, if any. */
    project: z.string().min(1).max(200).optional(),
  }),
});

const eventQueryParams = z.strictObject({
  /** Events of one project (a task's events carry the task's project). */
  project: z.string().min(1).max(200).optional(),
  thread_id: id.optional(),
  turn_id: id.optional(),
  task_id: id.optional(),
  session_id: z.string().optional(),
  kind: z.union([eventKindSchema, z.array(eventKindSchema).min(1).max(50)]).optional(),
  decision: decisionSchema.optional(),
  since: timestampSchema.optional(),
  until: timestampSchema.optional(),
  after_seq: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  order: z.enum(['asc', 'desc']).default('asc'),
});

const turnStartParams = z.strictObject({
  thread_id: id,
  input: z.string().min(1).max(200_000),
  agent: z.string().min(1).max(100).optional(),
  model: z.string().min(1).max(200).optional(),
  sandbox_mode: sandboxModeSchema.optional(),
  /** Skills to give this turn's agent explicitly (by name), on top of those that match it. */
  skills: skillNamesSchema.optional(),
});
const turnRef = z.strictObject({ turn_id: id });
const turnSteerParams = z.strictObject({ turn_id: id, instruction: z.string().min(1).max(200_000) });

export const agentInfoSchema = z.object({
  name: z.string(),
  enabled: z.boolean(),
  usable: z.boolean(),
  reason: z.string().nullable(),
  version: z.string().nullable(),
  binary_path: z.string().nullable(),
  default_model: z.string().nullable(),
  command_gate: z.enum(['enforced', 'not_enforced']),
  model_access: z.enum(['gateway', 'direct']).nullable(),
  model_access_reason: z.string().nullable(),
});

const statsQueryParams = z.strictObject({
  since: timestampSchema.optional(),
  until: timestampSchema.optional(),
  project: z.string().min(1).max(200).optional(),
});

const kindStats = z.object({
  kind: z.string(),
  total: z.number(),
  pass_rate: z.number(),
  warn_rate: z.number(),
  block_rate: z.number(),
});

export const statsResultSchema = z.object({
  since: z.string().nullable(),
  until: z.string().nullable(),
  events: z.object({ total: z.number(), by_decision: z.record(z.string(), z.number()) }),
  by_kind: z.array(kindStats),
  trends: z.array(
    z.object({ period_start: z.string(), total: z.number(), pass_rate: z.number(), grade: z.string() }),
  ),
  threads: z.object({ total: z.number(), by_status: z.record(z.string(), z.number()) }),
  turns: z.object({ total: z.number(), by_status: z.record(z.string(), z.number()) }),
  quality: qualitySchema,
  /** The project the stats are of, or null for all events. */
  project: z.string().nullable(),
  /** Rule findings (`rule.finding` events) per rule id. */
  rule_stats: z.array(ruleStatsSchema),
  /** Per event kind and tool, most frequent first (at most 100). */
  tool_stats: z.array(toolStatsSchema),
  /** Findings per rule in each of the four 7-day periods of `trends`. */
  rule_trends: z.array(ruleTrendSchema),
});

export const healthResultSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_secs: z.number(),
  store: z.object({ backend: z.string(), ok: z.boolean(), schema_version: z.number() }),
  connections: z.number(),
  /** Only with `project_root`: the project's health report. */
  report: healthReportSchema.optional(),
});

export const methods = {
  initialize: { params: initializeParams, result: initializeResult },
  initialized: { params: noParams, result: z.object({}) },
  'thread/start': {
    params: threadStartParams,
    result: z.object({ thread_id: z.string(), thread: threadSchema }),
  },
  'thread/resume': {
    params: threadRef,
    result: z.object({ thread: threadSchema, turns: z.array(turnSchema) }),
  },
  'thread/fork': {
    params: threadForkParams,
    result: z.object({ thread_id: z.string(), thread: threadSchema }),
  },
  'thread/list': {
    params: threadListParams,
    result: z.object({ threads: z.array(threadSchema), next_cursor: z.string().nullable() }),
  },
  'thread/delete': { params: threadRef, result: z.object({ deleted: z.boolean() }) },
  'thread/compact': { params: threadRef, result: z.object({ compacted: z.number().int() }) },
  'turn/start': { params: turnStartParams, result: z.object({ turn_id: z.string(), turn: turnSchema }) },
  'turn/steer': {
    params: turnSteerParams,
    result: z.object({ steered: z.boolean(), turn_id: z.string(), turn: turnSchema }),
  },
  'turn/cancel': { params: turnRef, result: z.object({ cancelled: z.boolean(), turn: turnSchema }) },
  'turn/status': { params: turnRef, result: z.object({ turn: turnSchema, running: z.boolean() }) },
  'agent/list': { params: noParams, result: z.object({ agents: z.array(agentInfoSchema) }) },
  'rule/load': { params: RuleLoadParamsSchema, result: RuleLoadResultSchema },
  'rule/check': {
    params: RuleCheckParamsSchema,
    result: z.union([CommandCheckResultSchema, ProjectCheckResultSchema]),
  },
  'task/create': { params: taskCreateSchema, result: z.object({ task_id: z.string(), task: taskSchema }) },
  'task/batch': {
    params: taskListBatchSchema,
    result: z.object({ results: z.array(z.record(z.string(), z.unknown())) }),
  },
  'task/get': {
    params: z.strictObject({ task_id: id }),
    result: taskSchema.extend({ timeline: z.array(eventSchema) }),
  },
  'task/list': {
    params: taskListQuerySchema.extend({ state: taskStateSchema.optional() }),
    result: z.object({ tasks: z.array(taskSchema), next_cursor: z.string().nullable() }),
  },
  'task/cancel': { params: z.strictObject({ task_id: id }), result: taskSchema },
  /** Answers a task in `needs_input`: it is queued again and resumes where it stopped. */
  'task/respond': { params: taskRespondSchema, result: taskSchema },
  'task/diff': { params: taskDiffParamsSchema, result: taskDiffSchema },
  'project/list': { params: noParams, result: z.object({ projects: z.array(projectSchema) }) },
  'project/register': { params: projectCreateSchema, result: projectSchema },
  'project/remove': {
    params: z.strictObject({ name: z.string().min(1) }),
    result: z.object({ deleted: z.boolean() }),
  },
  /** A project's effective settings (its overlay over the server's), credentials in URLs masked. */
  'project/config': {
    params: z.strictObject({ name: z.string().min(1) }),
    result: z.object({ settings: z.record(z.string(), z.unknown()) }),
  },
  'dashboard/get': { params: noParams, result: dashboardSchema },
  'health/check': { params: healthCheckParamsSchema, result: healthResultSchema },
  'event/log': {
    params: eventLogParams,
    result: z.object({
      logged: z.literal(true),
      event_id: z.string(),
      seq: z.number(),
      duplicate: z.boolean(),
    }),
  },
  'event/query': {
    params: eventQueryParams,
    result: z.object({ events: z.array(eventSchema), next_after_seq: z.number().nullable() }),
  },
  'stats/query': { params: statsQueryParams, result: statsResultSchema },
  /** Quality: scan a project and grade it; grade from stored events (protocol/src/metrics.ts). */
  'metrics/collect': { params: metricsCollectParamsSchema, result: metricsCollectResultSchema },
  'metrics/query': { params: metricsQueryParamsSchema, result: metricsQueryResultSchema },
  ...gcMethods,
  // Learning: rules and skills derived from adopted drafts and task history, as drafts.
  'learn/rules': { params: learnParamsSchema, result: learnResultSchema },
  'learn/skills': { params: learnParamsSchema, result: learnResultSchema },
  ...skillMethods,
  // What agents are told before their prompt: the AGENTS.md cascade (protocol/src/context.ts).
  ...contextMethods,
  // How hard a piece of work is, and why (protocol/src/classify.ts).
  ...classifyMethods,
  ...planMethods,
  ...reviewMethods,
} as const;

export type MethodName = keyof typeof methods;
export type MethodParams<M extends MethodName> = z.output<(typeof methods)[M]['params']>;
export type MethodParamsInput<M extends MethodName> = z.input<(typeof methods)[M]['params']>;
export type MethodResult<M extends MethodName> = z.infer<(typeof methods)[M]['result']>;

/** Methods a client may call before the handshake completes. */
export const handshakeMethods: ReadonlySet<string> = new Set(['initialize', 'initialized']);

const bySnakeName = new Map<string, MethodName>(
  (Object.keys(methods) as MethodName[]).flatMap((name) => [
    [name, name],
    [name.replaceAll('/', '_'), name],
  ]),
);

/** Resolves `thread/start` or `thread_start` to the canonical slash-style name; undefined if unknown. */
export function canonicalMethodName(method: string): MethodName | undefined {
  return bySnakeName.get(method);
}
