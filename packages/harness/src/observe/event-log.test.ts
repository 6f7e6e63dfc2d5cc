import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Event } from '@harness/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/index.js';
import { SqliteStore, type Store } from '../store/index.js';
import { EventLog } from './event-log.js';

/**
 * Two "servers" on one SQLite file, with commit notices between them the way a PostgreSQL store
 * gives them (LISTEN/NOTIFY): after every commit, to every listener, the writer's own included,
 * a little later. The event log's following of the fleet is what is tested; the real PostgreSQL
 * store is exercised with it in test/fleet.
 */
class NoticeBus {
  readonly listeners = new Set<() => void>();
  quiet = false;

  /** Later, as a notification arrives after the commit that sent it. */
  notify(): void {
    if (this.quiet) return;
    for (const listener of this.listeners) setImmediate(listener);
  }
}

function sharing(store: SqliteStore, bus: NoticeBus): Store {
  const events = new Proxy(store.events, {
    get(target, key) {
      if (key !== 'append') return Reflect.get(target, key, target) as unknown;
      return async (...args: Parameters<Store['events']['append']>) => {
        const stored = await target.append(...args);
        bus.notify();
        return stored;
      };
    },
  });
  return new Proxy(store, {
    get(target, key) {
      if (key === 'events') return events;
      if (key === 'onEventsCommitted')
        return (listener: () => void) => {
          bus.listeners.add(listener);
          return Promise.resolve(() => {
            bus.listeners.delete(listener);
            return Promise.resolve();
          });
        };
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as Store;
}

let dir: string;
let bus: NoticeBus;
let stores: SqliteStore[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-event-log-'));
  bus = new NoticeBus();
  stores = [];
});
afterEach(async () => {
  for (const store of stores) await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function server(): EventLog {
  const store = SqliteStore.open(dir);
  stores.push(store);
  return new EventLog(sharing(store, bus), silentLogger);
}

function recorder(subscribe: (listener: (event: Event) => void) => () => void): Event[] {
  const heard: Event[] = [];
  subscribe((event) => heard.push(event));
  return heard;
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('EventLog following a store shared by a fleet', () => {
  it("announces the other server's events to onLogged, in seq order and once, and not to onAppend", async () => {
    const [a, b] = [server(), server()];
    await a.follow();
    const logged = recorder((l) => a.onLogged(l));
    const appended = recorder((l) => a.onAppend(l));
    await Promise.all(
      Array.from({ length: 30 }, (_, i) => b.append({ kind: 'task.progress', task_id: 't-b', data: { i } })),
    );
    await until(() => logged.length >= 30);
    await settled();
    const stored = await a.query({ task_id: 't-b', order: 'asc', limit: 100 });
    expect(logged.map((e) => e.seq)).toEqual(stored.map((e) => e.seq));
    expect(appended).toEqual([]);
  });

  it('announces its own events to onAppend at once and to onLogged once, in order with the others', async () => {
    const [a, b] = [server(), server()];
    await a.follow();
    const logged = recorder((l) => a.onLogged(l));
    const appended = recorder((l) => a.onAppend(l));
    for (let i = 0; i < 10; i++) {
      const own = await a.append({ kind: 'own', data: { i } });
      expect(appended.at(-1)?.id).toBe(own.event.id);
      await b.append({ kind: 'foreign', data: { i } });
    }
    await until(() => logged.length >= 20);
    await settled();
    expect(logged.map((e) => e.kind)).toEqual(Array.from({ length: 10 }, () => ['own', 'foreign']).flat());
    expect(logged.map((e) => e.seq)).toEqual([...logged.map((e) => e.seq)].sort((x, y) => x - y));
    expect(appended.map((e) => e.kind)).toEqual(Array.from({ length: 10 }, () => 'own'));
  });

  it('catches up page by page after missed notices (a reconnect), and never repeats what it announced', async () => {
    const [a, b] = [server(), server()];
    await b.append({ kind: 'before', data: {} });
    await a.follow();
    const logged = recorder((l) => a.onLogged(l));
    bus.quiet = true;
    for (let i = 0; i < 1205; i++) await b.append({ kind: 'missed', data: { i } });
    bus.quiet = false;
    // The one notice the store sends once its listening connection is back.
    bus.notify();
    await until(() => logged.length >= 1205);
    await settled();
    expect(logged).toHaveLength(1205);
    expect(logged.every((e) => e.kind === 'missed')).toBe(true);
    expect(new Set(logged.map((e) => e.seq)).size).toBe(1205);
  });

  it('stops hearing the fleet once it stops following', async () => {
    const [a, b] = [server(), server()];
    await a.follow();
    const logged = recorder((l) => a.onLogged(l));
    await b.append({ kind: 'heard', data: {} });
    await until(() => logged.length === 1);
    await a.stopFollowing();
    await b.append({ kind: 'not heard', data: {} });
    await settled();
    expect(logged.map((e) => e.kind)).toEqual(['heard']);
  });
});

describe('EventLog on a store of its own', () => {
  it('announces its appends to onAppend and onLogged at once, and follow() changes nothing', async () => {
    const store = SqliteStore.open(dir);
    stores.push(store);
    const log = new EventLog(store, silentLogger);
    await log.follow();
    const logged = recorder((l) => log.onLogged(l));
    const appended = recorder((l) => log.onAppend(l));
    const { event } = await log.append({ kind: 'solo', data: {} });
    expect(logged).toEqual([event]);
    expect(appended).toEqual([event]);
    await log.append({ id: event.id, kind: 'solo', data: {} });
    expect(logged).toHaveLength(1);
  });
});
