import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Thread, Turn } from '@harness/protocol';
import { SqliteStore, databaseFileName, latestSchemaVersion } from '../index.js';

const dirs: string[] = [];
const tempDataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const thread = (id: string, createdAt: string): Thread => ({
  id,
  project_root: '/tmp',
  agent: null,
  title: null,
  status: 'idle',
  native_session_id: null,
  parent_thread_id: null,
  metadata: { n: id },
  turn_count: 0,
  created_at: createdAt,
  updated_at: createdAt,
});

const turn = (id: string, threadId: string, seq: number): Turn => ({
  id,
  thread_id: threadId,
  seq,
  status: 'completed',
  input: `turn ${seq}`,
  agent: 'claude',
  items: [{ type: 'agent_message', text: `answer ${seq}` }],
  usage: { input_tokens: 1, output_tokens: 2, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0.01 },
  error: null,
  started_at: '2026-01-01T00:00:00.000Z',
  completed_at: '2026-01-01T00:00:01.000Z',
});

describe('SqliteStore', () => {
  it('persists threads, turns and events across reopening, in WAL mode', async () => {
    const dir = tempDataDir();
    const store = SqliteStore.open(dir);
    await store.threads.create(thread('t1', '2026-01-01T00:00:00.000Z'));
    await store.turns.create(turn('u1', 't1', 1));
    await store.events.append({
      id: 'e1',
      ts: '2026-01-01T00:00:00.000Z',
      kind: 'note',
      thread_id: 't1',
      data: { x: [1] },
    });
    await store.close();

    const again = SqliteStore.open(dir);
    expect((await again.threads.get('t1'))?.turn_count).toBe(1);
    expect((await again.turns.listForThread('t1'))[0]?.items).toEqual([
      { type: 'agent_message', text: 'answer 1' },
    ]);
    expect((await again.events.query({ limit: 10, order: 'asc' }))[0]?.data).toEqual({ x: [1] });
    expect(await again.schemaVersion()).toBe(latestSchemaVersion);
    await again.close();
    const raw = new Database(path.join(dir, databaseFileName));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('refuses a database written by a newer Harness, and leaves it untouched', async () => {
    const dir = tempDataDir();
    await SqliteStore.open(dir).close();
    const raw = new Database(path.join(dir, databaseFileName));
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(999, 'future', 'now');
    raw.close();
    expect(() => SqliteStore.open(dir)).toThrow(/schema version 999 was written by a newer Harness/);
  });

  it('pages threads newest first with an opaque cursor, and rejects a forged one', async () => {
    const store = SqliteStore.open(tempDataDir());
    for (let i = 0; i < 5; i++)
      await store.threads.create(thread(`t${i}`, `2026-01-0${i + 1}T00:00:00.000Z`));
    const first = await store.threads.list({ limit: 2 });
    expect(first.threads.map((t) => t.id)).toEqual(['t4', 't3']);
    const second = await store.threads.list({ limit: 2, cursor: first.next_cursor! });
    expect(second.threads.map((t) => t.id)).toEqual(['t2', 't1']);
    const third = await store.threads.list({ limit: 2, cursor: second.next_cursor! });
    expect(third.threads.map((t) => t.id)).toEqual(['t0']);
    expect(third.next_cursor).toBeNull();
    await expect(store.threads.list({ limit: 2, cursor: 'garbage' })).rejects.toThrow(/cursor/);
    await store.close();
  });

  it('forks a thread up to a turn, giving every copied turn a fresh id', async () => {
    const store = SqliteStore.open(tempDataDir());
    await store.threads.create(thread('src', '2026-01-01T00:00:00.000Z'));
    for (let seq = 1; seq <= 3; seq++) await store.turns.create(turn(`u${seq}`, 'src', seq));
    let n = 0;
    const fork = await store.threads.fork(
      'src',
      { ...thread('dst', '2026-01-02T00:00:00.000Z'), parent_thread_id: 'src' },
      'u2',
      () => `new${++n}`,
    );
    expect(fork.turn_count).toBe(2);
    const copied = await store.turns.listForThread('dst');
    expect(copied.map((t) => [t.id, t.seq, t.input])).toEqual([
      ['new1', 1, 'turn 1'],
      ['new2', 2, 'turn 2'],
    ]);
    await expect(
      store.threads.fork('src', thread('dst2', '2026-01-03T00:00:00.000Z'), 'nope', () => 'x'),
    ).rejects.toThrow(/not a turn/);
    expect(await store.threads.get('dst2')).toBeNull();
    await store.close();
  });

  it('ignores a duplicate event id and purges by age', async () => {
    const store = SqliteStore.open(tempDataDir());
    const first = await store.events.append({ id: 'same', ts: '2020-01-01T00:00:00.000Z', kind: 'a' });
    const again = await store.events.append({ id: 'same', ts: '2026-01-01T00:00:00.000Z', kind: 'b' });
    expect(again.duplicate).toBe(true);
    expect(again.event).toEqual(first.event);
    await store.events.append({ id: 'new', ts: '2026-01-01T00:00:00.000Z', kind: 'a' });
    expect(await store.events.purgeBefore('2025-01-01T00:00:00.000Z')).toBe(1);
    expect((await store.events.query({ limit: 10, order: 'asc' })).map((e) => e.id)).toEqual(['new']);
    await store.close();
  });
});
