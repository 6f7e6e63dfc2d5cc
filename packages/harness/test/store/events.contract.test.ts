import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { at, minutesAfter, storedTask } from './fixtures.js';

const event = (id: string, minute: number, fields: Partial<NewEvent> = {}): NewEvent => ({
  id,
  ts: minutesAfter(minute),
  kind: 'note',
  ...fields,
});

describe.each(backends)('events ($name)', (backend) => {
  const db = useStore(backend);
  const append = async (...events: NewEvent[]) => {
    for (const each of events) await db.store.events.append(each);
  };
  const ids = async (filter: Partial<Parameters<typeof db.store.events.query>[0]> = {}) =>
    (await db.store.events.query({ limit: 100, order: 'asc', ...filter })).map((e) => e.id);

  it('stores an event whole with a seq, JSON data and a fractional duration included', async () => {
    const { event: stored, duplicate } = await db.store.events.append({
      id: 'e1',
      ts: at,
      kind: 'agent.command',
      thread_id: 'th',
      turn_id: 'tu',
      task_id: 'ta',
      session_id: 'se',
      tool: 'Bash',
      decision: 'warn',
      reason: 'why — ✓',
      duration_ms: 12.5,
      data: { list: [1, 'a', null, { b: false }], n: 1.25 },
      project: 'app',
    });
    expect(duplicate).toBe(false);
    expect(stored).toEqual({
      seq: expect.any(Number),
      id: 'e1',
      ts: at,
      kind: 'agent.command',
      thread_id: 'th',
      turn_id: 'tu',
      task_id: 'ta',
      session_id: 'se',
      tool: 'Bash',
      decision: 'warn',
      reason: 'why — ✓',
      duration_ms: 12.5,
      data: { list: [1, 'a', null, { b: false }], n: 1.25 },
      project: 'app',
    });
    expect(await db.store.events.query({ limit: 1, order: 'asc' })).toEqual([stored]);
  });

  it('fills what a writer left out with null, and keeps data that is a bare value', async () => {
    const bare = await db.store.events.append({ id: 'e1', ts: at, kind: 'note' });
    expect(bare.event).toMatchObject({
      thread_id: null,
      tool: null,
      decision: null,
      data: null,
      project: null,
    });
    expect((await db.store.events.append({ id: 'e2', ts: at, kind: 'note', data: 'text' })).event.data).toBe(
      'text',
    );
    expect((await db.store.events.append({ id: 'e3', ts: at, kind: 'note', data: [7] })).event.data).toEqual([
      7,
    ]);
  });

  it("files a task's event under the task's project unless the writer names one", async () => {
    await storedTask(db.store, 'task1', 'queued', { project: 'web' });
    expect((await db.store.events.append(event('e1', 0, { task_id: 'task1' }))).event.project).toBe('web');
    expect(
      (await db.store.events.append(event('e2', 0, { task_id: 'task1', project: 'api' }))).event.project,
    ).toBe('api');
    expect((await db.store.events.append(event('e3', 0, { task_id: 'gone' }))).event.project).toBeNull();
  });

  it('stores an id once: a second append returns the stored event, marked duplicate', async () => {
    const first = await db.store.events.append(event('same', 0, { kind: 'a', data: { v: 1 } }));
    const again = await db.store.events.append(event('same', 5, { kind: 'b', data: { v: 2 } }));
    expect(again).toEqual({ event: first.event, duplicate: true });
    expect(await ids()).toEqual(['same']);
  });

  it('hands out strictly increasing seqs and reads after a seq in either order', async () => {
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push((await db.store.events.append(event(`e${i}`, i))).event.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    expect(await ids({ after_seq: seqs[1] })).toEqual(['e2', 'e3', 'e4']);
    expect(await ids({ after_seq: seqs[3], order: 'desc' })).toEqual(['e2', 'e1', 'e0']);
    expect(await ids({ order: 'desc', limit: 2 })).toEqual(['e4', 'e3']);
    expect(await ids({ after_seq: seqs[1], limit: 2 })).toEqual(['e2', 'e3']);
  });

  it('filters by every field of the filter, together', async () => {
    await append(
      event('a', 1, {
        project: 'app',
        thread_id: 't1',
        turn_id: 'u1',
        kind: 'agent.command',
        decision: 'pass',
      }),
      event('b', 2, {
        project: 'app',
        task_id: 'k1',
        session_id: 's1',
        kind: 'rule.finding',
        decision: 'block',
      }),
      event('c', 3, { project: 'web', thread_id: 't1', kind: 'agent.command', decision: 'block' }),
      event('d', 4, { kind: 'note' }),
    );
    expect(await ids({ project: 'app' })).toEqual(['a', 'b']);
    expect(await ids({ thread_id: 't1' })).toEqual(['a', 'c']);
    expect(await ids({ turn_id: 'u1' })).toEqual(['a']);
    expect(await ids({ task_id: 'k1' })).toEqual(['b']);
    expect(await ids({ session_id: 's1' })).toEqual(['b']);
    expect(await ids({ kinds: ['agent.command', 'note'] })).toEqual(['a', 'c', 'd']);
    expect(await ids({ kinds: [] })).toEqual(['a', 'b', 'c', 'd']);
    expect(await ids({ decision: 'block' })).toEqual(['b', 'c']);
    expect(await ids({ since: minutesAfter(2), until: minutesAfter(3) })).toEqual(['b', 'c']);
    expect(await ids({ thread_id: 't1', decision: 'block' })).toEqual(['c']);
    expect(await ids({ project: 'nowhere' })).toEqual([]);
  });

  it('aggregates a scope: totals, decisions, kinds, security blocks, instability and slow events', async () => {
    await append(
      event('a', 1, { kind: 'agent.command', decision: 'pass', duration_ms: 10 }),
      event('b', 2, { kind: 'agent.command', decision: 'allow', duration_ms: 5000 }),
      event('c', 3, { kind: 'agent.command_gate', decision: 'forbidden' }),
      event('d', 4, { kind: 'policy.check', decision: 'block', project: 'app' }),
      event('e', 5, { kind: 'hook', tool: 'security-scan', decision: 'gate' }),
      event('f', 6, { kind: 'hook', decision: 'warn' }),
      event('g', 7, { kind: 'hook', decision: 'escalate' }),
      event('h', 8, { kind: 'note' }),
      event('old', -60, { kind: 'note', decision: 'block' }),
    );
    const all = await db.store.events.aggregate({ since: at }, 1000);
    expect(all).toEqual({
      total: 8,
      by_decision: { pass: 1, allow: 1, forbidden: 1, block: 1, gate: 1, warn: 1, escalate: 1, none: 1 },
      by_kind: [
        { kind: 'hook', total: 3, pass: 0, warn: 1, block: 1 },
        { kind: 'agent.command', total: 2, pass: 2, warn: 0, block: 0 },
        { kind: 'agent.command_gate', total: 1, pass: 0, warn: 0, block: 1 },
        { kind: 'note', total: 1, pass: 0, warn: 0, block: 0 },
        { kind: 'policy.check', total: 1, pass: 0, warn: 0, block: 1 },
      ],
      security_blocks: 3,
      instability: 3,
      slow: 1,
    });
    expect((await db.store.events.aggregate({ project: 'app' }, 1000)).total).toBe(1);
    expect((await db.store.events.aggregate({ kinds: ['hook'], until: minutesAfter(6) }, 1000)).total).toBe(
      2,
    );
    expect(await db.store.events.aggregate({ kinds: [] }, 1000)).toEqual({
      total: 0,
      by_decision: {},
      by_kind: [],
      security_blocks: 0,
      instability: 0,
      slow: 0,
    });
  });

  it('counts by kind and tool, most frequent first, at most `limit` groups, with when each was last seen', async () => {
    await append(
      event('a', 1, { kind: 'agent.command', tool: 'Bash', decision: 'pass' }),
      event('b', 3, { kind: 'agent.command', tool: 'Bash', decision: 'prompt' }),
      event('c', 2, { kind: 'agent.command', tool: 'Bash', decision: 'forbidden' }),
      event('d', 4, { kind: 'agent.command', tool: 'Edit', decision: 'pass' }),
      event('e', 5, { kind: 'agent.command', tool: 'Read' }),
      event('f', 6, { kind: 'note', tool: 'Read', project: 'app' }),
      event('g', 7, { kind: 'note', tool: 'Read', project: 'app' }),
    );
    expect(await db.store.events.toolCounts({}, 3)).toEqual([
      {
        kind: 'agent.command',
        tool: 'Bash',
        total: 3,
        pass: 1,
        warn: 1,
        block: 1,
        last_seen: minutesAfter(3),
      },
      { kind: 'note', tool: 'Read', total: 2, pass: 0, warn: 0, block: 0, last_seen: minutesAfter(7) },
      {
        kind: 'agent.command',
        tool: 'Edit',
        total: 1,
        pass: 1,
        warn: 0,
        block: 0,
        last_seen: minutesAfter(4),
      },
    ]);
    expect(await db.store.events.toolCounts({ project: 'app' }, 10)).toEqual([
      { kind: 'note', tool: 'Read', total: 2, pass: 0, warn: 0, block: 0, last_seen: minutesAfter(7) },
    ]);
    expect(
      await db.store.events.toolCounts({ since: minutesAfter(5), kinds: ['agent.command'] }, 10),
    ).toEqual([
      {
        kind: 'agent.command',
        tool: 'Read',
        total: 1,
        pass: 0,
        warn: 0,
        block: 0,
        last_seen: minutesAfter(5),
      },
    ]);
  });

  it("purges events older than a time, and signal detection's counts with them", async () => {
    await append(event('old1', -2), event('old2', -1), event('new', 1));
    await db.store.signals.save(
      { project: 'app', last_seq: 3, settings: 's', updated_at: at },
      [
        {
          type: 'repeated_warn',
          key: 'k',
          count: 2,
          event_ids: ['old1', 'old2'],
          files: [],
          task_ids: [],
          first_seen: null,
          last_seen: null,
          extra: {},
        },
      ],
      [],
      false,
    );
    expect(await db.store.events.purgeBefore(minutesAfter(-5))).toBe(0);
    expect(await db.store.signals.checkpoint('app')).not.toBeNull();
    expect(await db.store.events.purgeBefore(at)).toBe(2);
    expect(await ids()).toEqual(['new']);
    expect(await db.store.signals.checkpoint('app')).toBeNull();
    expect(await db.store.signals.aggregates('app')).toEqual([]);
  });
});
