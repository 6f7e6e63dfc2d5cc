import type Database from 'better-sqlite3';
import { HarnessError, ErrorCodes } from '../../core/index.js';

/**
 * Versioned schema migrations. Each runs once, in its own transaction, and is recorded in
 * `schema_migrations`; a database written by a newer Harness is refused rather than misread.
 */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrations: Migration[] = [
  {
    version: 1,
    name: 'threads, turns and events',
    sql: `
      CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        project_root TEXT NOT NULL,
        agent TEXT,
        title TEXT,
        status TEXT NOT NULL CHECK (status IN ('idle', 'active', 'archived')),
        native_session_id TEXT,
        parent_thread_id TEXT,
        metadata TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX threads_by_created ON threads (created_at, id);
      CREATE TABLE turns (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        status TEXT NOT NULL,
        input TEXT NOT NULL,
        agent TEXT,
        items TEXT NOT NULL DEFAULT '[]',
        usage TEXT,
        error TEXT,
        started_at TEXT NOT NULL,
        completed_at TEXT,
        UNIQUE (thread_id, seq)
      );
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL,
        thread_id TEXT,
        turn_id TEXT,
        task_id TEXT,
        session_id TEXT,
        tool TEXT,
        decision TEXT,
        reason TEXT,
        duration_ms REAL,
        data TEXT
      );
      CREATE INDEX events_by_ts ON events (ts);
      CREATE INDEX events_by_thread ON events (thread_id, seq) WHERE thread_id IS NOT NULL;
      CREATE INDEX events_by_task ON events (task_id, seq) WHERE task_id IS NOT NULL;
      CREATE INDEX events_by_kind ON events (kind, ts);
    `,
  },
  {
    version: 2,
    name: 'tasks with leases, projects registered at runtime',
    sql: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL UNIQUE,
        project TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('prompt', 'issue', 'pr')),
        prompt TEXT,
        issue INTEGER,
        pr INTEGER,
        description TEXT,
        agent TEXT,
        reviewer TEXT,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        branch TEXT,
        worktree TEXT,
        pr_url TEXT,
        pr_number INTEGER,
        rounds TEXT NOT NULL DEFAULT '[]',
        validation_attempts INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL NOT NULL DEFAULT 0,
        score REAL,
        grade TEXT,
        error TEXT,
        source TEXT,
        external_id TEXT,
        lease_owner TEXT,
        lease_expires_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT
      );
      CREATE INDEX tasks_queue ON tasks (state, priority DESC, seq);
      CREATE INDEX tasks_by_project ON tasks (project, state);
      CREATE INDEX tasks_by_created ON tasks (created_at, id);
      CREATE TABLE projects (
        name TEXT PRIMARY KEY,
        root TEXT NOT NULL,
        is_default INTEGER NOT NULL DEFAULT 0,
        max_concurrent INTEGER NOT NULL,
        default_agent TEXT,
        reviewer_agent TEXT,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'webhook deliveries seen, so a redelivery is not processed twice',
    sql: `
      CREATE TABLE webhook_deliveries (
        id TEXT PRIMARY KEY,
        event TEXT,
        received_at TEXT,
        outcome TEXT
      );
      CREATE INDEX webhook_deliveries_by_received ON webhook_deliveries (received_at);
    `,
  },
  {
    version: 4,
    name: 'webhook triggers: one task per comment, review or issue event, whatever its delivery id',
    sql: `
      CREATE TABLE webhook_triggers (
        key TEXT PRIMARY KEY,
        delivery_id TEXT NOT NULL,
        task_id TEXT,
        refused INTEGER NOT NULL DEFAULT 0,
        claimed_at TEXT NOT NULL
      );
      CREATE INDEX webhook_triggers_by_claimed ON webhook_triggers (claimed_at);
    `,
  },
  {
    version: 5,
    name: 'process groups of running agents, and the finished stages of each task, for crash recovery',
    sql: `
      CREATE TABLE process_groups (
        pgid INTEGER NOT NULL,
        start_time TEXT NOT NULL,
        owner TEXT NOT NULL,
        command TEXT NOT NULL,
        task_id TEXT,
        turn_id TEXT,
        started_at TEXT NOT NULL,
        PRIMARY KEY (pgid, start_time)
      );
      CREATE TABLE task_checkpoints (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        stage TEXT NOT NULL,
        round INTEGER,
        sha TEXT,
        data TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE INDEX task_checkpoints_by_task ON task_checkpoints (task_id, seq);
    `,
  },
  {
    version: 6,
    name: 'per-task review switch and cost cap',
    sql: `
      ALTER TABLE tasks ADD COLUMN review INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE tasks ADD COLUMN budget_usd REAL;
    `,
  },
  {
    version: 7,
    name: 'how a task is delivered: asked for, chosen, and the commit delivered',
    sql: `
      ALTER TABLE tasks ADD COLUMN deliver TEXT;
      ALTER TABLE tasks ADD COLUMN delivery TEXT;
      ALTER TABLE tasks ADD COLUMN commit_sha TEXT;
    `,
  },
  {
    version: 8,
    name: 'what a task in needs_input waits for, and the answers people gave',
    sql: `
      ALTER TABLE tasks ADD COLUMN pending_approval TEXT;
      ALTER TABLE tasks ADD COLUMN approvals TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 9,
    name: "the commit a task's branch started from, for its diff",
    sql: `
      ALTER TABLE tasks ADD COLUMN base_commit TEXT;
    `,
  },
  {
    version: 10,
    name: 'the project of each event, and rule scans',
    sql: `
      ALTER TABLE events ADD COLUMN project TEXT;
      UPDATE events SET project = (SELECT project FROM tasks WHERE tasks.id = events.task_id)
        WHERE task_id IS NOT NULL;
      CREATE INDEX events_by_project ON events (project, seq);
      CREATE TABLE scans (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        root TEXT NOT NULL,
        trigger TEXT NOT NULL,
        task_id TEXT,
        files TEXT,
        started_at TEXT NOT NULL,
        duration_ms REAL NOT NULL,
        finding_count INTEGER NOT NULL,
        by_severity TEXT NOT NULL,
        by_rule TEXT NOT NULL
      );
      CREATE INDEX scans_by_project ON scans (project, started_at);
    `,
  },
  {
    version: 11,
    name: 'signal detection: checkpoints, running aggregates and detected signals per project',
    sql: `
      CREATE TABLE signal_state (
        project TEXT PRIMARY KEY,
        last_seq INTEGER NOT NULL,
        settings TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE signal_aggregates (
        project TEXT NOT NULL,
        type TEXT NOT NULL,
        key TEXT NOT NULL,
        count INTEGER NOT NULL,
        event_ids TEXT NOT NULL,
        files TEXT NOT NULL,
        task_ids TEXT NOT NULL,
        first_seen TEXT,
        last_seen TEXT,
        extra TEXT NOT NULL,
        PRIMARY KEY (project, type, key)
      );
      CREATE TABLE signals (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        type TEXT NOT NULL,
        strength REAL NOT NULL,
        detected_at TEXT NOT NULL,
        body TEXT NOT NULL
      );
      CREATE INDEX signals_by_project ON signals (project, strength);
    `,
  },
  {
    version: 12,
    name: 'GC: remediation drafts (kept whatever becomes of them) and the record of each run',
    sql: `
      CREATE TABLE gc_drafts (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        status TEXT NOT NULL,
        signal_id TEXT NOT NULL,
        body TEXT NOT NULL,
        cost_usd REAL NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX gc_drafts_by_project ON gc_drafts (project, status, created_at);
      CREATE INDEX gc_drafts_by_signal ON gc_drafts (signal_id, status);
      CREATE TABLE gc_runs (
        id TEXT PRIMARY KEY,
        project TEXT NOT NULL,
        status TEXT NOT NULL,
        trigger TEXT NOT NULL,
        owner TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        signals INTEGER NOT NULL DEFAULT 0,
        drafts INTEGER NOT NULL DEFAULT 0,
        spent_usd REAL NOT NULL DEFAULT 0,
        errors TEXT NOT NULL DEFAULT '[]',
        budget_exhausted INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX gc_runs_by_project ON gc_runs (project, started_at);
      CREATE UNIQUE INDEX gc_runs_one_running ON gc_runs (project) WHERE status = 'running';
    `,
  },
  {
    version: 13,
    name: 'Skills: the content each skill file had (its version bumped on change) and every use of a skill',
    sql: `
      CREATE TABLE skills (
        path TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        scope TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX skills_by_name ON skills (name);
      CREATE TABLE skill_uses (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        skill TEXT NOT NULL,
        task_id TEXT,
        thread_id TEXT,
        at TEXT NOT NULL
      );
      CREATE INDEX skill_uses_by_skill ON skill_uses (skill, task_id);
    `,
  },
  {
    version: 14,
    name: "a task's routing: its complexity, the agent and model chosen, and why",
    sql: `
      ALTER TABLE tasks ADD COLUMN routing TEXT;
    `,
  },
  {
    version: 15,
    name: 'tasks: the ExecPlan a task carries and its progress (JSON)',
    sql: `ALTER TABLE tasks ADD COLUMN plan TEXT;`,
  },
  {
    // What a task's preflight turn found before implementing (review/preflight.ts), as JSON.
    version: 16,
    name: "tasks: the preflight's findings, stored on the task and handed to the implementor",
    sql: `ALTER TABLE tasks ADD COLUMN preflight TEXT;`,
  },
  {
    // Every claim of a task gives its lease a new generation; guarded writes name the generation,
    // so a run whose lease was taken over (even by its own server, after a restart) writes nothing.
    version: 17,
    name: 'tasks: lease generation fencing',
    sql: `ALTER TABLE tasks ADD COLUMN lease_generation INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    // Which process runs a turn: a server starting recovers only the turns of one that is gone,
    // never those another live server of the fleet (or a CLI beside it) is running.
    version: 18,
    name: 'turns: the process that runs each',
    sql: `ALTER TABLE turns ADD COLUMN owner TEXT;`,
  },
  {
    // A turn's owner renews its lease while it runs: a server of the fleet that died on another
    // host (no process to look for) has its turns marked interrupted once their leases expire.
    version: 19,
    name: 'turns: a lease the owner renews while the turn runs',
    sql: `ALTER TABLE turns ADD COLUMN lease_expires_at TEXT;`,
  },
];

export const latestSchemaVersion = migrations.at(-1)?.version ?? 0;

export function currentVersion(db: Database.Database): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as {
    version: number | null;
  };
  return row.version ?? 0;
}

export function migrate(db: Database.Database, file: string): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const from = currentVersion(db);
  if (from > latestSchemaVersion) {
    throw new HarnessError(
      ErrorCodes.storage,
      `${file}: schema version ${from} was written by a newer Harness (this one knows up to ${latestSchemaVersion})`,
    );
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const migration of migrations.filter((m) => m.version > from)) {
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    })();
  }
  return latestSchemaVersion;
}
