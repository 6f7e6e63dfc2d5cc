import { describe, expect, it } from 'vitest';
import type { Clock } from '../../core/index.js';
import { type NewEvent, SqliteStore } from '../../store/index.js';
import { maxBuckets } from './book.js';
import { detectSignals } from './detect.js';
import type { SignalThresholds } from './evaluate.js';

const thresholds: SignalThresholds = {
  repeated_warn_min: 3,
  chronic_block_min: 3,
  hot_file_edits_min: 3,
  slow_op_threshold_ms: 1000,
  slow_op_count_min: 3,
  escalation_ratio: 1.2,
  violation_min: 3,
  task_failure_min: 2,
  policy_denial_min: 2,
  validation_failure_min: 2,
  review_finding_min: 2,
  ci_failure_min: 2,
  changes_requested_min: 2,
};
const clock: Clock = { now: () => new Date('2026-12-01T12:00:00Z') };

/** A small deterministic generator, so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomEvents(random: () => number, count: number): NewEvent[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const makers: (() => Partial<NewEvent> & { kind: string })[] = [
    () => ({
      kind: 'hook',
      decision: pick(['warn', 'pass', 'pass', 'block']),
      reason: pick(['a', 'b']),
      tool: 'T',
    }),
    () => ({ kind: 'agent.file_change', data: { path: pick(['x.ts', 'y.ts']) } }),
    () => ({ kind: 'tool.used', tool: pick(['npm', 'go']), duration_ms: pick([10, 2000]) }),
    () => ({
      kind: 'rule.finding',
      tool: pick(['R1', 'R2']),
      decision: 'warn',
      data: { file: pick(['a', 'b']), full: true },
    }),
    () => ({ kind: 'rule.scan', data: { files: pick([null, ['a']]) } }),
    () => ({
      kind: 'task.finished',
      task_id: pick(['t1', 't2']),
      data: { state: 'failed', error: { code: pick(['x', 'y']) } },
    }),
    () => ({
      kind: 'agent.command_gate',
      decision: 'forbidden',
      reason: pick(['forbidden: `a`: no', 'forbidden: `b`: no']),
    }),
    () => ({ kind: 'github.check_failed', data: { check_name: pick(['ci', 'lint']) } }),
    () => ({ kind: 'other', project: 'api', decision: 'warn', reason: 'a' }),
  ];
  return Array.from({ length: count }, (_, i) => ({
    project: 'web',
    ...pick(makers)(),
    id: `evt_${i}`,
    ts: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 60_000).toISOString(),
  }));
}

async function signalsAfter(events: NewEvent[], splits: number[], pageSize: number) {
  const store = SqliteStore.open(':memory:');
  try {
    let at = 0;
    for (const split of [...splits, events.length]) {
      for (const event of events.slice(at, split)) await store.events.append(event);
      at = split;
      await detectSignals(store, 'web', thresholds, clock, { pageSize });
    }
    return {
      signals: await store.signals.list({ project: 'web' }),
      aggregates: await store.signals.aggregates('web'),
    };
  } finally {
    await store.close();
  }
}

describe('incremental detection', () => {
  it.each([1, 2, 3, 4, 5, 6])('equals one full pass however the stream is split (seed %i)', async (seed) => {
    const random = prng(seed);
    // Past maxBuckets decided events, so the warn-rate buckets are merged along the way.
    const events = randomEvents(random, maxBuckets * 4 + Math.floor(random() * 200));
    const splits = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
      Math.floor(random() * events.length),
    ).sort((a, b) => a - b);
    const full = await signalsAfter(events, [], 10_000);
    const split = await signalsAfter(events, splits, 1 + Math.floor(random() * 50));
    expect(full.signals.length).toBeGreaterThan(5);
    expect(split.signals).toEqual(full.signals);
    expect(split.aggregates).toEqual(full.aggregates);
  });
});
