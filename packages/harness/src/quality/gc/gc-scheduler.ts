import type { Grade } from '@harness/protocol';
import { type Clock, type Logger, describeError } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import type { GcService } from './gc-service.js';
import type { GcProject, GradeOf } from './gc-types.js';

/**
 * Runs GC per project on its grade's interval (A every 7 days, B 3, C 1, D every hour) after its
 * last stored run, and once `gc.run_after_tasks` tasks of the project finished since that run
 * started — both read from the store, so the schedule survives restarts. Never two runs of one
 * project at once: GcService's lock and its stored `running` row refuse the second, and the
 * scheduler does not even ask while one runs.
 */

const hour = 3_600_000;
export const gradeIntervalMs: Record<Grade, number> = {
  A: 7 * 24 * hour,
  B: 3 * 24 * hour,
  C: 24 * hour,
  D: hour,
};
/** A project whose grade is not known yet is run as often as a C. */
const unknownGrade: Grade = 'C';

export interface GcSchedulerDeps {
  gc: GcService;
  store: Store;
  clock: Clock;
  logger: Logger;
  projects: () => Promise<GcProject[]>;
  grade: GradeOf;
  /** 0 turns the task trigger off. */
  runAfterTasks: number;
  /** How often due projects are looked for. */
  tickMs?: number;
}

export class GcScheduler {
  private timer: NodeJS.Timeout | undefined;
  /** The runs this scheduler started, by project. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private stopped = false;

  private readonly createdAt: Date;

  constructor(private readonly deps: GcSchedulerDeps) {
    this.createdAt = deps.clock.now();
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.deps.tickMs ?? 60_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /**
   * When `project` is due: its grade's interval after its last run's start, or — when it never
   * ran — after this scheduler started, so a new server does not set to work on every project at
   * once (`gc.run_after_tasks` and `gc/run` start one sooner).
   */
  async nextRunAt(project: GcProject): Promise<string> {
    const last = await this.deps.store.gc.runs.last(project.name);
    const grade = (await this.deps.grade(project).catch(() => null)) ?? unknownGrade;
    const from = last === null ? this.createdAt.getTime() : Date.parse(last.started_at);
    return new Date(from + gradeIntervalMs[grade]).toISOString();
  }

  /** Runs every due project that is not running already; resolves when those runs are over. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    let projects: GcProject[];
    try {
      projects = await this.deps.projects();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'GC scheduler: listing projects failed');
      return;
    }
    const runs: Promise<void>[] = [];
    for (const project of projects) {
      if (this.busy(project)) continue;
      const due = Date.parse(await this.nextRunAt(project)) <= this.deps.clock.now().getTime();
      if (due && !this.busy(project)) runs.push(this.launch(project, 'schedule'));
    }
    await Promise.all(runs);
  }

  /**
   * A task of `project` finished: starts a run once `run_after_tasks` of its tasks finished since
   * its last run started (counted in the store, so a restart loses no count).
   */
  async taskFinished(project: GcProject): Promise<void> {
    const every = this.deps.runAfterTasks;
    if (every <= 0 || this.stopped || this.busy(project)) return;
    const last = await this.deps.store.gc.runs.last(project.name);
    const finished = await this.deps.store.tasks.countFinishedSince(project.name, last?.started_at ?? '');
    if (finished < every || this.busy(project)) return;
    await this.launch(project, `after ${finished} finished tasks`);
  }

  private busy(project: GcProject): boolean {
    return this.inFlight.has(project.name) || this.deps.gc.isRunning(project.name);
  }

  private launch(project: GcProject, trigger: string): Promise<void> {
    const run = this.deps.gc
      .run(project.name, { trigger })
      .then(
        (report) =>
          this.deps.logger.info(
            { project: project.name, trigger, signals: report.signals.length, drafts: report.drafts.length },
            'GC run finished',
          ),
        (error: unknown) =>
          this.deps.logger.warn(
            { project: project.name, trigger, err: describeError(error) },
            'GC run failed',
          ),
      )
      .finally(() => this.inFlight.delete(project.name));
    this.inFlight.set(project.name, run);
    return run;
  }
}
