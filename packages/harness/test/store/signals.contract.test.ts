import { describe, expect, it } from 'vitest';
import type { Signal } from '@harness/protocol';
import type { SignalAggregate, SignalCheckpoint } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { at, minutesAfter } from './fixtures.js';

const checkpoint = (project: string, lastSeq: number, settings = 'slow=1000'): SignalCheckpoint => ({
  project,
  last_seq: lastSeq,
  settings,
  updated_at: minutesAfter(lastSeq),
});

const aggregate = (type: SignalAggregate['type'], key: string, count: number): SignalAggregate => ({
  type,
  key,
  count,
  event_ids: ['e1', 'e2'],
  files: ['src/a.ts', 'ü.ts'],
  task_ids: ['t1'],
  first_seen: at,
  last_seen: minutesAfter(count),
  extra: { buckets: [1, 0, 2], nested: { ratio: 0.5 } },
});

const signal = (id: string, project: string, strength: number): Signal => ({
  id,
  project,
  type: 'chronic_block',
  key: `rule-${id}`,
  strength,
  threshold: 3,
  remediation: 'policy_rule',
  summary: `blocked ${strength} times`,
  details: { command: 'rm -rf /', list: [1, 2] },
  evidence: {
    event_ids: ['e1'],
    event_count: strength,
    files: [],
    task_ids: ['t1'],
    first_seen: at,
    last_seen: null,
  },
  detected_at: at,
});

describe.each(backends)('signals ($name)', (backend) => {
  const db = useStore(backend);

  it('saves a checkpoint, aggregates and signals together, and reads each back whole', async () => {
    expect(await db.store.signals.checkpoint('app')).toBeNull();
    expect(await db.store.signals.aggregates('app')).toEqual([]);
    const aggregates = [
      aggregate('repeated_warn', 'b', 4),
      aggregate('chronic_block', 'z', 2),
      aggregate('repeated_warn', 'a', 1),
    ];
    await db.store.signals.save(checkpoint('app', 10), aggregates, [signal('s1', 'app', 4)], false);
    expect(await db.store.signals.checkpoint('app')).toEqual(checkpoint('app', 10));
    // By type, then key.
    expect(await db.store.signals.aggregates('app')).toEqual([aggregates[1], aggregates[2], aggregates[0]]);
    expect(await db.store.signals.list({ project: 'app' })).toEqual([signal('s1', 'app', 4)]);
  });

  it('updates changed aggregates, keeps the others, and replaces the signal set', async () => {
    await db.store.signals.save(
      checkpoint('app', 10),
      [aggregate('repeated_warn', 'a', 1), aggregate('repeated_warn', 'b', 1)],
      [signal('s1', 'app', 4), signal('s2', 'app', 5)],
      false,
    );
    await db.store.signals.save(
      checkpoint('app', 20, 'slow=2000'),
      [aggregate('repeated_warn', 'a', 7)],
      [signal('s3', 'app', 1)],
      false,
    );
    expect(await db.store.signals.checkpoint('app')).toEqual(checkpoint('app', 20, 'slow=2000'));
    expect((await db.store.signals.aggregates('app')).map((a) => [a.key, a.count])).toEqual([
      ['a', 7],
      ['b', 1],
    ]);
    expect((await db.store.signals.list({ project: 'app' })).map((s) => s.id)).toEqual(['s3']);
  });

  it("drops a project's aggregates first on a reset, and only that project's", async () => {
    await db.store.signals.save(checkpoint('app', 10), [aggregate('hot_files', 'a', 1)], [], false);
    await db.store.signals.save(
      checkpoint('web', 10),
      [aggregate('hot_files', 'w', 1)],
      [signal('w1', 'web', 2)],
      false,
    );
    await db.store.signals.save(checkpoint('app', 30), [aggregate('hot_files', 'c', 2)], [], true);
    expect((await db.store.signals.aggregates('app')).map((a) => a.key)).toEqual(['c']);
    expect((await db.store.signals.aggregates('web')).map((a) => a.key)).toEqual(['w']);
    expect((await db.store.signals.list({ project: 'web' })).map((s) => s.id)).toEqual(['w1']);
    expect(await db.store.signals.checkpoint('web')).toEqual(checkpoint('web', 10));
  });

  it('lists the latest signals strongest first, then by id, of one project or all', async () => {
    await db.store.signals.save(
      checkpoint('app', 1),
      [],
      [signal('b', 'app', 3), signal('a', 'app', 3), signal('c', 'app', 9)],
      false,
    );
    await db.store.signals.save(checkpoint('web', 1), [], [signal('w', 'web', 4.5)], false);
    expect((await db.store.signals.list({})).map((s) => s.id)).toEqual(['c', 'w', 'a', 'b']);
    expect((await db.store.signals.list({ project: 'app' })).map((s) => s.id)).toEqual(['c', 'a', 'b']);
    expect(await db.store.signals.list({ project: 'none' })).toEqual([]);
  });
});
