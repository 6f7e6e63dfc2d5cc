import type { Event, SignalType } from '@harness/protocol';
import type { SignalAggregate } from '../../store/index.js';
import type { Contribution } from './classify.js';

/** Evidence kept per (type, key): the oldest event ids, distinct files and tasks. */
export const evidenceLimit = 50;
/** warn_escalation's buckets: at most this many, merged pairwise (bucket size doubled) past it. */
export const maxBuckets = 256;

/** The warn-rate history of a project: per bucket of `size` consecutive decided events. */
export interface EscalationBuckets {
  size: number;
  total: number[];
  warn: number[];
}

const escalationKey = 'all';
/** A group's key (a reason, a command …) is cut to this: enough to tell, bounded to store. */
export const maxKeyLength = 300;

/**
 * The running aggregates of one project, loaded from the store, advanced event by event, and
 * written back (only the ones that changed). Its state after N events depends only on those N
 * events, never on how many passes they were read in.
 */
export class AggregateBook {
  private readonly byGroup = new Map<string, SignalAggregate>();
  private readonly changed = new Set<string>();

  constructor(stored: readonly SignalAggregate[]) {
    for (const aggregate of stored) this.byGroup.set(groupId(aggregate.type, aggregate.key), aggregate);
  }

  add(event: Event, contribution: Contribution): void {
    const aggregate = this.group(contribution.type, contribution.key.slice(0, maxKeyLength));
    note(aggregate, event, contribution.file);
  }

  /** Every event with a decision feeds the warn-rate buckets; warn evidence is the warn events. */
  addDecision(event: Event, warned: boolean): void {
    const aggregate = this.group('warn_escalation', escalationKey);
    const buckets = escalationBuckets(aggregate);
    const ordinal = aggregate.count;
    aggregate.count += 1;
    aggregate.first_seen ??= event.ts;
    aggregate.last_seen = event.ts;
    const index = Math.floor(ordinal / buckets.size);
    buckets.total[index] = (buckets.total[index] ?? 0) + 1;
    buckets.warn[index] = (buckets.warn[index] ?? 0) + (warned ? 1 : 0);
    if (buckets.total.length > maxBuckets) mergePairs(buckets);
    if (warned) {
      if (aggregate.event_ids.length < evidenceLimit) aggregate.event_ids.push(event.id);
      addBounded(aggregate.task_ids, event.task_id);
    }
  }

  /** Empties every aggregate of one type (kept, with a zero count, so the store sees the change). */
  clear(type: SignalType): void {
    for (const [id, aggregate] of this.byGroup) {
      if (aggregate.type !== type) continue;
      Object.assign(aggregate, {
        count: 0,
        event_ids: [],
        files: [],
        task_ids: [],
        first_seen: null,
        last_seen: null,
      });
      aggregate.extra = {};
      this.changed.add(id);
    }
  }

  all(): SignalAggregate[] {
    return [...this.byGroup.values()];
  }

  changedAggregates(): SignalAggregate[] {
    return [...this.changed].map((id) => this.byGroup.get(id) as SignalAggregate);
  }

  private group(type: SignalType, key: string): SignalAggregate {
    const id = groupId(type, key);
    this.changed.add(id);
    let aggregate = this.byGroup.get(id);
    if (aggregate === undefined) {
      aggregate = {
        type,
        key,
        count: 0,
        event_ids: [],
        files: [],
        task_ids: [],
        first_seen: null,
        last_seen: null,
        extra: {},
      };
      this.byGroup.set(id, aggregate);
    }
    return aggregate;
  }
}

function groupId(type: string, key: string): string {
  return `${type}\u0000${key}`;
}

function note(aggregate: SignalAggregate, event: Event, file: string | undefined): void {
  aggregate.count += 1;
  if (aggregate.event_ids.length < evidenceLimit) aggregate.event_ids.push(event.id);
  addBounded(aggregate.files, file ?? null);
  addBounded(aggregate.task_ids, event.task_id);
  aggregate.first_seen ??= event.ts;
  aggregate.last_seen = event.ts;
}

function addBounded(list: string[], value: string | null): void {
  if (value === null || list.length >= evidenceLimit || list.includes(value)) return;
  list.push(value);
}

export function escalationBuckets(aggregate: SignalAggregate): EscalationBuckets {
  const extra = aggregate.extra as { buckets?: EscalationBuckets };
  extra.buckets ??= { size: 1, total: [], warn: [] };
  return extra.buckets;
}

/** Doubles the bucket size: what a fresh count with the doubled size would hold. */
function mergePairs(buckets: EscalationBuckets): void {
  const merge = (values: number[]): number[] =>
    Array.from(
      { length: Math.ceil(values.length / 2) },
      (_, i) => (values[2 * i] ?? 0) + (values[2 * i + 1] ?? 0),
    );
  buckets.size *= 2;
  buckets.total = merge(buckets.total);
  buckets.warn = merge(buckets.warn);
}

/**
 * The warn rates of the first and second half of the decided events, in order. A bucket that
 * straddles the middle is shared in proportion; with fewer events than buckets it is exact.
 */
export function halfRates(buckets: EscalationBuckets, count: number): { first: number; second: number } {
  const half = Math.floor(count / 2);
  let firstTotal = 0;
  let firstWarn = 0;
  let warnAll = 0;
  buckets.total.forEach((total, i) => {
    const warn = buckets.warn[i] ?? 0;
    warnAll += warn;
    const start = i * buckets.size;
    const inFirst = Math.max(0, Math.min(total, half - start));
    firstTotal += inFirst;
    firstWarn += total === 0 ? 0 : (warn * inFirst) / total;
  });
  const secondTotal = count - firstTotal;
  return {
    first: firstTotal === 0 ? 0 : firstWarn / firstTotal,
    second: secondTotal === 0 ? 0 : (warnAll - firstWarn) / secondTotal,
  };
}
