import type { Command } from 'commander';
import { z } from 'zod';
import {
  type Draft,
  type GcRunReport,
  type GcStatus,
  draftSchema,
  draftStatusSchema,
  gcAdoptResultSchema,
  gcRunReportSchema,
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
    const run = client.rpc('gc/run', params);
    const report = gcRunReportSchema.parse(await withProgress(client, params, run));
    printData(report, globalOptions(command).json === true, () => renderReport(report));
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

/** Waits for `run`, printing where the server says it is (gc/status) on stderr as it changes. */
async function withProgress(
  client: ServerClient,
  params: { project?: string },
  run: Promise<unknown>,
): Promise<unknown> {
  let done = false;
  let last = '';
  const poll = async (): Promise<void> => {
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, progressPollMs));
      if (done) return;
      const status = await client.rpc('gc/status', params).catch(() => null);
      const progress = gcStatusSchema.safeParse(status).data?.progress;
      if (progress === undefined || progress === null) continue;
      const line =
        progress.count > 0 ? `[${progress.index}/${progress.count}] ${progress.message}` : progress.message;
      if (line !== last && !done) process.stderr.write(`${line}\n`);
      last = line;
    }
  };
  const polling = poll();
  try {
    return await run;
  } finally {
    done = true;
    await polling;
  }
}

function renderReport(report: GcRunReport): string {
  const lines = [
    `project ${report.project}: ${report.signals.length} signal(s), ${report.drafts.length} draft(s), ${report.errors.length} error(s)` +
      (report.expired > 0 ? `, ${report.expired} expired` : ''),
  ];
  for (const draft of report.drafts)
    lines.push(`  drafted ${draft.id}  ${draft.signal.type} (${draft.signal.key})  ${artifactList(draft)}`);
  for (const skipped of report.skipped) lines.push(`  skipped ${skipped.signal_id}: ${skipped.reason}`);
  for (const error of report.errors) lines.push(`  error: ${error.message}`);
  lines.push(budgetLine(report.budget));
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
