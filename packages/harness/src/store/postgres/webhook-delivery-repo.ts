import type { WebhookDeliveryRecord, WebhookDeliveryRepository } from '../store.js';
import type { PgDb } from './db.js';

export class PgWebhookDeliveryRepository implements WebhookDeliveryRepository {
  constructor(private readonly db: PgDb) {}

  async insert(record: Omit<WebhookDeliveryRecord, 'outcome'>): Promise<boolean> {
    // The primary key makes this the atomic check-and-set across the fleet: of two servers given
    // the same delivery, one inserts.
    const result = await this.db.query(
      `INSERT INTO webhook_deliveries (id, event, received_at, outcome) VALUES ($1, $2, $3, NULL)
       ON CONFLICT (id) DO NOTHING`,
      [record.id, record.event, record.received_at],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async get(id: string): Promise<WebhookDeliveryRecord | null> {
    return this.db.one<WebhookDeliveryRecord>('SELECT * FROM webhook_deliveries WHERE id = $1', [id]);
  }

  async setOutcome(id: string, outcome: string): Promise<void> {
    await this.db.query('UPDATE webhook_deliveries SET outcome = $1 WHERE id = $2', [outcome, id]);
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM webhook_deliveries WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async deleteUnsettledBefore(before: string): Promise<number> {
    const result = await this.db.query(
      'DELETE FROM webhook_deliveries WHERE outcome IS NULL AND received_at < $1',
      [before],
    );
    return result.rowCount ?? 0;
  }

  async purgeBefore(before: string): Promise<number> {
    return (
      (await this.db.query('DELETE FROM webhook_deliveries WHERE received_at < $1', [before])).rowCount ?? 0
    );
  }
}
