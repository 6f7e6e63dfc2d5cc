import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type RunningPostgres } from '@harness/testkit';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { PgStore, latestPgSchemaVersion } from '../index.js';

/**
 * What only the PostgreSQL store does: migrating once for a fleet, fencing lease generations in
 * the database, handing out event seqs in commit order and telling every server about them. What
 * every store does is the contract suite's (test/store), run against both backends.
 */
let postgres: RunningPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

/** Runs `sql` on its own connection to `url`. */
async function sql<R extends pg.QueryResultRow>(url: string, text: string, values?: unknown[]): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Connections to `url`'s database other than the one asking. */
async function otherConnections(url: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    url,
    `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  return row!.n;
}

/** Connections that LISTEN for events. */
async function listenConnections(url: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    url,
    `SELECT COUNT(*) AS n FROM pg_stat_activity
     WHERE datname = current_database() AND application_name = 'harness-listen'`,
  );
  return row!.n;
}

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves on the listener's next call; `next()` arms it again. */
function calls(): { listener: () => void; next: () => Promise<void> } {
  let resolve: (() => void) | null = null;
  let pending = 0;
  return {
    listener: () => {
      if (resolve) {
        resolve();
        resolve = null;
      } else pending += 1;
    },
    next: () =>
      new Promise<void>((r) => {
        if (pending > 0) {
          pending -= 1;
          r();
        } else resolve = r;
      }),
  };
}

const event = (id: string, ts = '2026-01-01T00:00:00.000Z') => ({ id, ts, kind: 'test.event', data: { id } });

describe('PgStore: migrations', () => {
  it('three servers opening one new database at once migrate it once; opening again changes nothing', async () => {
    const url = await postgres.createDatabase();
    const stores = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
    try {
      for (const store of stores) expect(await store.schemaVersion()).toBe(latestPgSchemaVersion);
      const again = await PgStore.open(url);
      await again.close();
      const recorded = await sql<{ version: number }>(
        url,
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(recorded.map((row) => row.version)).toEqual(
        Array.from({ length: latestPgSchemaVersion }, (_, i) => i + 1),
      );
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('creates every table of the SQLite store, with the same names', async () => {
    const url = await postgres.createDatabase();
    const store = await PgStore.open(url);
    await store.close();
    const tables = await sql<{ table_name: string }>(
      url,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'events',
      'gc_drafts',
      'gc_runs',
      'process_groups',
      'projects',
      'scans',
      'schema_migrations',
      'signal_aggregates',
      'signal_state',
      'signals',
      'skill_uses',
      'skills',
      'task_checkpoints',
      'tasks',
      'threads',
      'turns',
      'webhook_deliveries',
      'webhook_triggers',
    ]);
  });

  it('refuses a database written by a newer Harness, naming it without the password', async () => {
    const url = await postgres.createDatabase();
    await (await PgStore.open(url)).close();
    await sql(url, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')`);
    const withPassword = url.replace('harness@', 'harness:s3cret-word@');
    const error = await PgStore.open(withPassword).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe(ErrorCodes.storage);
    expect((error as HarnessError).message).toMatch(/schema version 999 was written by a newer Harness/);
    expect((error as HarnessError).message).not.toContain('s3cret-word');
  });
});

describe('PgStore: connections', () => {
  it('fails to open an unreachable database with a storage error that names it without the password', async () => {
    const port = await closedPort();
    const error = await PgStore.open(`postgres://harness:s3cret-word@127.0.0.1:${port}/fleet`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe(ErrorCodes.storage);
    expect((error as HarnessError).message).toContain(`127.0.0.1:${port}/fleet`);
    expect((error as HarnessError).message).not.toContain('s3cret-word');
  });

  it('refuses a URL that is not a postgres:// one before connecting, without the password', async () => {
    for (const url of ['mysql://harness:s3cret-word@127.0.0.1/fleet', 'harness:s3cret-word@127.0.0.1', '']) {
      const error = await PgStore.open(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HarnessError);
      expect((error as HarnessError).code).toBe(ErrorCodes.storage);
      expect((error as HarnessError).message).toMatch(
        /expected postgres:\/\/user:password@host:port\/database/,
      );
      expect((error as HarnessError).message).not.toContain('s3cret-word');
    }
  });

  it('refuses a pool size that is not a positive whole number', async () => {
    await expect(PgStore.open(postgres.url, { poolSize: 0 })).rejects.toThrow(/poolSize: must be/);
  });

  it('answers ping while open, and close() leaves no connection open, listeners included', async () => {
    const url = await postgres.createDatabase();
    const store = await PgStore.open(url, { poolSize: 3 });
    expect(await store.ping()).toBe(true);
    await store.onEventsCommitted(() => undefined);
    await store.onEventsCommitted(() => undefined);
    await Promise.all([1, 2, 3].map((n) => store.events.append(event(`close-${n}`))));
    expect(await otherConnections(url)).toBeGreaterThan(0);
    await store.close();
    expect(await store.ping()).toBe(false);
    // A backend leaves pg_stat_activity a moment after its client hangs up.
    while ((await otherConnections(url)) > 0) await new Promise((r) => setTimeout(r, 20));
    expect(await otherConnections(url)).toBe(0);
  });
});

describe('PgStore: lease generations', () => {
  it('refuses any update that lowers a task lease generation, whoever writes it', async () => {
    const url = await postgres.createDatabase();
    const store = await PgStore.open(url);
    try {
      await sql(
        url,
        `INSERT INTO tasks (id, project, kind, state, created_at, updated_at, lease_owner, lease_generation)
         VALUES ('task-1', 'p', 'prompt', 'running', 'a', 'a', 'host-a', 3)`,
      );
      await expect(sql(url, `UPDATE tasks SET lease_generation = 2 WHERE id = 'task-1'`)).rejects.toThrow(
        /lease generation 2 is older than the stored 3/,
      );
      await sql(url, `UPDATE tasks SET lease_generation = 3, lease_owner = 'host-a' WHERE id = 'task-1'`);
      await sql(url, `UPDATE tasks SET lease_generation = 4, lease_owner = 'host-b' WHERE id = 'task-1'`);
      const [row] = await sql<{ lease_generation: number; lease_owner: string }>(
        url,
        `SELECT lease_generation, lease_owner FROM tasks WHERE id = 'task-1'`,
      );
      expect(row).toEqual({ lease_generation: 4, lease_owner: 'host-b' });
    } finally {
      await store.close();
    }
  });
});

describe('PgStore: events across servers', () => {
  it('hands out seqs in commit order: a reader following after its last seq misses none while two servers append', async () => {
    const url = await postgres.createDatabase();
    const [a, b, reader] = await Promise.all([PgStore.open(url), PgStore.open(url), PgStore.open(url)]);
    try {
      const perWriter = 150;
      let writing = true;
      const write = async (store: PgStore, name: string) => {
        // Four appends in flight per server, as concurrent turns of one server would.
        for (let i = 0; i < perWriter; i += 4) {
          await Promise.all(
            [0, 1, 2, 3]
              .filter((k) => i + k < perWriter)
              .map((k) => store.events.append(event(`${name}-${i + k}`))),
          );
        }
      };
      const seen: number[] = [];
      const follow = async () => {
        let last = 0;
        for (;;) {
          const done = !writing;
          const page = await reader.events.query({ after_seq: last, order: 'asc', limit: 50 });
          for (const e of page) {
            seen.push(e.seq);
            last = e.seq;
          }
          if (done && page.length === 0) return;
        }
      };
      const following = follow();
      await Promise.all([write(a, 'a'), write(b, 'b')]);
      writing = false;
      await following;
      const stored = await reader.events.query({ order: 'asc', limit: 10_000 });
      expect(stored).toHaveLength(2 * perWriter);
      expect(seen).toEqual(stored.map((e) => e.seq));
    } finally {
      await Promise.all([a, b, reader].map((store) => store.close()));
    }
  });

  it('stores an event id once across servers and returns the stored event', async () => {
    const url = await postgres.createDatabase();
    const [a, b] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
    try {
      const results = await Promise.all([
        a.events.append(event('same', '2026-01-01T00:00:00.000Z')),
        b.events.append(event('same', '2026-02-02T00:00:00.000Z')),
      ]);
      expect(results.map((r) => r.duplicate).sort()).toEqual([false, true]);
      expect(results[0]!.event).toEqual(results[1]!.event);
      expect(await a.events.query({ order: 'asc', limit: 10 })).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('tells a listener about events another server commits, and again once its lost connection is back', async () => {
    const url = await postgres.createDatabase();
    const [listening, writing] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
    try {
      const heard = calls();
      const stop = await listening.onEventsCommitted(heard.listener);
      await writing.events.append(event('first'));
      await heard.next();

      const killed = await sql<{ pid: number }>(
        url,
        `SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity
         WHERE datname = current_database() AND application_name = 'harness-listen'`,
      );
      expect(killed).toHaveLength(1);
      // Called once back (whatever was committed meanwhile went unheard), with no append at all.
      await heard.next();

      await writing.events.append(event('second'));
      await heard.next();

      await stop();
      // Stopping ends the listening connection (its backend goes a moment after the hang-up).
      while ((await listenConnections(url)) > 0) await new Promise((r) => setTimeout(r, 20));
      expect(await listenConnections(url)).toBe(0);
    } finally {
      await Promise.all([listening.close(), writing.close()]);
    }
  });

  it('lets exactly one of two servers claim a webhook trigger; the other sees the holder', async () => {
    const url = await postgres.createDatabase();
    const [a, b] = await Promise.all([PgStore.open(url), PgStore.open(url)]);
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `issue_comment:1:${i}`);
      const claims = await Promise.all(
        keys.flatMap((key) => [
          a.webhookTriggers.claim({ key, delivery_id: `a-${key}`, claimed_at: '2026-01-01T00:00:00.000Z' }),
          b.webhookTriggers.claim({ key, delivery_id: `b-${key}`, claimed_at: '2026-01-01T00:00:00.000Z' }),
        ]),
      );
      for (let i = 0; i < keys.length; i++) {
        const pair = [claims[2 * i]!, claims[2 * i + 1]!];
        const winners = pair.filter((c) => c.claimed);
        expect(winners).toHaveLength(1);
        const loser = pair.find((c) => !c.claimed);
        const winner = pair.indexOf(winners[0]!) === 0 ? 'a' : 'b';
        expect(loser).toMatchObject({
          claimed: false,
          holder: { key: keys[i], delivery_id: `${winner}-${keys[i]}` },
        });
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
