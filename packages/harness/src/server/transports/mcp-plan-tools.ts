import { z } from 'zod';
import { type MethodParamsInput, methods, type PlanResult } from '@harness/protocol';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { ExecPlan } from '../../plans/index.js';
import { defineTool } from './mcp-tool-kit.js';

/**
 * ExecPlans over MCP: plan_init, plan_status, plan_update and plan_list, thin over `exec_plan/*`
 * (the same checks: a registered project, paths inside it). Each answers with the plan's Markdown
 * as well as its data, since that is what an agent reads and edits.
 */
const readOnly: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };
const projectRoot = methods['exec_plan/list'].params.shape.project_root.describe(
  'The project: a registered project’s name or its root path.',
);
const planRef = z
  .string()
  .min(1)
  .max(4096)
  .describe('The plan: its id (a file .agent/plans/<id>.md) or the path of its .md file in the project.');

function withMarkdown(result: PlanResult): Record<string, unknown> {
  const markdown = ExecPlan.fromData(result.plan).toMarkdown();
  return {
    plan_id: result.plan_id,
    path: result.path,
    status: result.plan.status,
    progress: result.progress,
    markdown,
    plan: result.plan,
  };
}

const planInit = defineTool({
  name: 'plan_init',
  title: 'Create an ExecPlan',
  description:
    'Create a draft ExecPlan (the PLANS.md convention: purpose, progress, decision log, surprises, outcomes, concrete steps, validation…) from a Markdown spec whose first # heading is its title. Written to .agent/plans/<id>.md in the project, or to path.',
  input: z.strictObject({
    spec: methods['exec_plan/init'].params.shape.spec.describe('Markdown: "# Title" then what and why.'),
    project_root: projectRoot,
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('A .md path inside the project (default .agent/plans/<id>.md).'),
  }),
  annotations: { destructiveHint: false, openWorldHint: false },
  run: async (args, { rpc }) => withMarkdown(await rpc.call('exec_plan/init', args)),
});

const planStatus = defineTool({
  name: 'plan_status',
  title: 'ExecPlan status',
  description:
    "An ExecPlan's status (draft, active, completed, abandoned), its progress (checked items of Progress and Concrete Steps) and all its sections.",
  input: z.strictObject({ project_root: projectRoot, plan: planRef }),
  annotations: readOnly,
  run: async (args, { rpc }) => withMarkdown(await rpc.call('exec_plan/status', args)),
});

const planUpdate = defineTool({
  name: 'plan_update',
  title: 'Update an ExecPlan',
  description:
    'Change an ExecPlan: action activate | complete | abandon; milestone or step (a new one with description — a step may name files — or the one at index checked, done=false to uncheck); decision (decision, rationale, author?); surprise (observation, evidence); outcome (text). Entries are timestamped.',
  input: z.strictObject({
    project_root: projectRoot,
    plan: planRef,
    action: z.enum([
      'activate',
      'complete',
      'abandon',
      'milestone',
      'step',
      'decision',
      'surprise',
      'outcome',
    ]),
    description: z.string().optional().describe('A new milestone or step.'),
    index: z.number().int().min(0).optional().describe('The milestone or step (from 0) to check off.'),
    done: z.boolean().optional().describe('With index: false unchecks it (default true).'),
    files: z.array(z.string()).optional().describe("A new step's files."),
    decision: z.string().optional(),
    rationale: z.string().optional(),
    author: z.string().optional(),
    observation: z.string().optional(),
    evidence: z.string().optional(),
    text: z.string().optional().describe('An outcome paragraph.'),
  }),
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  // The server checks which fields each action needs (exec_plan/update's schema) and names the missing ones.
  run: async (args, { rpc }) =>
    withMarkdown(await rpc.call('exec_plan/update', args as MethodParamsInput<'exec_plan/update'>)),
});

const planList = defineTool({
  name: 'plan_list',
  title: 'List ExecPlans',
  description:
    "The project's ExecPlans in .agent/plans, most recently updated first, with status and progress, and the files there that are not readable plans.",
  input: z.strictObject({ project_root: projectRoot }),
  annotations: readOnly,
  run: async (args, { rpc }) => rpc.call('exec_plan/list', args),
});

export const planTools = [planInit, planStatus, planUpdate, planList];
