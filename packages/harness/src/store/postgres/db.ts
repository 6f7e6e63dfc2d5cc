import pg from 'pg';
import { ErrorCodes, HarnessError, describeError } from '../../core/index.js';

/** Anything a statement can run on: the pool, or one client inside a transaction. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

// BIGINT (int8) and NUMERIC come back as strings by default; ours fit a JS number (seqs, counts).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));

/**
 * The Postgres connection pool and the two ways the repositories use it: a statement, and a
 * transaction (BEGIN … COMMIT on one client, rolled back when the callback throws).
 */
export class PgDb implements Queryable {
  constructor(readonly pool: pg.Pool) {}

  static connect(url: string, max = 10): PgDb {
    const pool = new pg.Pool({ ...connectionSettings(url, 'harness'), max });
    // An idle client losing its connection (the server restarted) must not crash the process.
    pool.on('error', () => undefined);
    return new PgDb(pool);
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values);
  }

  /** The rows of one statement. */
  async rows<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  /** The first row of one statement, or null. */
  async one<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R | null> {
    return (await this.pool.query<R>(text, values)).rows[0] ?? null;
  }

  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * How every connection of a server is opened. A database host that stops answering (power lost,
 * network cut) must show up as an error, not as a wait without end: connecting gives up after
 * 10 s, and TCP keepalives notice a connection whose peer vanished while it sat idle. A server
 * stopped (SIGSTOP, a frozen VM) inside a transaction must not hold its locks — the claim lock, the
 * events lock — for the whole fleet: the database ends such a session after 5 s, well inside a lease.
 */
export function connectionSettings(url: string, applicationName: string): pg.ClientConfig {
  return {
    connectionString: url,
    application_name: applicationName,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    idle_in_transaction_session_timeout: 5_000,
  };
}

/**
 * A `postgres://` (or `postgresql://`) URL, or a storage error saying what it is instead, without
 * the password.
 */
export function checkDatabaseUrl(url: string): void {
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (!isPostgresProtocol(protocol)) {
    throw new HarnessError(
      ErrorCodes.storage,
      `database URL ${redactUrl(url)}: expected postgres://user:password@host:port/database`,
    );
  }
}

/**
 * The numbered parameters of a statement built piece by piece (optional filters): `add` keeps a
 * value and answers the `$n` that names it.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A connection failure as Harness's storage error, naming the server (never the password). */
export function storageError(url: string, error: unknown): HarnessError {
  return new HarnessError(
    ErrorCodes.storage,
    `cannot use the database ${redactUrl(url)}: ${describeError(error)}`,
    {
      cause: error,
    },
  );
}

/**
 * The URL without its password, for messages and logs. Only a postgres:// URL is shown at all: in
 * anything else there is no telling which part is a secret.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(an unparsable database URL)';
  }
  if (!isPostgresProtocol(parsed.protocol)) return `(a ${parsed.protocol} URL, not postgres://)`;
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

function isPostgresProtocol(protocol: string): boolean {
  return protocol === 'postgres:' || protocol === 'postgresql:';
}
