import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCodes, HarnessError, describeError } from '../../core/index.js';
import type { GcRepositories, Store } from '../store.js';
import { SqliteEventRepository } from './event-repo.js';
import { sqliteGcRepositories } from './gc-repo.js';
import { migrate } from './migrations.js';
import { SqliteProjectRepository } from './project-repo.js';
import { SqliteScanRepository } from './scan-repo.js';
import { SqliteSignalRepository } from './signal-repo.js';
import { SqliteSkillRepository } from './skill-repo.js';
import { SqliteProcessGroupRepository, SqliteTaskCheckpointRepository } from './recovery-repos.js';
import { SqliteTaskRepository } from './task-repo.js';
import { SqliteThreadRepository } from './thread-repo.js';
import { SqliteTurnRepository } from './turn-repo.js';
import { SqliteWebhookDeliveryRepository } from './webhook-delivery-repo.js';
import { SqliteWebhookTriggerRepository } from './webhook-trigger-repo.js';
import { cacheStatements } from './statement-cache.js';

export const databaseFileName = 'harness.db';

/**
 * The embedded store: one SQLite file in WAL mode under the data dir. `synchronous = FULL` makes
 * every acknowledged write durable even if the machine, not only the process, goes down.
 */
export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  readonly threads: SqliteThreadRepository;
  readonly turns: SqliteTurnRepository;
  readonly events: SqliteEventRepository;
  readonly tasks: SqliteTaskRepository;
  readonly projects: SqliteProjectRepository;
  readonly webhookDeliveries: SqliteWebhookDeliveryRepository;
  readonly webhookTriggers: SqliteWebhookTriggerRepository;
  readonly processGroups: SqliteProcessGroupRepository;
  readonly checkpoints: SqliteTaskCheckpointRepository;
  readonly scans: SqliteScanRepository;
  readonly signals: SqliteSignalRepository;
  readonly gc: GcRepositories;
  readonly skills: SqliteSkillRepository;
  private readonly ping$: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    /** Migrations run only at open, so the version is fixed for the life of the process. */
    private readonly version: number,
  ) {
    this.threads = new SqliteThreadRepository(db);
    this.turns = new SqliteTurnRepository(db);
    this.events = new SqliteEventRepository(db);
    this.tasks = new SqliteTaskRepository(db, this.events);
    this.projects = new SqliteProjectRepository(db);
    this.webhookDeliveries = new SqliteWebhookDeliveryRepository(db);
    this.webhookTriggers = new SqliteWebhookTriggerRepository(db);
    this.processGroups = new SqliteProcessGroupRepository(db);
    this.checkpoints = new SqliteTaskCheckpointRepository(db);
    this.scans = new SqliteScanRepository(db);
    this.signals = new SqliteSignalRepository(db);
    this.gc = sqliteGcRepositories(db);
    this.skills = new SqliteSkillRepository(db);
    this.ping$ = db.prepare('SELECT 1');
  }

  /** Opens (creating if needed) the database in `dataDir`, or `:memory:` for throwaway use. */
  static open(dataDir: string | ':memory:'): SqliteStore {
    const file = dataDir === ':memory:' ? ':memory:' : path.join(dataDir, databaseFileName);
    let db: Database.Database;
    try {
      if (dataDir !== ':memory:') mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      cacheStatements(db);
    } catch (error) {
      throw new HarnessError(
        ErrorCodes.storage,
        `cannot open the database ${file}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    try {
      return new SqliteStore(db, file, migrate(db, file));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async schemaVersion(): Promise<number> {
    return this.version;
  }

  async ping(): Promise<boolean> {
    try {
      this.ping$.get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
