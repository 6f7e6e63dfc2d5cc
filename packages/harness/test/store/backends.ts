import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type RunningPostgres, postgresBinDir, startPostgres } from '@harness/testkit';
import { PgStore, SqliteStore, type Store } from '../../src/store/index.js';

/**
 * The backends every store contract test runs against. Each opens stores on a database of its
 * own: `fresh()` makes an empty one (migrated by the first open), `open()` opens one more store on
 * it, as a second server process sharing the database would.
 */
export interface StoreBackend {
  name: 'sqlite' | 'postgres';
  /** Why the backend cannot run on this machine; null when it can. */
  unavailable: string | null;
  /** Once per test file, before its first test (PostgreSQL: one cluster per file). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A new empty database, named by where it lives (a data dir, or a URL). */
  fresh(): Promise<string>;
  open(location: string): Promise<Store>;
}

const sqlite = (): StoreBackend => {
  const dirs: string[] = [];
  return {
    name: 'sqlite',
    unavailable: null,
    async start() {},
    async stop() {
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
    async fresh() {
      const dir = mkdtempSync(path.join(tmpdir(), 'harness-contract-'));
      dirs.push(dir);
      return dir;
    },
    async open(dir) {
      return SqliteStore.open(dir);
    },
  };
};

const postgres = (): StoreBackend => {
  let cluster: RunningPostgres | null = null;
  const unavailable =
    postgresBinDir() === null
      ? 'PostgreSQL is not installed (no initdb under /usr/lib/postgresql): apt-get install -y postgresql'
      : null;
  return {
    name: 'postgres',
    unavailable,
    async start() {
      cluster = await startPostgres();
    },
    async stop() {
      await cluster?.stop();
      cluster = null;
    },
    async fresh() {
      if (cluster === null) throw new Error('the PostgreSQL cluster was not started (start() in beforeAll)');
      return cluster.createDatabase();
    },
    async open(url) {
      return PgStore.open(url);
    },
  };
};

export const backends: StoreBackend[] = [sqlite(), postgres()];

/** What a contract test works with: a store on a fresh database, and more stores on the same one. */
export interface StoreFixture {
  readonly store: Store;
  /** Another store on the same database (closed after the test), as a second server would open it. */
  another(): Promise<Store>;
  /** Closes one of the test's stores now (instead of after the test). */
  close(store: Store): Promise<void>;
}

/**
 * Registers the hooks of one backend's describe block: its database server for the file, a fresh
 * database and store per test, every store closed after it. A backend this machine cannot run is
 * skipped test by test, with its reason printed once.
 */
export function useStore(backend: StoreBackend): StoreFixture {
  let store: Store | null = null;
  let location = '';
  const opened: Store[] = [];
  const open = async () => {
    const next = await backend.open(location);
    opened.push(next);
    return next;
  };
  beforeAll(async () => {
    if (backend.unavailable !== null) {
      console.warn(`store contract: skipping the ${backend.name} backend: ${backend.unavailable}`);
      return;
    }
    await backend.start();
  });
  afterAll(async () => {
    if (backend.unavailable === null) await backend.stop();
  });
  beforeEach(async (context) => {
    if (backend.unavailable !== null) context.skip(backend.unavailable);
    location = await backend.fresh();
    store = await open();
  });
  afterEach(async () => {
    for (const each of opened.splice(0)) await each.close();
    store = null;
  });
  return {
    get store() {
      if (store === null) throw new Error('no store outside a test');
      return store;
    },
    another: open,
    async close(each) {
      opened.splice(opened.indexOf(each), 1);
      await each.close();
    },
  };
}
