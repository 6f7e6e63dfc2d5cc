import { describe, expect, it } from 'vitest';
import { backends, useStore } from './backends.js';
import { at, minutesAfter, thread, turn } from './fixtures.js';

describe.each(backends)('threads ($name)', (backend) => {
  const db = useStore(backend);

  it('stores a thread whole and reads it back, JSON metadata included', async () => {
    const full = thread('t1', at, {
      agent: 'codex',
      title: 'Ünïcode — title',
      status: 'active',
      native_session_id: 'sess-1',
      parent_thread_id: 'p0',
      metadata: { deep: { a: [1, 2.5, 'x', null, false] }, empty: {} },
    });
    await db.store.threads.create(full);
    expect(await db.store.threads.get('t1')).toEqual(full);
    expect(await db.store.threads.get('missing')).toBeNull();
  });

  it('refuses a second thread with the same id', async () => {
    await db.store.threads.create(thread('t1'));
    await expect(db.store.threads.create(thread('t1'))).rejects.toThrow();
  });

  it('counts its turns', async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.turns.create(turn('u1', 't1', 1));
    await db.store.turns.create(turn('u2', 't1', 2));
    expect((await db.store.threads.get('t1'))?.turn_count).toBe(2);
    expect((await db.store.threads.list({ limit: 5 })).threads[0]?.turn_count).toBe(2);
  });

  it('pages newest first with an opaque cursor, ties broken by id, and rejects a forged cursor', async () => {
    for (let i = 0; i < 5; i++) await db.store.threads.create(thread(`t${i}`, minutesAfter(i)));
    // Two threads created in the same instant: the later id first.
    await db.store.threads.create(thread('t2b', minutesAfter(2)));
    const first = await db.store.threads.list({ limit: 2 });
    expect(first.threads.map((t) => t.id)).toEqual(['t4', 't3']);
    const second = await db.store.threads.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.threads.map((t) => t.id)).toEqual(['t2b', 't2']);
    const third = await db.store.threads.list({ limit: 2, cursor: second.next_cursor! });
    expect(third.threads.map((t) => t.id)).toEqual(['t1', 't0']);
    expect(third.next_cursor).toBeNull();
    await expect(db.store.threads.list({ limit: 2, cursor: 'garbage' })).rejects.toMatchObject({
      code: 'invalid_params',
      message: expect.stringMatching(/^cursor: not a cursor returned by/),
    });
  });

  it('filters the list by status and project root', async () => {
    await db.store.threads.create(thread('a', minutesAfter(1), { status: 'active' }));
    await db.store.threads.create(thread('b', minutesAfter(2), { project_root: '/srv/other' }));
    await db.store.threads.create(
      thread('c', minutesAfter(3), { status: 'active', project_root: '/srv/other' }),
    );
    const ids = async (filter: { status?: 'active'; project_root?: string }) =>
      (await db.store.threads.list({ limit: 10, ...filter })).threads.map((t) => t.id);
    expect(await ids({ status: 'active' })).toEqual(['c', 'a']);
    expect(await ids({ project_root: '/srv/other' })).toEqual(['c', 'b']);
    expect(await ids({ status: 'active', project_root: '/srv/other' })).toEqual(['c']);
    expect(await ids({})).toEqual(['c', 'b', 'a']);
  });

  it('updates only the patchable fields, always stamping updated_at; null for an unknown thread', async () => {
    await db.store.threads.create(thread('t1'));
    const updated = await db.store.threads.update(
      't1',
      { status: 'archived', title: 'new', metadata: { k: ['v'] }, agent: 'codex', native_session_id: 's' },
      minutesAfter(9),
    );
    expect(updated).toEqual({
      ...thread('t1'),
      status: 'archived',
      title: 'new',
      metadata: { k: ['v'] },
      agent: 'codex',
      native_session_id: 's',
      updated_at: minutesAfter(9),
    });
    const touched = await db.store.threads.update('t1', {}, minutesAfter(10));
    expect(touched?.updated_at).toBe(minutesAfter(10));
    expect(touched?.title).toBe('new');
    expect(await db.store.threads.update('nope', { title: 'x' }, at)).toBeNull();
  });

  it('deletes a thread with its turns, keeping its events', async () => {
    await db.store.threads.create(thread('t1'));
    await db.store.turns.create(turn('u1', 't1', 1));
    await db.store.events.append({ id: 'e1', ts: at, kind: 'note', thread_id: 't1', turn_id: 'u1' });
    expect(await db.store.threads.delete('t1')).toBe(true);
    expect(await db.store.threads.delete('t1')).toBe(false);
    expect(await db.store.threads.get('t1')).toBeNull();
    expect(await db.store.turns.get('u1')).toBeNull();
    expect(await db.store.turns.listForThread('t1')).toEqual([]);
    expect(
      (await db.store.events.query({ thread_id: 't1', limit: 5, order: 'asc' })).map((e) => e.id),
    ).toEqual(['e1']);
  });

  it('forks up to a turn, each copied turn with a fresh id, or all turns without one', async () => {
    await db.store.threads.create(thread('src'));
    for (let seq = 1; seq <= 3; seq++) await db.store.turns.create(turn(`u${seq}`, 'src', seq));
    let n = 0;
    const fork = await db.store.threads.fork(
      'src',
      thread('dst', minutesAfter(1), { parent_thread_id: 'src' }),
      'u2',
      () => `new${++n}`,
    );
    expect(fork).toMatchObject({ id: 'dst', parent_thread_id: 'src', turn_count: 2 });
    const copied = await db.store.turns.listForThread('dst');
    expect(copied).toEqual([
      { ...turn('u1', 'src', 1), id: 'new1', thread_id: 'dst' },
      { ...turn('u2', 'src', 2), id: 'new2', thread_id: 'dst' },
    ]);
    const whole = await db.store.threads.fork(
      'src',
      thread('all', minutesAfter(2)),
      undefined,
      () => `w${++n}`,
    );
    expect(whole.turn_count).toBe(3);
    expect((await db.store.turns.listForThread('src')).map((t) => t.id)).toEqual(['u1', 'u2', 'u3']);
  });

  it('refuses a fork from a turn of another thread, and stores nothing of it', async () => {
    await db.store.threads.create(thread('src'));
    await db.store.threads.create(thread('other'));
    await db.store.turns.create(turn('u1', 'src', 1));
    await db.store.turns.create(turn('x1', 'other', 1));
    await expect(db.store.threads.fork('src', thread('dst'), 'x1', () => 'y')).rejects.toMatchObject({
      code: 'not_found',
      message: 'turn x1 is not a turn of thread src',
    });
    expect(await db.store.threads.get('dst')).toBeNull();
    expect(await db.store.turns.get('y')).toBeNull();
  });

  it('counts threads by status', async () => {
    expect(await db.store.threads.counts()).toEqual({});
    await db.store.threads.create(thread('a', at, { status: 'active' }));
    await db.store.threads.create(thread('b', at, { status: 'active' }));
    await db.store.threads.create(thread('c'));
    expect(await db.store.threads.counts()).toEqual({ active: 2, idle: 1 });
  });
});
