import { describe, expect, it } from 'vitest';
import { backends, useStore } from './backends.js';
import { minutesAfter, thread, turn } from './fixtures.js';

describe.each(backends)('turns ($name)', (backend) => {
  const db = useStore(backend);

  it('stores a turn whole, JSON items, usage and error included', async () => {
    await db.store.threads.create(thread('t1'));
    const failed = turn('u1', 't1', 1, {
      status: 'failed',
      agent: null,
      items: [
        { type: 'agent_message', text: 'a' },
        { type: 'agent_message', text: 'b "quoted" \\ back' },
      ],
      usage: null,
      error: { code: 'agent_failed', message: 'exit 1' },
      completed_at: null,
    });
    await db.store.turns.create(failed);
    expect(await db.store.turns.get('u1')).toEqual(failed);
    expect(await db.store.turns.get('missing')).toBeNull();
  });

  it('refuses a second turn with the same id or the same seq in its thread, or a turn of no thread', async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.turns.create(turn('u1', 't1', 1));
    await expect(db.store.turns.create(turn('u1', 't1', 2))).rejects.toThrow();
    await expect(db.store.turns.create(turn('u2', 't1', 1))).rejects.toThrow();
    await expect(db.store.turns.create(turn('u9', 'no-such-thread', 1))).rejects.toThrow();
  });

  it("lists a thread's turns by seq, and gives the next seq", async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.threads.create(thread('t2'));
    expect(await db.store.turns.nextSeq('t1')).toBe(1);
    await db.store.turns.create(turn('u3', 't1', 3));
    await db.store.turns.create(turn('u1', 't1', 1));
    await db.store.turns.create(turn('v1', 't2', 1));
    expect((await db.store.turns.listForThread('t1')).map((t) => t.id)).toEqual(['u1', 'u3']);
    expect(await db.store.turns.nextSeq('t1')).toBe(4);
    expect(await db.store.turns.nextSeq('t2')).toBe(2);
  });

  it('lists the turns still running or queued, oldest start first', async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.turns.create(turn('late', 't1', 1, { status: 'running', started_at: minutesAfter(9) }));
    await db.store.turns.create(turn('done', 't1', 2));
    await db.store.turns.create(turn('early', 't1', 3, { status: 'queued', started_at: minutesAfter(1) }));
    expect((await db.store.turns.listRunning()).map((t) => t.id)).toEqual(['early', 'late']);
  });

  it('keeps the process that runs a turn and its lease, for recovery only: a turn as read has neither', async () => {
    await db.store.threads.create(thread('t1'));
    const running = turn('u1', 't1', 1, { status: 'running', completed_at: null });
    await db.store.turns.create(running, { owner: 'host-a/123/instance', expires_at: minutesAfter(1) });
    await db.store.turns.create(turn('u2', 't1', 2, { status: 'running', completed_at: null }));
    expect(await db.store.turns.listRunning()).toEqual([
      { ...running, owner: 'host-a/123/instance', lease_expires_at: minutesAfter(1) },
      {
        ...turn('u2', 't1', 2, { status: 'running', completed_at: null }),
        owner: null,
        lease_expires_at: null,
      },
    ]);
    expect(await db.store.turns.get('u1')).toEqual(running);
    expect(await db.store.turns.listForThread('t1')).toEqual([
      running,
      turn('u2', 't1', 2, { status: 'running', completed_at: null }),
    ]);
  });

  it("renews the leases of the owner's running and queued turns, never shortening one", async () => {
    await db.store.threads.create(thread('t1'));
    const lease = (expires_at: string, owner = 'host-a/1/x') => ({ owner, expires_at });
    const live = { status: 'running' as const, completed_at: null };
    await db.store.turns.create(turn('running', 't1', 1, live), lease(minutesAfter(1)));
    await db.store.turns.create(
      turn('queued', 't1', 2, { ...live, status: 'queued' }),
      lease(minutesAfter(1)),
    );
    await db.store.turns.create(turn('later', 't1', 3, live), lease(minutesAfter(9)));
    await db.store.turns.create(turn('ended', 't1', 4), lease(minutesAfter(1)));
    await db.store.turns.create(turn('theirs', 't1', 5, live), lease(minutesAfter(1), 'host-b/2/y'));

    await db.store.turns.renewLeases('host-a/1/x', minutesAfter(5));

    const leases = new Map((await db.store.turns.listRunning()).map((t) => [t.id, t.lease_expires_at]));
    expect(Object.fromEntries(leases)).toEqual({
      running: minutesAfter(5),
      queued: minutesAfter(5),
      later: minutesAfter(9),
      theirs: minutesAfter(1),
    });
  });

  it('patches a turn, leaving the rest as it was; null for an unknown turn', async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.turns.create(turn('u1', 't1', 1, { status: 'running', completed_at: null, usage: null }));
    const usage = {
      input_tokens: 10,
      output_tokens: 20,
      cache_read_tokens: 0,
      cache_write_tokens: 0,
      cost_usd: 0.5,
    };
    const patched = await db.store.turns.update('u1', {
      status: 'completed',
      usage,
      completed_at: minutesAfter(30),
      items: [{ type: 'agent_message', text: 'done' }],
    });
    expect(patched).toEqual({
      ...turn('u1', 't1', 1),
      usage,
      completed_at: minutesAfter(30),
      items: [{ type: 'agent_message', text: 'done' }],
    });
    expect(await db.store.turns.get('u1')).toEqual(patched);
    expect(await db.store.turns.update('nope', { status: 'failed' })).toBeNull();
  });

  it('ends a turn only while it runs: the first end stands, a late one is refused', async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.turns.create(turn('u1', 't1', 1, { status: 'running', completed_at: null }));
    await db.store.turns.create(turn('u2', 't1', 2, { status: 'queued', completed_at: null }));
    const interrupted = {
      status: 'interrupted' as const,
      error: { code: 'server_restarted', message: 'taken over' },
      completed_at: minutesAfter(5),
    };
    expect(await db.store.turns.end('u1', interrupted)).toEqual({
      ...turn('u1', 't1', 1),
      ...interrupted,
    });
    const late = { status: 'completed' as const, error: null, completed_at: minutesAfter(6), usage: null };
    expect(await db.store.turns.end('u1', late)).toBeNull();
    expect(await db.store.turns.get('u1')).toMatchObject(interrupted);
    expect(await db.store.turns.end('u2', late)).toMatchObject({ status: 'completed', usage: null });
    expect(await db.store.turns.end('nope', late)).toBeNull();
  });

  it('counts turns by status', async () => {
    await db.store.threads.create(thread('t1'));
    expect(await db.store.turns.counts()).toEqual({});
    await db.store.turns.create(turn('a', 't1', 1));
    await db.store.turns.create(turn('b', 't1', 2, { status: 'running' }));
    await db.store.turns.create(turn('c', 't1', 3));
    expect(await db.store.turns.counts()).toEqual({ completed: 2, running: 1 });
  });
});
