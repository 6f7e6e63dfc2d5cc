import type { Clock } from '../../core/index.js';
import type { DeliveryDeduplicator } from '../../github/index.js';
import type { Store } from '../../store/index.js';

/**
 * Delivery ids kept in the store, so a redelivery after a restart is still recognised. GitHub
 * redelivers with the same `X-GitHub-Delivery` id, on request or after a timeout.
 */
export class StoreDeliveryDeduplicator implements DeliveryDeduplicator {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  remember(delivery_id: string, event = ''): Promise<boolean> {
    return this.store.webhookDeliveries.insert({
      id: delivery_id,
      event,
      received_at: this.clock.now().toISOString(),
    });
  }

  async forget(delivery_id: string): Promise<void> {
    await this.store.webhookDeliveries.delete(delivery_id);
  }

  async outcome(delivery_id: string): Promise<string | null> {
    return (await this.store.webhookDeliveries.get(delivery_id))?.outcome ?? null;
  }

  settle(delivery_id: string, outcome: string): Promise<void> {
    return this.store.webhookDeliveries.setOutcome(delivery_id, outcome);
  }

  /** GitHub redelivers for a few days at most; ids older than `retentionDays` can go. */
  purge(retentionDays: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - retentionDays * 86_400_000).toISOString();
    return this.store.webhookDeliveries.purgeBefore(before);
  }
}
