import type pg from 'pg';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { redactUrl } from './db.js';
import { partBMigrations } from './migrations-b.js';

/**
 * Versioned schema migrations of the PostgreSQL store, recorded in `schema_migrations` like the
 * SQLite ones. Several servers of a fleet start at once against one database: the whole run holds
 * a session advisory lock, so exactly one of them migrates and the others find the work done.
 *
 * Version 1 is the whole schema of the SQLite store after its migration 17, with the same table and
 * column names so the SQL of both backends reads alike. Translations:
 * - every text column is `COLLATE "C"`: it compares bytewise as SQLite does, so ISO-8601 timestamps,
 *   ids and names sort the same on both backends whatever the database's locale;
 * - INTEGER is bigint, REAL double precision, 0/1 flags boolean; JSON blobs stay text (they come
 *   back byte-identical, as they were written);
 * - SQLite's AUTOINCREMENT keys, and `tasks.seq` (MAX(seq) + 1 would collide between servers),
 *   are `GENERATED ALWAYS AS IDENTITY`: an INSERT leaves them out and reads them back with RETURNING.
 */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrations: Migration[] = [
  {
    version: 1,
    name: 'the whole schema of SQLite migration 17, plus the claim index and lease generation fencing',
    sql: `
      CREATE TABLE threads (
        id text COLLATE "C" PRIMARY KEY,
        project_root text COLLATE "C" NOT NULL,
        agent text COLLATE "C",
        title text COLLATE "C",
        status text COLLATE "C" NOT NULL CHECK (status IN ('idle', 'active', 'archived')),
        native_session_id text COLLATE "C",
        parent_thread_id text COLLATE "C",
        metadata text COLLATE "C" NOT NULL DEFAULT '{}',
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX threads_by_created ON threads (created_at, id);

      CREATE TABLE turns (
        id text COLLATE "C" PRIMARY KEY,
        thread_id text COLLATE "C" NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        status text COLLATE "C" NOT NULL,
        input text COLLATE "C" NOT NULL,
        agent text COLLATE "C",
        items text COLLATE "C" NOT NULL DEFAULT '[]',
        usage text COLLATE "C",
        error text COLLATE "C",
        started_at text COLLATE "C" NOT NULL,
        completed_at text COLLATE "C",
        UNIQUE (thread_id, seq)
      );

      CREATE TABLE events (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text COLLATE "C" NOT NULL UNIQUE,
        ts text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL,
        thread_id text COLLATE "C",
        turn_id text COLLATE "C",
        task_id text COLLATE "C",
        session_id text COLLATE "C",
        tool text COLLATE "C",
        decision text COLLATE "C",
        reason text COLLATE "C",
        duration_ms double precision,
        data text COLLATE "C",
        project text COLLATE "C"
      );
      CREATE INDEX events_by_ts ON events (ts);
      CREATE INDEX events_by_thread ON events (thread_id, seq) WHERE thread_id IS NOT NULL;
      CREATE INDEX events_by_task ON events (task_id, seq) WHERE task_id IS NOT NULL;
      CREATE INDEX events_by_kind ON events (kind, ts);
      CREATE INDEX events_by_project ON events (project, seq);

      CREATE TABLE tasks (
        id text COLLATE "C" PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        project text COLLATE "C" NOT NULL,
        kind text COLLATE "C" NOT NULL CHECK (kind IN ('prompt', 'issue', 'pr')),
        prompt text COLLATE "C",
        issue bigint,
        pr bigint,
        description text COLLATE "C",
        agent text COLLATE "C",
        reviewer text COLLATE "C",
        priority bigint NOT NULL DEFAULT 0,
        state text COLLATE "C" NOT NULL,
        branch text COLLATE "C",
        worktree text COLLATE "C",
        pr_url text COLLATE "C",
        pr_number bigint,
        rounds text COLLATE "C" NOT NULL DEFAULT '[]',
        validation_attempts bigint NOT NULL DEFAULT 0,
        cost_usd double precision NOT NULL DEFAULT 0,
        score double precision,
        grade text COLLATE "C",
        error text COLLATE "C",
        source text COLLATE "C",
        external_id text COLLATE "C",
        lease_owner text COLLATE "C",
        lease_expires_at text COLLATE "C",
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        started_at text COLLATE "C",
        finished_at text COLLATE "C",
        review boolean NOT NULL DEFAULT true,
        budget_usd double precision,
        deliver text COLLATE "C",
        delivery text COLLATE "C",
        commit_sha text COLLATE "C",
        pending_approval text COLLATE "C",
        approvals text COLLATE "C" NOT NULL DEFAULT '[]',
        base_commit text COLLATE "C",
        routing text COLLATE "C",
        plan text COLLATE "C",
        preflight text COLLATE "C",
        lease_generation bigint NOT NULL DEFAULT 0
      );
      -- The claim: the queued task of highest priority, oldest first.
      CREATE INDEX tasks_queue ON tasks (state, priority DESC, seq);
      CREATE INDEX tasks_by_project ON tasks (project, state);
      CREATE INDEX tasks_by_created ON tasks (created_at, id);
      CREATE INDEX tasks_by_source ON tasks (source, external_id, seq) WHERE source IS NOT NULL;

      -- A worker that lost its lease still holds the old generation: whatever path a write takes,
      -- the database refuses to move a task's generation backwards.
      CREATE FUNCTION tasks_refuse_lower_lease_generation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.lease_generation < OLD.lease_generation THEN
          RAISE EXCEPTION 'task %: lease generation % is older than the stored %',
            OLD.id, NEW.lease_generation, OLD.lease_generation
            USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
      END
      $$;
      CREATE TRIGGER tasks_lease_generation_never_lowered
        BEFORE UPDATE OF lease_generation ON tasks
        FOR EACH ROW EXECUTE FUNCTION tasks_refuse_lower_lease_generation();

      CREATE TABLE projects (
        name text COLLATE "C" PRIMARY KEY,
        root text COLLATE "C" NOT NULL,
        is_default boolean NOT NULL DEFAULT false,
        max_concurrent bigint NOT NULL,
        default_agent text COLLATE "C",
        reviewer_agent text COLLATE "C",
        created_at text COLLATE "C" NOT NULL
      );

      CREATE TABLE webhook_deliveries (
        id text COLLATE "C" PRIMARY KEY,
        event text COLLATE "C",
        received_at text COLLATE "C",
        outcome text COLLATE "C"
      );
      CREATE INDEX webhook_deliveries_by_received ON webhook_deliveries (received_at);

      CREATE TABLE webhook_triggers (
        key text COLLATE "C" PRIMARY KEY,
        delivery_id text COLLATE "C" NOT NULL,
        task_id text COLLATE "C",
        refused boolean NOT NULL DEFAULT false,
        claimed_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX webhook_triggers_by_claimed ON webhook_triggers (claimed_at);

      CREATE TABLE process_groups (
        pgid bigint NOT NULL,
        start_time text COLLATE "C" NOT NULL,
        owner text COLLATE "C" NOT NULL,
        command text COLLATE "C" NOT NULL,
        task_id text COLLATE "C",
        turn_id text COLLATE "C",
        started_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (pgid, start_time)
      );

      CREATE TABLE task_checkpoints (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        task_id text COLLATE "C" NOT NULL,
        stage text COLLATE "C" NOT NULL,
        round bigint,
        sha text COLLATE "C",
        data text COLLATE "C" NOT NULL,
        recorded_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX task_checkpoints_by_task ON task_checkpoints (task_id, seq);

      CREATE TABLE scans (
        id text COLLATE "C" PRIMARY KEY,
        project text COLLATE "C" NOT NULL,
        root text COLLATE "C" NOT NULL,
        trigger text COLLATE "C" NOT NULL,
        task_id text COLLATE "C",
        files text COLLATE "C",
        started_at text COLLATE "C" NOT NULL,
        duration_ms double precision NOT NULL,
        finding_count bigint NOT NULL,
        by_severity text COLLATE "C" NOT NULL,
        by_rule text COLLATE "C" NOT NULL
      );
      CREATE INDEX scans_by_project ON scans (project, started_at);

      CREATE TABLE signal_state (
        project text COLLATE "C" PRIMARY KEY,
        last_seq bigint NOT NULL,
        settings text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE TABLE signal_aggregates (
        project text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        count bigint NOT NULL,
        event_ids text COLLATE "C" NOT NULL,
        files text COLLATE "C" NOT NULL,
        task_ids text COLLATE "C" NOT NULL,
        first_seen text COLLATE "C",
        last_seen text COLLATE "C",
        extra text COLLATE "C" NOT NULL,
        PRIMARY KEY (project, type, key)
      );
      CREATE TABLE signals (
        id text COLLATE "C" PRIMARY KEY,
        project text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        strength double precision NOT NULL,
        detected_at text COLLATE "C" NOT NULL,
        body text COLLATE "C" NOT NULL
      );
      CREATE INDEX signals_by_project ON signals (project, strength);

      CREATE TABLE gc_drafts (
        id text COLLATE "C" PRIMARY KEY,
        project text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        signal_id text COLLATE "C" NOT NULL,
        body text COLLATE "C" NOT NULL,
        cost_usd double precision NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        expires_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX gc_drafts_by_project ON gc_drafts (project, status, created_at);
      CREATE INDEX gc_drafts_by_signal ON gc_drafts (signal_id, status);
      CREATE TABLE gc_runs (
        id text COLLATE "C" PRIMARY KEY,
        project text COLLATE "C" NOT NULL,
        status text COLLATE "C" NOT NULL,
        trigger text COLLATE "C" NOT NULL,
        owner text COLLATE "C" NOT NULL,
        started_at text COLLATE "C" NOT NULL,
        finished_at text COLLATE "C",
        signals bigint NOT NULL DEFAULT 0,
        drafts bigint NOT NULL DEFAULT 0,
        spent_usd double precision NOT NULL DEFAULT 0,
        errors text COLLATE "C" NOT NULL DEFAULT '[]',
        budget_exhausted boolean NOT NULL DEFAULT false
      );
      CREATE INDEX gc_runs_by_project ON gc_runs (project, started_at);
      CREATE UNIQUE INDEX gc_runs_one_running ON gc_runs (project) WHERE status = 'running';

      CREATE TABLE skills (
        path text COLLATE "C" PRIMARY KEY,
        name text COLLATE "C" NOT NULL,
        scope text COLLATE "C" NOT NULL,
        content_hash text COLLATE "C" NOT NULL,
        version bigint NOT NULL,
        created_at text COLLATE "C" NOT NULL,
        updated_at text COLLATE "C" NOT NULL
      );
      CREATE INDEX skills_by_name ON skills (name);
      CREATE TABLE skill_uses (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        skill text COLLATE "C" NOT NULL,
        task_id text COLLATE "C",
        thread_id text COLLATE "C",
        at text COLLATE "C" NOT NULL
      );
      CREATE INDEX skill_uses_by_skill ON skill_uses (skill, task_id);
    `,
  },
  // What the task, scan, signal, GC and skill repositories added on top (version 2 on).
  ...partBMigrations,
];

export const latestPgSchemaVersion = migrations.at(-1)?.version ?? 0;

/** Any number works as long as nothing else in the database takes the same session lock. */
const migrationLockKey = 0x4841524e; // "HARN"

export async function currentPgVersion(db: pg.ClientBase): Promise<number> {
  const { rows } = await db.query<{ version: number | null }>(
    'SELECT MAX(version) AS version FROM schema_migrations',
  );
  return rows[0]?.version ?? 0;
}

/**
 * Brings the database to the latest version and returns it. `url` only names the database in the
 * refusal of a schema written by a newer Harness (without its password).
 */
export async function migratePg(client: pg.ClientBase, url: string): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version bigint PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`);
    const from = await currentPgVersion(client);
    if (from > latestPgSchemaVersion) {
      throw new HarnessError(
        ErrorCodes.storage,
        `${redactUrl(url)}: schema version ${from} was written by a newer Harness (this one knows up to ${latestPgSchemaVersion})`,
      );
    }
    for (const migration of migrations.filter((m) => m.version > from)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
    return latestPgSchemaVersion;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
  }
}
