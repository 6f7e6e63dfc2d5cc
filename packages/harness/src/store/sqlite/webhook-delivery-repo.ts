import type Database from 'better-sqlite3';
import type { WebhookDeliveryRecord, WebhookDeliveryRepository } from '../store.js';

export class SqliteWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(private readonly db: Database.Database) {}

  async insert(record: Omit<WebhookDeliveryRecord, 'outcome'>): Promise<boolean> {
    // The primary key makes this the atomic check-and-set: of two concurrent redeliveries, one inserts.
    const result = this.db
      .prepare(
        `INSERT INTO webhook_deliveries (id, event, received_at, outcome) VALUES (@id, @event, @received_at, NULL)
         ON CONFLICT (id) DO NOTHING`,
      )
      .run(record);
    return result.changes > 0;
  }

  async get(id: string): Promise<WebhookDeliveryRecord | null> {
    const row = this.db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?').get(id) as
      WebhookDeliveryRecord | undefined;
    return row ?? null;
  }

  async setOutcome(id: string, outcome: string): Promise<void> {
    this.db.prepare('UPDATE webhook_deliveries SET outcome = ? WHERE id = ?').run(outcome, id);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM webhook_deliveries WHERE id = ?').run(id).changes > 0;
  }

  async deleteUnsettledBefore(before: string): Promise<number> {
    return this.db
      .prepare('DELETE FROM webhook_deliveries WHERE outcome IS NULL AND received_at < ?')
      .run(before).changes;
  }

  async purgeBefore(before: string): Promise<number> {
    return this.db.prepare('DELETE FROM webhook_deliveries WHERE received_at < ?').run(before).changes;
  }
}
