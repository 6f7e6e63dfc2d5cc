import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { deliverModeSchema, type Task, taskSchema, taskStateSchema } from '@harness/protocol';
import { globalOptions } from '../global-options.js';
import { colorsFor, printData } from '../output.js';
import { addServerOptions, resolveServer, ServerClient } from './server-client.js';
import { reportEnd, watchTask } from './task-watch.js';

/**
 * `harness task …`: submit, list, show, watch, cancel, answer and diff tasks on a running
 * `harness serve -t http`, through its REST API and JSON-RPC.
 */
export function registerTaskCommand(program: Command): void {
  const task = program
    .command('task')
    .description('tasks on a running server (`harness serve -t http`): submit, ls, show, watch, cancel…');

  addServerOptions(
    task
      .command('submit')
      .description('submit a task by prompt, GitHub issue or pull request; prints its id')
      .argument('[prompt]', 'what to do')
      .option('--issue <n>', 'work on this GitHub issue', positiveInt)
      .option('--pr <n>', 'continue the work on this pull request', positiveInt)
      .option('--agent <name>', 'the implementing agent (default: the project’s)')
      .option('--reviewer <name>', 'the reviewing agent (default: reviewer_agent, "auto")')
      .option('--no-review', 'skip the review')
      .addOption(
        new Option('--deliver <mode>', 'how the work leaves Harness').choices(deliverModeSchema.options),
      )
      .option('--budget <usd>', 'cost cap in USD', positiveNumber)
      .option('--watch', 'follow the task until it ends (exit 0 done, 1 failed or cancelled)')
      .addHelpText('after', '\nThe project is the global -p/--project NAME (default: the server’s default).'),
  ).action(async (prompt: string | undefined, options: SubmitOptions, command: Command) => {
    const given = [prompt, options.issue, options.pr].filter((v) => v !== undefined).length;
    if (given !== 1) command.error('error: give exactly one of PROMPT, --issue N or --pr N', { exitCode: 2 });
    const json = globalOptions(command).json === true;
    const client = new ServerClient(resolveServer(command));
    const project = globalOptions(command).project?.at(-1)?.split('=')[0];
    const body = {
      ...(prompt === undefined ? {} : { prompt }),
      ...(options.issue === undefined ? {} : { issue: options.issue }),
      ...(options.pr === undefined ? {} : { pr: options.pr }),
      ...(project === undefined ? {} : { project }),
      ...(options.agent === undefined ? {} : { agent: options.agent }),
      ...(options.reviewer === undefined ? {} : { reviewer: options.reviewer }),
      ...(options.review === false ? { review: false } : {}),
      ...(options.deliver === undefined ? {} : { deliver: options.deliver }),
      ...(options.budget === undefined ? {} : { budget_usd: options.budget }),
    };
    const created = z
      .object({ task_id: z.string(), state: z.string(), task: taskSchema })
      .parse(await client.rest('POST', '/tasks', body));
    if (json && !options.watch) return printData(created, true, () => '');
    if (json) process.stdout.write(`${JSON.stringify({ submitted: created })}\n`);
    else {
      process.stdout.write(`${created.task_id}\n`);
      process.stderr.write(
        `submitted ${created.task_id} (${created.task.project}, ${describeAgents(created.task)})` +
          (options.watch ? '\n' : `; follow it with \`harness task watch ${created.task_id}\`\n`),
      );
    }
    if (options.watch) process.exitCode = reportEnd(await watchTask(client, created.task_id, json), json);
  });

  addServerOptions(
    task
      .command('ls')
      .description('list tasks, newest first')
      .addOption(new Option('--state <state>', 'only tasks in this state').choices(taskStateSchema.options))
      .option('--limit <n>', 'at most this many (1-500)', positiveInt, 50)
      .addHelpText('after', '\nOnly one project’s tasks: the global -p/--project NAME.'),
  ).action(async (options: { state?: string; limit: number }, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const project = globalOptions(command).project?.at(-1)?.split('=')[0];
    const query = new URLSearchParams({ limit: String(options.limit) });
    if (options.state) query.set('state', options.state);
    if (project) query.set('project', project);
    const list = z
      .object({ tasks: z.array(taskSchema), next_cursor: z.string().nullable() })
      .parse(await client.rest('GET', `/tasks?${query.toString()}`));
    printData(list, globalOptions(command).json === true, () => renderTable(list.tasks));
  });

  addServerOptions(
    task
      .command('show')
      .description('one task: state, agents, branch, delivery, cost, error')
      .argument('<id>'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const shown = taskSchema
      .passthrough()
      .parse(await client.rest('GET', `/tasks/${encodeURIComponent(id)}`, undefined, id));
    printData(shown, globalOptions(command).json === true, () => renderTask(shown));
  });

  addServerOptions(
    task
      .command('watch')
      .description('follow a task until it ends: exit 0 when done, 1 when failed or cancelled')
      .argument('<id>')
      .addHelpText(
        'after',
        '\nA dropped connection or a restarted server is reconnected; no event is shown twice or lost.',
      ),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const json = globalOptions(command).json === true;
    const client = new ServerClient(resolveServer(command));
    process.exitCode = reportEnd(await watchTask(client, id, json), json);
  });

  addServerOptions(task.command('cancel').description('cancel a task').argument('<id>')).action(
    async (id: string, _options: unknown, command: Command) => {
      const client = new ServerClient(resolveServer(command));
      const path = `/tasks/${encodeURIComponent(id)}/cancel`;
      const cancelled = taskSchema.parse(await client.rest('POST', path, {}, id));
      printData(cancelled, globalOptions(command).json === true, () => `${cancelled.id} ${cancelled.state}`);
    },
  );

  addServerOptions(
    task
      .command('respond')
      .description('answer a task waiting for input (needs_input)')
      .argument('<id>')
      .addArgument(new Argument('<decision>').choices(Object.keys(decisions)))
      .option('--note <text>', 'a note for the agent'),
  ).action(async (id: string, decision: string, options: { note?: string }, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const params = {
      task_id: id,
      decision: decisions[decision as keyof typeof decisions],
      ...(options.note === undefined ? {} : { note: options.note }),
    };
    const result = await client.rpc('task/respond', params, id);
    printData(result, globalOptions(command).json === true, () => `${id}: ${params.decision}`);
  });

  addServerOptions(
    task.command('diff').description("a task's changes against its base, as a unified diff").argument('<id>'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const result = diffSchema.parse(await client.rpc('task/diff', { task_id: id }, id));
    printData(result, globalOptions(command).json === true, () => colorDiff(result.diff));
    if (result.truncated && globalOptions(command).json !== true)
      process.stderr.write(`(the diff of ${id} is truncated)\n`);
  });
}

interface SubmitOptions {
  issue?: number;
  pr?: number;
  agent?: string;
  reviewer?: string;
  review: boolean;
  deliver?: string;
  budget?: number;
  watch?: boolean;
}

const decisions = { allow: 'allow_once', 'allow-always': 'allow_always', deny: 'deny' } as const;

const diffSchema = z.object({
  task_id: z.string(),
  base: z.string().nullable(),
  branch: z.string().nullable(),
  files: z.array(z.unknown()),
  diff: z.string(),
  truncated: z.boolean(),
});

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number (USD)');
  return n;
}

function describeAgents(task: Task): string {
  const agent = task.agent ?? 'default agent';
  return task.review ? `${agent}, reviewed by ${task.reviewer ?? 'auto'}` : `${agent}, no review`;
}

function what(task: Task): string {
  if (task.kind === 'issue') return `issue #${String(task.issue)}`;
  if (task.kind === 'pr') return `PR #${String(task.pr)}`;
  return (task.prompt ?? '').replace(/\s+/g, ' ').trim();
}

const cost = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

function renderTable(tasks: Task[]): string {
  if (tasks.length === 0) return 'no tasks';
  const rows = [
    ['ID', 'STATE', 'PROJECT', 'AGENT', 'COST', 'TASK'],
    ...tasks.map((t) => [t.id, t.state, t.project, t.agent ?? '-', cost(t.cost_usd), what(t)]),
  ];
  const widths = rows[0]!.slice(0, -1).map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((row) => {
      const cells = row.slice(0, -1).map((cell, i) => cell.padEnd(widths[i]!));
      const last = row.at(-1)!;
      return [...cells, last.length > 60 ? `${last.slice(0, 59)}…` : last].join('  ');
    })
    .join('\n');
}

function renderTask(task: Task): string {
  const c = colorsFor(process.stdout);
  const state =
    task.state === 'done' ? c.green(task.state) : task.error ? c.red(task.state) : c.yellow(task.state);
  const lines: [string, string | null][] = [
    ['project', task.project],
    ['task', what(task)],
    ['agent', describeAgents(task)],
    // Why that agent and model: the complexity the task was classified at, and the rule that chose.
    ['routing', task.routing && `${task.routing.model ?? 'default model'}: ${task.routing.reason}`],
    ['branch', task.branch],
    [
      'delivery',
      task.delivery === null
        ? task.deliver && `${task.deliver} (asked)`
        : `${task.delivery}${task.commit_sha ? ` at ${task.commit_sha.slice(0, 12)}` : ''}`,
    ],
    ['pull request', task.pr_url],
    ['cost', `${cost(task.cost_usd)}${task.budget_usd === null ? '' : ` of ${cost(task.budget_usd)}`}`],
    ['grade', task.grade && `${task.grade} (score ${String(task.score)})`],
    ['reviews', task.rounds.map((r) => `${r.round}: ${r.verdict} by ${r.reviewer}`).join('; ') || null],
    [
      'error',
      task.error && task.state !== 'needs_input' ? `${task.error.message} [${task.error.code}]` : null,
    ],
    [
      'waiting for',
      task.state === 'needs_input'
        ? `${task.error?.message ?? 'a decision'} — answer with \`harness task respond ${task.id} allow|allow-always|deny\``
        : null,
    ],
    ['created', task.created_at],
    ['finished', task.finished_at],
  ];
  const shown = lines.filter((line): line is [string, string] => line[1] !== null && line[1] !== '');
  const width = Math.max(...shown.map(([label]) => label.length));
  return [
    `${c.bold(task.id)}  ${state}`,
    ...shown.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
  ].join('\n');
}

function colorDiff(diff: string): string {
  const c = colorsFor(process.stdout);
  return diff
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => {
      if (line.startsWith('diff --git') || line.startsWith('+++') || line.startsWith('---'))
        return c.bold(line);
      if (line.startsWith('@@')) return c.cyan(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      return line;
    })
    .join('\n');
}
