import type Database from 'better-sqlite3';
import type { TriggerClaim, WebhookTriggerRecord, WebhookTriggerRepository } from '../store.js';

interface TriggerRow extends Omit<WebhookTriggerRecord, 'refused'> {
  refused: number;
}

function toRecord(row: TriggerRow): WebhookTriggerRecord {
  return { ...row, refused: row.refused !== 0 };
}

export class SqliteWebhookTriggerRepository implements WebhookTriggerRepository {
  readonly #insert: Database.Statement;
  readonly #get: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.#insert = db.prepare(
      `INSERT INTO webhook_triggers (key, delivery_id, task_id, refused, claimed_at)
       VALUES (@key, @delivery_id, NULL, 0, @claimed_at) ON CONFLICT (key) DO NOTHING`,
    );
    this.#get = db.prepare('SELECT * FROM webhook_triggers WHERE key = ?');
  }

  async claim(record: Omit<WebhookTriggerRecord, 'task_id' | 'refused'>): Promise<TriggerClaim> {
    // The primary key is the arbiter: the insert and the read of the holder are one transaction,
    // so a loser always sees the winner's row (never a claim released in between).
    return this.db.transaction((): TriggerClaim => {
      if (this.#insert.run(record).changes > 0) return { claimed: true };
      return { claimed: false, holder: toRecord(this.#get.get(record.key) as TriggerRow) };
    })();
  }

  async get(key: string): Promise<WebhookTriggerRecord | null> {
    const row = this.#get.get(key) as TriggerRow | undefined;
    return row === undefined ? null : toRecord(row);
  }

  async setTask(key: string, task_id: string): Promise<void> {
    this.db.prepare('UPDATE webhook_triggers SET task_id = ? WHERE key = ?').run(task_id, key);
  }

  async setRefused(key: string): Promise<void> {
    this.db.prepare('UPDATE webhook_triggers SET refused = 1 WHERE key = ?').run(key);
  }

  async release(key: string, delivery_id: string): Promise<boolean> {
    const result = this.db
      .prepare(
        'DELETE FROM webhook_triggers WHERE key = ? AND delivery_id = ? AND task_id IS NULL AND refused = 0',
      )
      .run(key, delivery_id);
    return result.changes > 0;
  }

  async unsettled(): Promise<WebhookTriggerRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM webhook_triggers WHERE task_id IS NULL AND refused = 0 ORDER BY claimed_at')
      .all() as TriggerRow[];
    return rows.map(toRecord);
  }

  async purgeBefore(before: string): Promise<number> {
    return this.db.prepare('DELETE FROM webhook_triggers WHERE claimed_at < ?').run(before).changes;
  }
}
