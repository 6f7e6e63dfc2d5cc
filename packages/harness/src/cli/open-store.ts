import path from 'node:path';
import { ErrorCodes, HarnessError, type HarnessConfig } from '../core/index.js';
import { PgStore, SqliteStore, databaseFileName, type Store } from '../store/index.js';

export interface OpenedStore {
  store: Store;
  /** Which store, for the start-up log: `postgres 127.0.0.1:5432/harness` or `sqlite <file>`. */
  description: string;
}

/**
 * The store `[store] url` (or `HARNESS_DATABASE_URL`, folded in by the config loader) names: a
 * PostgreSQL database shared by a fleet of servers, else SQLite in the data directory. A database
 * that cannot be reached is a `storage` error naming the URL without its password.
 */
export async function openStore(config: HarnessConfig, dataDir: string): Promise<OpenedStore> {
  const url = config.store.url;
  if (url === undefined) {
    return {
      store: SqliteStore.open(dataDir),
      description: `sqlite ${path.join(dataDir, databaseFileName)}`,
    };
  }
  try {
    return { store: await PgStore.open(url), description: `postgres ${describeDatabase(url)}` };
  } catch (error) {
    if (!(error instanceof HarnessError) || error.code !== ErrorCodes.storage) throw error;
    throw new HarnessError(
      ErrorCodes.storage,
      `${error.message} (check that PostgreSQL runs there and accepts this user, or fix the URL in ` +
        `HARNESS_DATABASE_URL or [store] url; unset both to use SQLite in the data directory)`,
      { cause: error },
    );
  }
}

/** `host:port/database` of a PostgreSQL URL: what a log may say about it (no user, no password). */
export function describeDatabase(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.host || parsed.searchParams.get('host') || 'localhost';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
    return `${host}/${database}`;
  } catch {
    return '(an unparsable database URL)';
  }
}
