import { z } from 'zod';
import { RuleCheckParamsSchema, methods, taskCreateSchema } from '@harness/protocol';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { type ToolContext, defineTool, described } from './mcp-tool-kit.js';
import { ToolFailure, eventSummary, taskSummary, turnSummary } from './mcp-results.js';
import { planTools } from './mcp-plan-tools.js';

/** The tools Harness offers over MCP: tasks, threads and turns, events, policy checks, agents, skills, ExecPlans. */

const taskId = methods['task/get'].params.shape.task_id.describe(
  'The task id (from start_task or list_tasks).',
);
const thread = methods['thread/start'].params.shape;
const turn = methods['turn/start'].params.shape;
const readOnly: ToolAnnotations = { readOnlyHint: true, openWorldHint: false };

const startTask = defineTool({
  name: 'start_task',
  title: 'Start a task',
  description:
    'Queue a coding task on a registered project. Harness prepares a git worktree, has an agent implement it, validates, delivers it (a pull request, a pushed branch, or a local branch) and has a different agent review it. Give exactly one of prompt, issue or pr. Returns the task id; follow it with task_status.',
  input: z.strictObject(
    described(taskCreateSchema.shape, {
      prompt: 'What to do, in plain words.',
      issue: 'A GitHub issue number to implement.',
      pr: 'A pull request number to work on (address its review).',
      project:
        'Project name or the root path of a registered one (default: the default project); an unregistered path is refused unless it is inside server.allowed_project_roots.',
      description: 'A short title for dashboards.',
      agent: 'Implementing agent: claude, codex or anthropic_api (default: the project’s).',
      reviewer: 'Reviewing agent, never the implementor (default: the project’s reviewer_agent, "auto").',
      review: 'false skips the review stage (default: [agents.review] enabled).',
      budget_usd: 'Cost cap in USD: the task fails with budget_exceeded once its cost passes it.',
      deliver:
        'How the work leaves Harness: auto, pull_request, branch (pushed) or none (a local branch); default: the project’s [git] deliver.',
      priority: 'Queue priority from -100 to 100; higher runs first.',
      skills:
        'Skills (by name) to give the implementing agent explicitly, on top of those that match the task.',
    }),
  ),
  annotations: { destructiveHint: false, openWorldHint: true },
  run: async (args, { rpc }) => {
    const { task } = await rpc.call('task/create', args);
    return taskSummary(task);
  },
});

const taskStatus = defineTool({
  name: 'task_status',
  title: 'Task status',
  description:
    'The state of a task (queued → preparing → implementing → validating → reviewing ⇄ fixing → pr_open → done; or failed, cancelled, needs_input), its PR URL, review rounds, grade, cost, error, the command it waits to have approved (pending_approval; answer with respond_task) and its latest events.',
  input: z.strictObject({
    task_id: taskId,
    events: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(10)
      .describe('How many of the latest events to include.'),
  }),
  annotations: readOnly,
  run: async (args, { rpc }) => {
    const { timeline, ...task } = await rpc.call('task/get', { task_id: args.task_id });
    const last = args.events === 0 ? [] : timeline.slice(-args.events);
    return { ...taskSummary(task), event_count: timeline.length, last_events: last.map(eventSummary) };
  },
});

const listTasks = defineTool({
  name: 'list_tasks',
  title: 'List tasks',
  description:
    'Tasks, newest first, optionally filtered by state or project; pass next_cursor back as cursor for more.',
  input: z.strictObject(
    described(methods['task/list'].params.shape, {
      state: 'Only tasks in this state.',
      project: 'Only tasks of this project (name).',
      limit: 'At most this many tasks.',
      cursor: 'next_cursor from a previous call.',
    }),
  ),
  annotations: readOnly,
  run: async (args, { rpc }) => {
    const { tasks, next_cursor } = await rpc.call('task/list', args);
    return { tasks: tasks.map(taskSummary), next_cursor };
  },
});

const cancelTask = defineTool({
  name: 'cancel_task',
  title: 'Cancel a task',
  description:
    "Cancel a queued or running task; its agent is stopped and its worktree released. What the agent wrote is committed to the task's branch, which is kept (see task_diff).",
  input: z.strictObject({ task_id: taskId }),
  annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
  run: async (args, { rpc }) => taskSummary(await rpc.call('task/cancel', args)),
});

const respond = methods['task/respond'].params.shape;
const respondTask = defineTool({
  name: 'respond_task',
  title: 'Answer a task that needs input',
  description:
    'Answer a task in needs_input, which waits for approval of the command in its pending_approval: allow_once (that exact command may run once), allow_always (for the rest of the task) or deny (the agent is told it was refused, with the note, and must find another way). The task resumes where it stopped.',
  input: z.strictObject(
    described(respond, {
      task_id: 'The task id (its state must be needs_input).',
      decision: 'allow_once, allow_always or deny.',
      note: 'Told to the agent with the decision (e.g. why it was refused, what to do instead).',
    }),
  ),
  annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
  run: async (args, { rpc }) => taskSummary(await rpc.call('task/respond', args)),
});

const taskDiff = defineTool({
  name: 'task_diff',
  title: 'Task diff',
  description:
    "What a task changed, against the commit its branch started from: each file (status, additions, deletions) and the unified diff (at most 1 MiB; truncated says when it was cut). Read from the task's worktree while it runs (uncommitted work included), else from its branch; a failed or cancelled task keeps its branch, its unfinished work committed. A task that changed nothing gives an empty diff.",
  input: z.strictObject({ task_id: taskId }),
  annotations: readOnly,
  run: async (args, { rpc }) => rpc.call('task/diff', args),
});

const startThread = defineTool({
  name: 'start_thread',
  title: 'Start a thread',
  description:
    'Open a conversation with a coding agent in a directory. Returns the thread id; talk to it with send_message.',
  input: z.strictObject(
    described(
      { cwd: thread.cwd, agent: thread.agent, title: thread.title },
      {
        cwd: 'Directory the agent works in (default: the server’s project root; must be an allowed root).',
        agent: 'claude, codex or anthropic_api (default: the configured default agent).',
        title: 'A title for the thread.',
      },
    ),
  ),
  annotations: { destructiveHint: false, openWorldHint: false },
  run: async (args, { rpc }) => {
    const { thread } = await rpc.call('thread/start', args);
    return {
      thread_id: thread.id,
      project_root: thread.project_root,
      agent: thread.agent,
      title: thread.title,
    };
  },
});

const sendMessage = defineTool({
  name: 'send_message',
  title: 'Send a message to a thread',
  description:
    'Start a turn on a thread: the agent works on the message in the thread’s directory. By default returns at once with the turn id (see thread_history). With wait: true, waits until the turn ends (at most timeout_secs) and returns the agent’s final answer, the commands it ran and the files it changed; on timeout the turn keeps running and the result says so.',
  input: z.strictObject({
    ...described(
      { thread_id: turn.thread_id, text: turn.input, agent: turn.agent, model: turn.model },
      {
        thread_id: 'The thread id (from start_thread).',
        text: 'The message for the agent.',
        agent: 'Use this agent for the turn instead of the thread’s.',
        model: 'Model name for the agent (default: the agent’s).',
      },
    ),
    sandbox_mode: turn.sandbox_mode.describe('read-only, workspace-write or danger-full-access.'),
    skills: turn.skills.describe('Skills (by name) to give the agent explicitly for this turn.'),
    wait: z.boolean().default(false).describe('Wait for the turn to finish and return the answer.'),
    timeout_secs: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(50)
      .describe(
        'With wait: how long to wait. Keep it below your client’s request timeout (often 60 s) unless it resets on progress.',
      ),
  }),
  annotations: { destructiveHint: true, openWorldHint: true },
  run: async ({ wait, timeout_secs, text, ...rest }, { rpc, signal, progress }) => {
    const { turn } = await rpc.call('turn/start', { ...rest, input: text });
    if (!wait) return { thread_id: turn.thread_id, turn_id: turn.id, status: turn.status, agent: turn.agent };
    const waited = await rpc.waitForTurn(turn.id, timeout_secs * 1000, signal, (method, params) => {
      const item = params.item as { type?: unknown } | undefined;
      if (method === 'item/completed' && typeof item?.type === 'string') progress(item.type);
    });
    const summary = { thread_id: turn.thread_id, ...turnSummary(waited.turn, false) };
    if (waited.outcome === 'finished') return summary;
    return {
      ...summary,
      waiting: waited.outcome === 'timeout' ? `gave up after ${timeout_secs} s` : 'cancelled',
      note: 'The turn is still running; check it later with thread_history.',
    };
  },
});

const threadHistory = defineTool({
  name: 'thread_history',
  title: 'Thread history',
  description:
    'A thread and its latest turns: for each, the input, status, final answer, commands run, files changed, error and usage.',
  input: z.strictObject({
    thread_id: turn.thread_id.describe('The thread id.'),
    limit: z.number().int().min(1).max(1000).default(20).describe('How many of the latest turns.'),
    include_items: z.boolean().default(false).describe('Also return every item of each turn (verbose).'),
  }),
  annotations: readOnly,
  run: async (args, { rpc }) => {
    const { thread, turns } = await rpc.call('thread/resume', { thread_id: args.thread_id });
    return {
      thread_id: thread.id,
      title: thread.title,
      project_root: thread.project_root,
      agent: thread.agent,
      status: thread.status,
      turn_count: thread.turn_count,
      turns: turns.slice(-args.limit).map((t) => turnSummary(t, args.include_items)),
    };
  },
});

const queryEvents = defineTool({
  name: 'query_events',
  title: 'Query events',
  description:
    'The event log (hooks, policy decisions, agent commands, turns, task steps), filtered like the event/query method. Page with after_seq = next_after_seq.',
  input: z.strictObject(
    described(methods['event/query'].params.shape, {
      project: 'Only events of this registered project (by name).',
      thread_id: 'Only events of this thread.',
      turn_id: 'Only events of this turn.',
      task_id: 'Only events of this task.',
      kind: 'An event kind (e.g. turn.completed) or a list of kinds.',
      decision: 'Only events with this decision.',
      since: 'RFC 3339 time; events at or after it.',
      until: 'RFC 3339 time; events at or before it.',
      after_seq: 'Only events after this sequence number (paging).',
      limit: 'At most this many events.',
      order: 'asc (oldest first) or desc.',
    }),
  ),
  annotations: readOnly,
  run: async (args, { rpc }) => rpc.call('event/query', args),
});

const ruleCheck = RuleCheckParamsSchema.shape;
const checkCommand = defineTool({
  name: 'check_command',
  title: 'Check a command against the policy',
  description:
    'Decide whether the execution policy (Starlark prefix_rule files under <project>/.harness/policy, or one policy file) allows a shell command: allow, prompt or forbidden, with the rules that matched. Compound commands are split and each part checked; the strictest decision wins.',
  input: z.strictObject(
    described(
      {
        command: ruleCheck.command.unwrap(),
        project_root: ruleCheck.project_root,
        policy_path: ruleCheck.path,
        default_decision: ruleCheck.default_decision,
      },
      {
        command: 'A shell command line, or its argv as a list of strings.',
        project_root: 'A project directory whose .harness/policy/*.star files apply.',
        policy_path: 'A policy file or directory (instead of, or in addition to, project_root).',
        default_decision: 'Decision when no rule matches (default: the policy’s).',
      },
    ),
  ),
  annotations: readOnly,
  run: async ({ policy_path, ...args }, { rpc }) => {
    if (policy_path === undefined && args.project_root === undefined) {
      throw new ToolFailure('check_command: pass project_root or policy_path');
    }
    const result = await rpc.call('rule/check', { ...args, path: policy_path });
    if (result.kind !== 'command')
      throw new ToolFailure('check_command: the policy check returned no decision');
    return result;
  },
});

const listAgents = defineTool({
  name: 'list_agents',
  title: 'List agents',
  description:
    'The agent runtimes Harness can drive, whether each is usable here (and why not), version and model.',
  input: z.strictObject({}),
  annotations: readOnly,
  run: async (_args, { rpc }) => rpc.call('agent/list', {}),
});

const listSkills = defineTool({
  name: 'list_skills',
  title: 'List skills',
  description:
    "The skills agents get on a project (Agent Skills SKILL.md folders and flat .md skills) from the project, the user, the machine and Harness's built-ins, nearest first: name, description, scope, path, version, uses and score; the skills each hides, and those skipped with why. Open one with get_skill.",
  input: z.strictObject(
    described(methods['skill/list'].params.shape, {
      query: 'Only skills whose name or description holds this (case-insensitive).',
      project_root: "A registered project's name or checkout (default: the default project).",
    }),
  ),
  annotations: readOnly,
  run: async (args, { rpc }) => rpc.call('skill/list', args),
});

const getSkill = defineTool({
  name: 'get_skill',
  title: 'Get a skill',
  description:
    'One skill by name (the one that wins it), with its full text (body) and every frontmatter field.',
  input: z.strictObject(
    described(methods['skill/get'].params.shape, {
      name: 'The skill name, e.g. "review" (from list_skills).',
      project_root: "A registered project's name or checkout (default: the default project).",
    }),
  ),
  annotations: readOnly,
  run: async (args, { rpc }) => rpc.call('skill/get', args),
});

const classify = methods['task/classify'].params.shape;
const classifyTask = defineTool({
  name: 'classify_task',
  title: 'Classify a task',
  description:
    'How hard a piece of work is (simple, medium, complex or critical), its main language, whether it must write files and reach the network, and the rules that decided it. Deterministic and free: no agent runs. A task submitted with start_task is classified the same way and routed to an agent and model by its complexity (task_status shows routing).',
  input: z.strictObject(
    described(classify, {
      prompt: 'The work, in plain words.',
      issue: 'What is known of its GitHub issue: number, title, body, labels.',
      pr: 'What is known of its pull request: number, title, body, labels, files (paths it changes).',
    }),
  ),
  annotations: readOnly,
  run: async (args, { rpc }) => rpc.call('task/classify', args),
});

const registrations = [
  startTask,
  taskStatus,
  listTasks,
  cancelTask,
  respondTask,
  taskDiff,
  startThread,
  sendMessage,
  threadHistory,
  queryEvents,
  checkCommand,
  listAgents,
  listSkills,
  getSkill,
  classifyTask,
  ...planTools,
];

export function registerTools(server: McpServer, context: ToolContext): void {
  for (const register of registrations) register(server, context);
}
