import type { GcRepositories, Store } from '../store.js';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { PgDb, checkDatabaseUrl, redactUrl, storageError } from './db.js';
import { EventNotifications } from './event-notifications.js';
import { PgEventRepository } from './event-repo.js';
import { pgGcRepositories } from './gc-repo.js';
import { migratePg } from './migrations.js';
import { PgProcessGroupRepository } from './process-group-repo.js';
import { PgProjectRepository } from './project-repo.js';
import { PgScanRepository } from './scan-repo.js';
import { PgSignalRepository } from './signal-repo.js';
import { PgSkillRepository } from './skill-repo.js';
import { PgTaskCheckpointRepository } from './checkpoint-repo.js';
import { PgTaskRepository } from './task-repo.js';
import { PgThreadRepository } from './thread-repo.js';
import { PgTurnRepository } from './turn-repo.js';
import { PgWebhookDeliveryRepository } from './webhook-delivery-repo.js';
import { PgWebhookTriggerRepository } from './webhook-trigger-repo.js';

export interface PgStoreOptions {
  /** Connections this server keeps open to the database, at most (default 10). */
  poolSize?: number;
}

/**
 * The fleet's store: one PostgreSQL database shared by every `harness serve`. The queue, the leases
 * and the once-only webhook records are settled by the database (row locks, unique keys, a
 * generation no write may lower); events committed by any server reach every other one through
 * LISTEN/NOTIFY.
 */
export class PgStore implements Store {
  readonly backend = 'postgres' as const;
  readonly threads: PgThreadRepository;
  readonly turns: PgTurnRepository;
  readonly events: PgEventRepository;
  readonly tasks: PgTaskRepository;
  readonly projects: PgProjectRepository;
  readonly webhookDeliveries: PgWebhookDeliveryRepository;
  readonly webhookTriggers: PgWebhookTriggerRepository;
  readonly processGroups: PgProcessGroupRepository;
  readonly checkpoints: PgTaskCheckpointRepository;
  readonly scans: PgScanRepository;
  readonly signals: PgSignalRepository;
  readonly gc: GcRepositories;
  readonly skills: PgSkillRepository;
  private readonly listeners = new Set<EventNotifications>();
  private closed = false;

  private constructor(
    private readonly db: PgDb,
    private readonly url: string,
    /** Migrations run only at open, so the version is fixed for the life of the process. */
    private readonly version: number,
  ) {
    this.threads = new PgThreadRepository(db);
    this.turns = new PgTurnRepository(db);
    this.events = new PgEventRepository(db);
    this.tasks = new PgTaskRepository(db);
    this.projects = new PgProjectRepository(db);
    this.webhookDeliveries = new PgWebhookDeliveryRepository(db);
    this.webhookTriggers = new PgWebhookTriggerRepository(db);
    this.processGroups = new PgProcessGroupRepository(db);
    this.checkpoints = new PgTaskCheckpointRepository(db);
    this.scans = new PgScanRepository(db);
    this.signals = new PgSignalRepository(db);
    this.gc = pgGcRepositories(db);
    this.skills = new PgSkillRepository(db);
  }

  /**
   * Connects to `url` (`postgres://user:password@host:port/database`) and brings its schema up to
   * date. Throws HarnessError code `storage`, naming the database without its password, when the
   * database cannot be reached or was written by a newer Harness.
   */
  static async open(url: string, options: PgStoreOptions = {}): Promise<PgStore> {
    checkDatabaseUrl(url);
    const poolSize = options.poolSize ?? 10;
    if (!Number.isInteger(poolSize) || poolSize < 1) {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `poolSize: must be a whole number of connections >= 1, got ${poolSize}`,
      );
    }
    const db = PgDb.connect(url, poolSize);
    try {
      const client = await db.pool.connect().catch((error: unknown) => {
        throw storageError(url, error);
      });
      try {
        const version = await migratePg(client, url).catch((error: unknown) => {
          throw error instanceof HarnessError ? error : storageError(url, error);
        });
        return new PgStore(db, url, version);
      } finally {
        client.release();
      }
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  async onEventsCommitted(listener: () => void): Promise<() => Promise<void>> {
    if (this.closed)
      throw new HarnessError(ErrorCodes.storage, `${redactUrl(this.url)}: the store is closed`);
    const notifications = new EventNotifications(this.url, listener);
    await notifications.start();
    this.listeners.add(notifications);
    return async () => {
      this.listeners.delete(notifications);
      await notifications.stop();
    };
  }

  async schemaVersion(): Promise<number> {
    return this.version;
  }

  async ping(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.listeners].map((notifications) => notifications.stop()));
    this.listeners.clear();
    await this.db.close();
  }
}
