import type { Event, Signal } from '@harness/protocol';
import { isRecord, type Clock } from '../../core/index.js';
import type { Store } from '../../store/index.js';
import { AggregateBook } from './book.js';
import { type ClassifySettings, classify, reviewContributions } from './classify.js';
import { type SignalThresholds, evaluate } from './evaluate.js';

/** Events read per page: bounded memory on a million events, few round trips. */
export const detectionPageSize = 5000;

export interface DetectOptions {
  pageSize?: number;
}

/** The pass under way per store and project, so passes over one project queue up. */
const running = new WeakMap<Store, Map<string, Promise<unknown>>>();

/**
 * Detects a project's signals incrementally: reads only the events after the project's checkpoint
 * (by the `(project, seq)` index, in pages), folds them into the stored aggregates, and stores the
 * new checkpoint, the changed aggregates and the resulting signals in one transaction. A change
 * of the settings the aggregates depend on (the slow-operation threshold) recounts from the start.
 * Passes over one project of one store run one after another in this process, never interleaved.
 */
export async function detectSignals(
  store: Store,
  project: string,
  thresholds: SignalThresholds,
  clock: Clock,
  options: DetectOptions = {},
): Promise<Signal[]> {
  let passes = running.get(store);
  if (passes === undefined) running.set(store, (passes = new Map()));
  const previous = passes.get(project) ?? Promise.resolve();
  const pass = previous
    .catch(() => undefined)
    .then(() => detectPass(store, project, thresholds, clock, options));
  passes.set(project, pass);
  try {
    return await pass;
  } finally {
    if (passes.get(project) === pass) passes.delete(project);
  }
}

async function detectPass(
  store: Store,
  project: string,
  thresholds: SignalThresholds,
  clock: Clock,
  options: DetectOptions,
): Promise<Signal[]> {
  const settings: ClassifySettings = { slowOpMs: thresholds.slow_op_threshold_ms };
  const settingsKey = JSON.stringify(settings);
  const checkpoint = await store.signals.checkpoint(project);
  const reset = checkpoint !== null && checkpoint.settings !== settingsKey;
  const fromSeq = checkpoint === null || reset ? 0 : checkpoint.last_seq;
  const book = new AggregateBook(reset ? [] : await store.signals.aggregates(project));
  const lastSeq = await fold(store, project, fromSeq, book, settings, options.pageSize ?? detectionPageSize);
  const now = clock.now().toISOString();
  const signals = evaluate(project, book.all(), thresholds, now);
  await store.signals.save(
    { project, last_seq: lastSeq, settings: settingsKey, updated_at: now },
    book.changedAggregates(),
    signals,
    reset,
  );
  return signals;
}

/** Folds the project's events after `fromSeq` into `book`; returns the last seq read. */
async function fold(
  store: Store,
  project: string,
  fromSeq: number,
  book: AggregateBook,
  settings: ClassifySettings,
  pageSize: number,
): Promise<number> {
  let lastSeq = fromSeq;
  const reviews = new ReviewLookup(store);
  for (;;) {
    const page = await store.events.query({ project, after_seq: lastSeq, order: 'asc', limit: pageSize });
    for (const event of page) {
      // Open violations are those of the latest scan of the whole project: a new one starts the
      // count again, so scanning the same tree twice does not double it (its findings follow it).
      if (isFullScan(event)) book.clear('linter_violations');
      for (const contribution of classify(event, settings)) book.add(event, contribution);
      if (event.decision !== null)
        book.addDecision(event, event.decision === 'warn' || event.decision === 'prompt');
      if (event.kind === 'task.review')
        for (const contribution of reviewContributions(await reviews.findings(event)))
          book.add(event, contribution);
    }
    if (page.length > 0) lastSeq = (page.at(-1) as Event).seq;
    if (page.length < pageSize) return lastSeq;
  }
}

function isFullScan(event: Event): boolean {
  return event.kind === 'rule.scan' && isRecord(event.data) && event.data.files === null;
}

/**
 * A `task.review` event carries only the count of findings; what they say is on the task's
 * stored round, read once per task.
 */
class ReviewLookup {
  private readonly tasks = new Map<string, Awaited<ReturnType<Store['tasks']['get']>>>();

  constructor(private readonly store: Store) {}

  async findings(event: Event): Promise<{ file: string; message: string }[]> {
    const data = event.data as { round?: unknown; findings?: unknown } | null;
    if (event.task_id === null || typeof data?.round !== 'number' || data.findings === 0) return [];
    if (!this.tasks.has(event.task_id))
      this.tasks.set(event.task_id, await this.store.tasks.get(event.task_id));
    const round = this.tasks.get(event.task_id)?.rounds.find((r) => r.round === data.round);
    return round?.findings ?? [];
  }
}
