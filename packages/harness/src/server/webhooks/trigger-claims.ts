import type { Clock, Logger } from '../../core/index.js';
import type { Store, WebhookTriggerRecord } from '../../store/index.js';

/** Task origin for webhook tasks; the external id is the trigger key, so a crash mid-way is recoverable. */
export const webhookTaskSource = 'github_webhook';

export type ClaimResult = { claimed: true } | { claimed: false; holder: WebhookTriggerRecord };

/**
 * At most one task (or one refusal) per comment, review or issue event, whatever delivery carries
 * it. The key is claimed in the store (a primary key, so two concurrent redeliveries cannot both
 * win) before the task is created or the refusal posted, and released if creating the task fails. The task carries the key as its external id,
 * which is how a claim cut off by a crash finds its task again.
 */
export class TriggerClaims {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  claim(key: string, deliveryId: string): Promise<ClaimResult> {
    return this.store.webhookTriggers.claim({
      key,
      delivery_id: deliveryId,
      claimed_at: this.clock.now().toISOString(),
    });
  }

  settle(key: string, taskId: string): Promise<void> {
    return this.store.webhookTriggers.setTask(key, taskId);
  }

  refused(key: string): Promise<void> {
    return this.store.webhookTriggers.setRefused(key);
  }

  async release(key: string, deliveryId: string): Promise<void> {
    await this.store.webhookTriggers.release(key, deliveryId);
  }

  /**
   * Run at start-up, before any delivery is handled: a claim without a task was cut off between
   * claim and task (by a crash or a kill). If the task was created it is recorded; otherwise the
   * claim is released so a redelivery can start it. Deliveries that never got an outcome are
   * forgotten for the same reason. Returns how many claims were repaired.
   */
  async recover(logger: Logger): Promise<number> {
    const before = this.clock.now().toISOString();
    const stale = await this.store.webhookTriggers.unsettled();
    for (const claim of stale) {
      const task = await this.store.tasks.findByExternalId(webhookTaskSource, claim.key);
      if (task !== null) await this.settle(claim.key, task.id);
      else await this.release(claim.key, claim.delivery_id);
    }
    const deliveries = await this.store.webhookDeliveries.deleteUnsettledBefore(before);
    if (stale.length > 0 || deliveries > 0)
      logger.warn(
        { claims: stale.length, deliveries },
        'webhook work cut off by the last shutdown recovered',
      );
    return stale.length;
  }

  /** Claims older than `retentionDays` can go: GitHub redelivers within days, not weeks. */
  purge(retentionDays: number): Promise<number> {
    const before = new Date(this.clock.now().getTime() - retentionDays * 86_400_000).toISOString();
    return this.store.webhookTriggers.purgeBefore(before);
  }
}

/** Why a delivery whose key another delivery holds does nothing, for the answer and the log. */
export function duplicateReason(holder: WebhookTriggerRecord): string {
  const by = `(delivery ${holder.delivery_id})`;
  if (holder.task_id !== null) return `${holder.key} already started task ${holder.task_id} ${by}`;
  if (holder.refused) return `${holder.key} was already refused ${by}`;
  return `${holder.key} is already being handled ${by}`;
}
