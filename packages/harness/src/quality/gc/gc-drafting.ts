import { type Draft, type GcRunError, type Signal, type SignalType, roundUsd } from '@harness/protocol';
import { type Clock, type Logger, describeError, newId } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { parseArtifacts } from './artifacts.js';
import { canDraft } from './budget.js';
import type { Drafter } from './drafter.js';
import type { GcPorts, GcProgress, GcProject, GcSettings } from './gc-types.js';
import { draftPrompt } from './prompts.js';

/**
 * The drafting half of a run: the strongest signals first, at most `max_drafts_per_run` of them,
 * none that already has a pending draft, each only while its whole per-signal budget still fits
 * in the total (checked before each draft, from the stored spend). Each answer is parsed into
 * artifacts; an answer without any is an error naming the signal, not a draft.
 */

/** The original's order among equally strong signals, then ours. */
const typePriority: readonly SignalType[] = [
  'chronic_block',
  'warn_escalation',
  'repeated_warn',
  'linter_violations',
  'hot_files',
  'slow_operations',
  'policy_denials',
  'task_failures',
  'validation_failures',
  'review_findings',
  'ci_failures',
  'changes_requested',
];

export function orderSignals(signals: readonly Signal[]): Signal[] {
  return [...signals].sort(
    (a, b) =>
      b.strength - a.strength ||
      typePriority.indexOf(a.type) - typePriority.indexOf(b.type) ||
      a.id.localeCompare(b.id),
  );
}

export interface RunContext {
  project: GcProject;
  runId: string;
  startedAt: string;
  signals: Signal[];
  progress: (progress: GcProgress) => void;
}

export interface DraftingDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  drafter: Drafter;
  settings: GcSettings;
  ports: GcPorts;
  maxDrafts: number;
  /** Ends a drafting turn in flight (the server is closing). */
  abort: AbortSignal;
  event: (kind: string, data: Record<string, unknown>) => Promise<void>;
  /** Adopts a draft on its own (`gc.auto_adopt = "rules-only"`, every artifact under .harness/generated/). */
  autoAdopt: (draft: Draft) => Promise<void>;
}

export interface DraftingOutcome {
  drafts: Draft[];
  skipped: { signal_id: string; reason: string }[];
  errors: GcRunError[];
  exhausted: boolean;
}

const errorOf = (signal: Signal, message: string): GcRunError => ({
  signal_id: signal.id,
  signal_type: signal.type,
  message: `signal ${signal.type} (${signal.key}): ${message}`,
});

export async function draftSignals(ctx: RunContext, deps: DraftingDeps): Promise<DraftingOutcome> {
  const { store, settings } = deps;
  const outcome: DraftingOutcome = { drafts: [], skipped: [], errors: [], exhausted: false };
  const pending = await store.gc.drafts.pendingSignalIds(ctx.project.name);
  const windowStart = new Date(
    deps.clock.now().getTime() - settings.budget_window_hours * 3_600_000,
  ).toISOString();
  let spentThisRun = 0;
  let attempted = 0;
  const ordered = orderSignals(ctx.signals);
  for (const [index, signal] of ordered.entries()) {
    const skip = (reason: string): void => void outcome.skipped.push({ signal_id: signal.id, reason });
    if (pending.has(signal.id)) {
      skip('a pending draft exists for it');
      continue;
    }
    if (attempted >= deps.maxDrafts || deps.abort.aborted) {
      skip(deps.abort.aborted ? 'the server is closing' : `over max_drafts_per_run (${deps.maxDrafts})`);
      continue;
    }
    if (outcome.exhausted || !canDraft(settings, await store.gc.runs.spentSince(windowStart))) {
      if (!outcome.exhausted) await announceExhausted(deps, ctx, signal);
      outcome.exhausted = true;
      skip('the total budget is spent: detected, not drafted');
      continue;
    }
    attempted += 1;
    ctx.progress({
      step: 'drafting',
      index: index + 1,
      count: ordered.length,
      message: `drafting for ${signal.type} (${signal.key})`,
    });
    const draft = await draftOne(
      ctx,
      deps,
      signal,
      (cost) => {
        spentThisRun = roundUsd(spentThisRun + cost);
        return store.gc.runs.update(ctx.runId, { spent_usd: spentThisRun });
      },
      outcome.errors,
    );
    if (draft === null) continue;
    outcome.drafts.push(draft);
    ctx.progress({
      step: 'replaying',
      index: index + 1,
      count: ordered.length,
      message: `replaying draft ${draft.id}`,
    });
    const replayed = await replayDraft(ctx, deps, draft, outcome.errors);
    outcome.drafts[outcome.drafts.length - 1] = replayed;
    if (settings.auto_adopt === 'rules-only' && replayed.artifacts.every((a) => isGenerated(a.path))) {
      await deps.autoAdopt(replayed).catch((error: unknown) => {
        outcome.errors.push(errorOf(signal, `auto-adoption of ${draft.id} failed: ${describeError(error)}`));
      });
    }
  }
  return outcome;
}

async function announceExhausted(deps: DraftingDeps, ctx: RunContext, signal: Signal): Promise<void> {
  await deps.event('gc.budget_exhausted', {
    run_id: ctx.runId,
    total_usd: deps.settings.total_budget_usd,
    window_hours: deps.settings.budget_window_hours,
    budget_per_signal_usd: deps.settings.budget_per_signal_usd,
    first_signal_not_drafted: signal.id,
  });
}

/** `.harness/generated/…`, with nothing that could climb out of it (adoption checks again). */
export function isGenerated(file: string): boolean {
  const parts = file.split(/[\\/]+/);
  return parts[0] === '.harness' && parts[1] === 'generated' && parts.length > 2 && !parts.includes('..');
}

async function draftOne(
  ctx: RunContext,
  deps: DraftingDeps,
  signal: Signal,
  spend: (cost: number) => Promise<void>,
  errors: GcRunError[],
): Promise<Draft | null> {
  let answer;
  try {
    answer = await deps.drafter.draft({
      prompt: draftPrompt(signal),
      root: ctx.project.root,
      budgetUsd: deps.settings.budget_per_signal_usd,
      signal: deps.abort,
    });
  } catch (error) {
    errors.push(errorOf(signal, `the drafting agent could not run: ${describeError(error)}`));
    return null;
  }
  await spend(answer.cost_usd);
  if (answer.error !== null) {
    errors.push(errorOf(signal, `the drafting agent failed (${answer.agent}): ${answer.error}`));
    return null;
  }
  const parsed = parseArtifacts(answer.text, signal.remediation);
  for (const dropped of parsed.dropped)
    errors.push(errorOf(signal, `artifact ${dropped.path} dropped: ${dropped.reason}`));
  if (parsed.artifacts.length === 0) {
    errors.push(
      errorOf(
        signal,
        `no draft: the agent's answer held no artifact (a fenced block with a path, or a unified diff)`,
      ),
    );
    return null;
  }
  const now = deps.clock.now();
  const draft: Draft = {
    id: newId('draft'),
    project: ctx.project.name,
    status: 'pending',
    signal,
    artifacts: parsed.artifacts,
    rationale: parsed.rationale,
    agent: answer.agent,
    model: answer.model,
    cost_usd: answer.cost_usd,
    replay: null,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + deps.settings.draft_ttl_hours * 3_600_000).toISOString(),
    decided_at: null,
    decided_by: null,
    reject_reason: null,
    task_id: null,
  };
  await deps.store.gc.drafts.insert(draft);
  await deps.event('gc.draft_created', {
    run_id: ctx.runId,
    draft_id: draft.id,
    signal_id: signal.id,
    artifacts: draft.artifacts.map((a) => ({ path: a.path, kind: a.kind })),
    agent: draft.agent,
    model: draft.model,
    cost_usd: draft.cost_usd,
  });
  return draft;
}

async function replayDraft(
  ctx: RunContext,
  deps: DraftingDeps,
  draft: Draft,
  errors: GcRunError[],
): Promise<Draft> {
  const replay = deps.ports.replay;
  if (replay === null) return draft;
  try {
    return (await deps.store.gc.drafts.setReplay(draft.id, await replay(draft, ctx.project))) ?? draft;
  } catch (error) {
    errors.push(errorOf(draft.signal, `replay of ${draft.id} failed: ${describeError(error)}`));
    return draft;
  }
}
