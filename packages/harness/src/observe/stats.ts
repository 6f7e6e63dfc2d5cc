import type { MethodResult } from '@harness/protocol';
import type { Clock } from '../core/index.js';
import type { Store } from '../store/index.js';
import { gradeQuality, slowOperationMs } from './quality.js';

export type StatsReport = MethodResult<'stats/query'>;

const weekMs = 7 * 86_400_000;
const trendWeeks = 4;
const rate = (part: number, total: number): number =>
  total === 0 ? 0 : Math.round((part / total) * 1000) / 1000;

/** Aggregates events, threads and turns over a time range, with the quality grade and weekly trends. */
export async function queryStats(
  store: Store,
  clock: Clock,
  range: { since?: string; until?: string },
): Promise<StatsReport> {
  const aggregate = await store.events.aggregate(range, slowOperationMs);
  const [threadCounts, turnCounts] = await Promise.all([store.threads.counts(), store.turns.counts()]);
  return {
    since: range.since ?? null,
    until: range.until ?? null,
    events: { total: aggregate.total, by_decision: aggregate.by_decision },
    by_kind: aggregate.by_kind.map((k) => ({
      kind: k.kind,
      total: k.total,
      pass_rate: rate(k.pass, k.total),
      warn_rate: rate(k.warn, k.total),
      block_rate: rate(k.block, k.total),
    })),
    trends: await weeklyTrends(store, clock, range.until),
    threads: { total: sum(threadCounts), by_status: threadCounts },
    turns: { total: sum(turnCounts), by_status: turnCounts },
    quality: gradeQuality({ ...aggregate, violations: 0 }),
  };
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The last four 7-day periods ending at `until` (or now), oldest first. */
async function weeklyTrends(
  store: Store,
  clock: Clock,
  until: string | undefined,
): Promise<StatsReport['trends']> {
  const end = until ? Date.parse(until) : clock.now().getTime();
  const periods: StatsReport['trends'] = [];
  for (let week = trendWeeks; week >= 1; week--) {
    const since = new Date(end - week * weekMs).toISOString();
    const periodEnd = new Date(end - (week - 1) * weekMs).toISOString();
    const aggregate = await store.events.aggregate({ since, until: periodEnd }, slowOperationMs);
    const pass = aggregate.by_kind.reduce((total, k) => total + k.pass, 0);
    periods.push({
      period_start: since,
      total: aggregate.total,
      pass_rate: rate(pass, aggregate.total),
      grade: gradeQuality({ ...aggregate, violations: 0 }).grade,
    });
  }
  return periods;
}
