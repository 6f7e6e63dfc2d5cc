import type { TriggerClaim, WebhookTriggerRecord, WebhookTriggerRepository } from '../store.js';
import type { PgDb } from './db.js';

export class PgWebhookTriggerRepository implements WebhookTriggerRepository {
  constructor(private readonly db: PgDb) {}

  async claim(record: Omit<WebhookTriggerRecord, 'task_id' | 'refused'>): Promise<TriggerClaim> {
    // The primary key is the arbiter: a concurrent insert of the same key waits for the other's
    // commit and then inserts nothing. The holder is read afterwards; should it have been released
    // in between (its handling failed), the key is free again and the claim is tried anew.
    for (;;) {
      const inserted = await this.db.query(
        `INSERT INTO webhook_triggers (key, delivery_id, task_id, refused, claimed_at)
         VALUES ($1, $2, NULL, false, $3) ON CONFLICT (key) DO NOTHING`,
        [record.key, record.delivery_id, record.claimed_at],
      );
      if ((inserted.rowCount ?? 0) > 0) return { claimed: true };
      const holder = await this.get(record.key);
      if (holder) return { claimed: false, holder };
    }
  }

  async get(key: string): Promise<WebhookTriggerRecord | null> {
    return this.db.one<WebhookTriggerRecord>('SELECT * FROM webhook_triggers WHERE key = $1', [key]);
  }

  async setTask(key: string, task_id: string): Promise<void> {
    await this.db.query('UPDATE webhook_triggers SET task_id = $1 WHERE key = $2', [task_id, key]);
  }

  async setRefused(key: string): Promise<void> {
    await this.db.query('UPDATE webhook_triggers SET refused = true WHERE key = $1', [key]);
  }

  async release(key: string, delivery_id: string): Promise<boolean> {
    const result = await this.db.query(
      'DELETE FROM webhook_triggers WHERE key = $1 AND delivery_id = $2 AND task_id IS NULL AND NOT refused',
      [key, delivery_id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async unsettled(): Promise<WebhookTriggerRecord[]> {
    return this.db.rows<WebhookTriggerRecord>(
      'SELECT * FROM webhook_triggers WHERE task_id IS NULL AND NOT refused ORDER BY claimed_at',
    );
  }

  async purgeBefore(before: string): Promise<number> {
    return (
      (await this.db.query('DELETE FROM webhook_triggers WHERE claimed_at < $1', [before])).rowCount ?? 0
    );
  }
}
