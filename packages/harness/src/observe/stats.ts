import type { MethodResult } from '@harness/protocol';
import type { Clock } from '../core/index.js';
import type { EventScope, Store } from '../store/index.js';
import { gradeQuality, slowOperationMs } from './quality.js';

export type StatsReport = MethodResult<'stats/query'>;

export interface StatsQuery {
  since?: string;
  until?: string;
  /** Only this project's events. */
  project?: string;
  /** Open rule violations for the grade (the latest full scan's findings); 0 when unknown. */
  violations?: number;
}

const weekMs = 7 * 86_400_000;
const trendWeeks = 4;
/** Kind-and-tool groups reported; the rest are the long tail. */
const toolGroups = 100;
const ruleGroups = 1000;
const rate = (part: number, total: number): number =>
  total === 0 ? 0 : Math.round((part / total) * 1000) / 1000;

/**
 * Aggregates events, threads and turns over a time range (optionally of one project), with the
 * quality grade, weekly trends, and per-rule and per-kind-and-tool statistics.
 */
export async function queryStats(store: Store, clock: Clock, query: StatsQuery): Promise<StatsReport> {
  const scope: EventScope = { since: query.since, until: query.until, project: query.project };
  const violations = query.violations ?? 0;
  const aggregate = await store.events.aggregate(scope, slowOperationMs);
  const [threadCounts, turnCounts] = await Promise.all([store.threads.counts(), store.turns.counts()]);
  const periods = trendPeriods(clock, query.until);
  return {
    since: query.since ?? null,
    until: query.until ?? null,
    project: query.project ?? null,
    events: { total: aggregate.total, by_decision: aggregate.by_decision },
    by_kind: aggregate.by_kind.map((k) => ({ kind: k.kind, total: k.total, ...rates(k) })),
    trends: await weeklyTrends(store, scope, periods),
    threads: { total: sum(threadCounts), by_status: threadCounts },
    turns: { total: sum(turnCounts), by_status: turnCounts },
    quality: gradeQuality({ ...aggregate, violations }),
    rule_stats: (await store.events.toolCounts({ ...scope, kinds: ['rule.finding'] }, ruleGroups)).map(
      (r) => ({
        rule_id: r.tool ?? 'unknown',
        total: r.total,
        block: r.block,
        warn: r.warn,
        pass: r.pass,
        last_seen: r.last_seen,
      }),
    ),
    tool_stats: (await store.events.toolCounts(scope, toolGroups)).map((r) => ({
      kind: r.kind,
      tool: r.tool,
      total: r.total,
      ...rates(r),
    })),
    rule_trends: await ruleTrends(store, scope, periods),
  };
}

function rates(counts: { total: number; pass: number; warn: number; block: number }) {
  return {
    pass_rate: rate(counts.pass, counts.total),
    warn_rate: rate(counts.warn, counts.total),
    block_rate: rate(counts.block, counts.total),
  };
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** The last four 7-day periods ending at `until` (or now), oldest first. */
function trendPeriods(clock: Clock, until: string | undefined): { since: string; until: string }[] {
  const end = until ? Date.parse(until) : clock.now().getTime();
  const periods: { since: string; until: string }[] = [];
  for (let week = trendWeeks; week >= 1; week--) {
    periods.push({
      since: new Date(end - week * weekMs).toISOString(),
      until: new Date(end - (week - 1) * weekMs).toISOString(),
    });
  }
  return periods;
}

async function weeklyTrends(
  store: Store,
  scope: EventScope,
  periods: readonly { since: string; until: string }[],
): Promise<StatsReport['trends']> {
  const trends: StatsReport['trends'] = [];
  for (const period of periods) {
    const aggregate = await store.events.aggregate({ project: scope.project, ...period }, slowOperationMs);
    const pass = aggregate.by_kind.reduce((total, k) => total + k.pass, 0);
    trends.push({
      period_start: period.since,
      total: aggregate.total,
      pass_rate: rate(pass, aggregate.total),
      // A past period's open violations are not known; its grade is of its events alone.
      grade: gradeQuality({ ...aggregate, violations: 0 }).grade,
    });
  }
  return trends;
}

/** Findings per rule in each period, oldest period first, most frequent rule first within one. */
async function ruleTrends(
  store: Store,
  scope: EventScope,
  periods: readonly { since: string; until: string }[],
): Promise<StatsReport['rule_trends']> {
  const trends: StatsReport['rule_trends'] = [];
  for (const period of periods) {
    const counts = await store.events.toolCounts(
      { project: scope.project, kinds: ['rule.finding'], ...period },
      ruleGroups,
    );
    for (const c of counts)
      trends.push({ period_start: period.since, rule_id: c.tool ?? 'unknown', count: c.total });
  }
  return trends;
}
