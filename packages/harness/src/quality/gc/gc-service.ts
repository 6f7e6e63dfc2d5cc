import type { Draft, DraftStatus, GcRunReport, GcStatus } from '@harness/protocol';
import {
  type Clock,
  ErrorCodes,
  HarnessError,
  type Logger,
  describeError,
  loadProjectOverlay,
  newId,
} from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';
import type { GcRunRecord, Store } from '../../store/index.js';
import { budgetState } from './budget.js';
import type { Drafter } from './drafter.js';
import { adoptDraft, rejectDraft, type AdoptOutcome, type AdoptionDeps } from './gc-adoption.js';
import { draftSignals, type RunContext } from './gc-drafting.js';
import type { GcPorts, GcProgress, GcProject, GcSettings } from './gc-types.js';
import { isRunOwnerGone } from './run-owner.js';

/**
 * GC for one server: a run detects the project's signals (through the `signals` port), drafts
 * remediations for the strongest within the budgets, replays each draft (the `replay` port) and
 * records it all — a `gc_runs` row per run, the drafts, and an event per step. One run per
 * project at a time: an in-process lock, and a stored `running` row that a restarted server finds
 * and marks abandoned (`recover`).
 */

export interface GcServiceDeps {
  store: Store;
  events: EventLog;
  clock: Clock;
  logger: Logger;
  drafter: Drafter;
  settings: GcSettings;
  /** A project by name or root (the default project when undefined). */
  resolveProject: (ref: string | undefined) => Promise<GcProject>;
  ports: GcPorts;
  adoption: Omit<AdoptionDeps, 'store' | 'events' | 'clock' | 'settings' | 'ports'>;
  /** Who runs here (`host/pid/instance`), written on each run row. */
  owner: string;
  /** When the scheduler runs the project next; null when no scheduler runs. */
  nextRunAt?: (project: GcProject) => Promise<string | null>;
}

export interface RunOptions {
  /** What started it (`manual`, `schedule`, `after 10 finished tasks`), stored on the run. */
  trigger?: string;
  /** Called once the run is recorded as running. */
  onStarted?: (run: { run_id: string; project: string }) => void;
}

export class GcService {
  private readonly running = new Map<string, { progress: GcProgress | null }>();
  /** Aborted by `close`: a drafting turn in flight ends, and its run finishes with the error. */
  private readonly closing = new AbortController();

  constructor(private readonly deps: GcServiceDeps) {}

  close(): void {
    this.closing.abort();
  }

  isRunning(project: string): boolean {
    return this.running.has(project);
  }

  /** Marks runs left `running` by a server that is gone as abandoned; returns how many. */
  async recover(): Promise<number> {
    let abandoned = 0;
    for (const run of await this.deps.store.gc.runs.listRunning()) {
      if (await this.abandonIfGone(run)) abandoned += 1;
    }
    return abandoned;
  }

  private async abandonIfGone(run: GcRunRecord): Promise<boolean> {
    if (!isRunOwnerGone(run.owner, this.deps.owner)) return false;
    const abandoned = await this.deps.store.gc.runs.abandon(run.id, this.deps.clock.now().toISOString());
    if (abandoned)
      this.deps.logger.warn(
        { run_id: run.id, project: run.project },
        'GC run cut off by the last server marked abandoned',
      );
    return abandoned;
  }

  async run(ref: string | undefined, options: RunOptions = {}): Promise<GcRunReport> {
    const project = await this.deps.resolveProject(ref);
    if (this.running.has(project.name)) {
      throw new HarnessError(ErrorCodes.conflict, `GC is already running for project ${project.name}`);
    }
    const slot = { progress: null as GcProgress | null };
    this.running.set(project.name, slot);
    try {
      return await this.runLocked(project, options, (p) => (slot.progress = p));
    } finally {
      this.running.delete(project.name);
    }
  }

  /**
   * Starts a run and answers once it is recorded, without waiting for it to end (`gc/start`: a
   * run may outlast an HTTP request; `gc/status` follows it). Refusals (a run in flight) throw.
   */
  start(ref: string | undefined): Promise<{ run_id: string; project: string }> {
    return new Promise((resolve, reject) => {
      let started = false;
      this.run(ref, {
        trigger: 'manual',
        onStarted: (run) => {
          started = true;
          resolve(run);
        },
      }).catch((error: unknown) => {
        if (!started) reject(error);
        else this.deps.logger.warn({ err: describeError(error) }, 'GC run failed');
      });
    });
  }

  private async runLocked(
    project: GcProject,
    options: RunOptions,
    progress: (p: GcProgress) => void,
  ): Promise<GcRunReport> {
    const trigger = options.trigger ?? 'manual';
    const { store, clock } = this.deps;
    const startedAt = clock.now().toISOString();
    const runId = newId('gcrun');
    const record: GcRunRecord = {
      id: runId,
      project: project.name,
      status: 'running',
      trigger,
      owner: this.deps.owner,
      started_at: startedAt,
      finished_at: null,
      signals: 0,
      drafts: 0,
      spent_usd: 0,
      errors: [],
      budget_exhausted: false,
    };
    if (!(await store.gc.runs.start(record))) {
      const other = await store.gc.runs.running(project.name);
      // A run a crashed server left behind does not hold the project for ever.
      const recovered =
        other !== null && (await this.abandonIfGone(other)) && (await store.gc.runs.start(record));
      if (!recovered) {
        throw new HarnessError(
          ErrorCodes.conflict,
          `GC is already running for project ${project.name} (run ${other?.id ?? '?'} by ${other?.owner ?? '?'} since ${other?.started_at ?? '?'})`,
        );
      }
    }
    await this.event('gc.run_started', project, { run_id: runId, trigger });
    options.onStarted?.({ run_id: runId, project: project.name });
    try {
      const report = await this.runSteps({ project, runId, startedAt, progress });
      await store.gc.runs.update(runId, {
        status: 'finished',
        finished_at: report.finished_at,
        signals: report.signals.length,
        drafts: report.drafts.length,
        errors: report.errors.map((e) => e.message),
        budget_exhausted: report.budget.exhausted,
      });
      await this.event('gc.run_finished', project, {
        run_id: runId,
        run_spent_usd: (await store.gc.runs.get(runId))?.spent_usd ?? 0,
        signals: report.signals.length,
        drafts: report.drafts.map((d) => d.id),
        errors: report.errors.length,
        spent_usd: report.budget.spent_usd,
        budget_exhausted: report.budget.exhausted,
      });
      return report;
    } catch (error) {
      const message = describeError(error);
      await store.gc.runs.update(runId, {
        status: 'failed',
        finished_at: clock.now().toISOString(),
        errors: [message],
      });
      await this.event('gc.run_finished', project, { run_id: runId, failed: message });
      throw error;
    }
  }

  private async runSteps(ctx: Omit<RunContext, 'signals'>): Promise<GcRunReport> {
    const { store, clock } = this.deps;
    const { project } = ctx;
    ctx.progress({ step: 'expiring', index: 0, count: 0, message: 'expiring old drafts' });
    const expired = await store.gc.drafts.expire(clock.now().toISOString(), project.name);
    for (const draft of expired) {
      await this.event('gc.draft_expired', project, { run_id: ctx.runId, draft_id: draft.id });
    }
    ctx.progress({ step: 'detecting', index: 0, count: 0, message: 'detecting signals' });
    const signals = await this.deps.ports.signals(project);
    for (const signal of signals) {
      await this.event('gc.signal', project, {
        run_id: ctx.runId,
        signal_id: signal.id,
        type: signal.type,
        key: signal.key,
        strength: signal.strength,
        threshold: signal.threshold,
        event_count: signal.evidence.event_count,
        event_ids: signal.evidence.event_ids.slice(0, 10),
      });
    }
    const outcome = await draftSignals(
      { ...ctx, signals },
      {
        ...this.deps,
        abort: this.closing.signal,
        maxDrafts: this.maxDrafts(project),
        event: (kind, data) => this.event(kind, project, data),
        autoAdopt: (draft) =>
          this.adopt(draft.id, { by: 'gc (auto_adopt = rules-only)' }).then(() => undefined),
      },
    );
    return {
      run_id: ctx.runId,
      project: project.name,
      started_at: ctx.startedAt,
      finished_at: clock.now().toISOString(),
      signals,
      drafts: outcome.drafts,
      skipped: outcome.skipped,
      errors: outcome.errors,
      budget: {
        ...(await budgetState(store, this.deps.settings, clock.now())),
        exhausted: outcome.exhausted,
      },
      expired: expired.length,
    };
  }

  /** `[gc] max_drafts_per_run` of the project's overlay, else the server's. */
  private maxDrafts(project: GcProject): number {
    try {
      return loadProjectOverlay(project.root).gc.max_drafts_per_run ?? this.deps.settings.max_drafts_per_run;
    } catch (error) {
      throw new HarnessError(ErrorCodes.config, `project ${project.name}: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  async status(ref: string | undefined): Promise<GcStatus> {
    const { store, clock } = this.deps;
    const project = await this.deps.resolveProject(ref);
    const last = await store.gc.runs.last(project.name);
    const slot = this.running.get(project.name);
    const stored = await store.gc.runs.running(project.name);
    return {
      project: project.name,
      drafts: await store.gc.drafts.counts(project.name),
      running: slot !== undefined || stored !== null,
      progress: slot?.progress ?? null,
      last_run: last === null ? null : (({ owner: _owner, ...run }) => run)(last),
      next_run_at: (await this.deps.nextRunAt?.(project)) ?? null,
      budget: await budgetState(store, this.deps.settings, clock.now()),
    };
  }

  async drafts(params: {
    project?: string;
    status?: DraftStatus;
    draft_id?: string;
    limit: number;
  }): Promise<Draft[]> {
    if (params.draft_id !== undefined) return [await this.requireDraft(params.draft_id)];
    const project =
      params.project === undefined ? undefined : (await this.deps.resolveProject(params.project)).name;
    return this.deps.store.gc.drafts.list({
      ...(project === undefined ? {} : { project }),
      ...(params.status === undefined ? {} : { status: params.status }),
      limit: params.limit,
    });
  }

  async adopt(draftId: string, who: { by: string }): Promise<AdoptOutcome> {
    const draft = await this.requireDraft(draftId);
    const project = await this.deps.resolveProject(draft.project);
    const outcome = await adoptDraft(this.adoptionDeps(), draft, project, who.by);
    await this.event('gc.draft_adopted', project, {
      draft_id: draft.id,
      by: who.by,
      written: outcome.written,
      branch: outcome.branch,
      task_id: outcome.draft.task_id,
    });
    return outcome;
  }

  async reject(draftId: string, who: { by: string; reason: string }): Promise<Draft> {
    const draft = await this.requireDraft(draftId);
    const rejected = await rejectDraft(this.adoptionDeps(), draft, who.by, who.reason);
    await this.event(
      'gc.draft_rejected',
      { name: draft.project },
      { draft_id: draft.id, by: who.by, reason: who.reason },
    );
    return rejected;
  }

  private adoptionDeps(): AdoptionDeps {
    const { store, events, clock, settings, ports, adoption } = this.deps;
    return { ...adoption, store, events, clock, settings, ports };
  }

  private async requireDraft(id: string): Promise<Draft> {
    const draft = await this.deps.store.gc.drafts.get(id);
    if (draft === null) throw new HarnessError(ErrorCodes.notFound, `draft not found: ${id}`);
    return draft;
  }

  /** GC's events belong to the project they concern (and say it in their data too, for readers of the payload). */
  private async event(
    kind: string,
    project: Pick<GcProject, 'name'>,
    data: Record<string, unknown>,
  ): Promise<void> {
    try {
      await this.deps.events.append({
        kind,
        project: project.name,
        data: { project: project.name, ...data },
      });
    } catch (error) {
      this.deps.logger.error({ err: error, kind }, 'GC event not recorded');
    }
  }
}
