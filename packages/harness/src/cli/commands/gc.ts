import type { Command } from 'commander';
import { z } from 'zod';
import {
  type Draft,
  type GcRun,
  type GcStatus,
  draftSchema,
  draftStatusSchema,
  gcAdoptResultSchema,
  gcStatusSchema,
} from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { globalOptions } from '../global-options.js';
import { printData } from '../output.js';
import { addServerOptions, resolveServer, ServerClient } from './server-client.js';

/**
 * `harness gc …`: run GC on a project of a running server, see its state and drafts, adopt or
 * reject a draft — a client of `harness serve -t http` over JSON-RPC, like `harness task`.
 * Adopting and rejecting need the operator key or API token, which the client finds itself.
 */

const draftList = z.object({ drafts: z.array(draftSchema) });
/** How often `gc run` asks the server where the run is. */
const progressPollMs = 1000;

function projectOf(command: Command, given: string | undefined): string | undefined {
  return given ?? globalOptions(command).project?.at(-1)?.split('=')[0];
}

const usd = (n: number): string => `$${n.toFixed(2)}`;

export function registerGcCommand(program: Command): void {
  const gc = program
    .command('gc')
    .description('GC on a running server: run, status, drafts, show, adopt, reject');

  addServerOptions(
    gc
      .command('run')
      .description('detect signals and draft remediations now; progress on stderr')
      .argument('[project]', 'the project (default: -p/--project, then the server’s default)'),
  ).action(async (project: string | undefined, _options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const name = projectOf(command, project);
    const params = name === undefined ? {} : { project: name };
    const started = z
      .object({ run_id: z.string(), project: z.string() })
      .parse(await client.rpc('gc/start', params));
    process.stderr.write(`GC run ${started.run_id} on ${started.project} started\n`);
    const outcome = await follow(client, { project: started.project }, started.run_id);
    printData(outcome, globalOptions(command).json === true, () => renderOutcome(outcome));
    if (outcome.run.status !== 'finished') process.exitCode = 1;
  });

  addServerOptions(
    gc
      .command('status')
      .description('drafts by status, the last and next run, the budget')
      .argument('[project]'),
  ).action(async (project: string | undefined, _options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const name = projectOf(command, project);
    const status = gcStatusSchema.parse(
      await client.rpc('gc/status', name === undefined ? {} : { project: name }),
    );
    printData(status, globalOptions(command).json === true, () => renderStatus(status));
  });

  addServerOptions(
    gc
      .command('drafts')
      .description('drafts, newest first')
      .argument('[project]', 'only this project’s (default: -p/--project, else every project)')
      .option('--status <status>', `only drafts in this status (${draftStatusSchema.options.join(', ')})`),
  ).action(async (project: string | undefined, options: { status?: string }, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const name = projectOf(command, project);
    const params = {
      ...(name === undefined ? {} : { project: name }),
      ...(options.status === undefined ? {} : { status: options.status }),
    };
    const list = draftList.parse(await client.rpc('gc/drafts', params));
    printData(list, globalOptions(command).json === true, () => renderDrafts(list.drafts));
  });

  addServerOptions(
    gc.command('show').description('one draft: signal, evidence, artifacts, replay').argument('<id>'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const [draft] = draftList.parse(await client.rpc('gc/drafts', { draft_id: id })).drafts;
    if (draft === undefined) throw new HarnessError(ErrorCodes.notFound, `draft not found: ${id}`);
    printData(draft, globalOptions(command).json === true, () => renderDraft(draft));
  });

  addServerOptions(
    gc
      .command('adopt')
      .description('write a pending draft’s artifacts (every path checked first)')
      .argument('<id>'),
  ).action(async (id: string, _options: unknown, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const result = gcAdoptResultSchema.parse(await client.rpc('gc/adopt', { draft_id: id }));
    printData(result, globalOptions(command).json === true, () =>
      result.branch === null
        ? `adopted ${id}: wrote ${result.written.join(', ')}`
        : `adopted ${id}: committed on ${result.branch}; task ${result.draft.task_id ?? '?'} opens the pull request`,
    );
  });

  addServerOptions(
    gc
      .command('reject')
      .description('reject a pending draft, saying why')
      .argument('<id>')
      .requiredOption('--reason <text>', 'why (kept with the draft)'),
  ).action(async (id: string, options: { reason: string }, command: Command) => {
    const client = new ServerClient(resolveServer(command));
    const draft = draftSchema.parse(await client.rpc('gc/reject', { draft_id: id, reason: options.reason }));
    printData(
      draft,
      globalOptions(command).json === true,
      () => `rejected ${id}: ${draft.reject_reason ?? ''}`,
    );
  });
}

interface RunOutcome {
  run: GcRun;
  /** The drafts this run made. */
  drafts: Draft[];
  budget: GcStatus['budget'];
}

/**
 * Follows a started run through gc/status until it is over (a run may outlast any one HTTP
 * request), printing each step on stderr as it changes; then collects its drafts.
 */
async function follow(client: ServerClient, params: { project: string }, runId: string): Promise<RunOutcome> {
  let last = '';
  for (;;) {
    const status = gcStatusSchema.parse(await client.rpc('gc/status', params));
    const progress = status.progress;
    if (progress !== null) {
      const line =
        progress.count > 0 ? `[${progress.index}/${progress.count}] ${progress.message}` : progress.message;
      if (line !== last) process.stderr.write(`${line}\n`);
      last = line;
    }
    if (!status.running && status.last_run?.id === runId) {
      const run = status.last_run;
      const { drafts } = draftList.parse(await client.rpc('gc/drafts', { ...params, limit: 500 }));
      const mine = drafts.filter(
        (d) =>
          d.created_at >= run.started_at && (run.finished_at === null || d.created_at <= run.finished_at),
      );
      return { run, drafts: mine, budget: status.budget };
    }
    await new Promise((resolve) => setTimeout(resolve, progressPollMs));
  }
}

function renderOutcome({ run, drafts, budget }: RunOutcome): string {
  const lines = [
    `project ${run.project}: run ${run.id} ${run.status}: ${run.signals} signal(s), ${run.drafts} draft(s), ${run.errors.length} error(s), ${usd(run.spent_usd)} spent`,
  ];
  for (const draft of drafts)
    lines.push(`  drafted ${draft.id}  ${draft.signal.type} (${draft.signal.key})  ${artifactList(draft)}`);
  for (const error of run.errors) lines.push(`  error: ${error}`);
  if (run.budget_exhausted)
    lines.push('  the total budget ran out in this run: the signals past it were detected, not drafted');
  lines.push(budgetLine(budget));
  return lines.join('\n');
}

function budgetLine(budget: GcStatus['budget']): string {
  const state = budget.exhausted
    ? ' — budget exhausted: GC detects and reports, and drafts nothing until spend leaves the window'
    : '';
  return `budget: ${usd(budget.spent_usd)} of ${usd(budget.total_usd)} spent in the last ${budget.window_hours} h, ${usd(budget.remaining_usd)} left${state}`;
}

function renderStatus(status: GcStatus): string {
  const counts = Object.entries(status.drafts)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  const last = status.last_run;
  return [
    `project ${status.project}: ${status.running ? 'running' : 'idle'}${status.progress ? ` (${status.progress.message})` : ''}`,
    `drafts: ${counts}`,
    last === null
      ? 'last run: never'
      : `last run: ${last.status} ${last.started_at} (${last.trigger}): ${last.signals} signal(s), ${last.drafts} draft(s), ${usd(last.spent_usd)}${last.budget_exhausted ? ', budget exhausted' : ''}`,
    `next run: ${status.next_run_at ?? 'not scheduled'}`,
    budgetLine(status.budget),
  ].join('\n');
}

const artifactList = (draft: Draft): string => draft.artifacts.map((a) => `${a.path} (${a.kind})`).join(', ');

function renderDrafts(drafts: Draft[]): string {
  if (drafts.length === 0) return 'no drafts';
  return drafts
    .map(
      (d) =>
        `${d.id}  ${d.status.padEnd(8)}  ${d.project}  ${d.signal.type} (${d.signal.key})  ${d.created_at}  ${artifactList(d)}`,
    )
    .join('\n');
}

function renderDraft(draft: Draft): string {
  const e = draft.signal.evidence;
  const lines = [
    `${draft.id} ${draft.status} (project ${draft.project}) by ${draft.agent}${draft.model ? `/${draft.model}` : ''}, ${usd(draft.cost_usd)}`,
    `signal: ${draft.signal.type} (${draft.signal.key}), strength ${draft.signal.strength} / threshold ${draft.signal.threshold}: ${draft.signal.summary}`,
    `evidence: ${e.event_count} event(s) [${e.event_ids.slice(0, 10).join(', ')}], files: ${e.files.join(', ') || 'none'}`,
    `created ${draft.created_at}, expires ${draft.expires_at}`,
  ];
  if (draft.decided_at !== null)
    lines.push(
      `decided ${draft.decided_at} by ${draft.decided_by ?? '?'}${draft.reject_reason ? `: ${draft.reject_reason}` : ''}`,
    );
  if (draft.task_id !== null) lines.push(`pull request task: ${draft.task_id}`);
  if (draft.rationale !== '') lines.push('', draft.rationale);
  const r = draft.replay;
  lines.push(
    '',
    r === null
      ? 'replay: not run'
      : `replay: ${r.tree.findings} finding(s) in ${r.tree.files} file(s) now; ${r.history.commands_blocked} of ${r.history.commands_checked} past command(s) blocked; ${r.history.findings_explained} past finding(s) explained`,
  );
  for (const artifact of draft.artifacts)
    lines.push('', `--- ${artifact.path} (${artifact.kind}, ${artifact.format})`, artifact.content.trimEnd());
  return lines.join('\n');
}
