import { systemClock, type Clock } from '../core/index.js';

/**
 * Remembers `X-GitHub-Delivery` ids so a redelivered webhook does not start a second task. GitHub
 * redelivers on timeouts and on request, with the same id. A persistent implementation (surviving
 * restarts) belongs to the store; this interface is what the webhook route depends on.
 */
export interface DeliveryDeduplicator {
  /** Records the id; true when it was new, false when it was seen before (a redelivery). */
  remember(delivery_id: string): Promise<boolean>;
  /** Forgets an id whose processing failed, so a redelivery is handled rather than dropped. */
  forget(delivery_id: string): Promise<void>;
}

export interface MemoryDeduplicatorOptions {
  /** At most this many ids are kept; the least recently seen go first. Default 10 000. */
  capacity?: number;
  /** Ids older than this are forgotten; GitHub's own redelivery window is days. Default 3 days. */
  ttl_ms?: number;
  clock?: Clock;
}

/** An in-memory, bounded LRU of delivery ids: for one process, and for tests. */
export class MemoryDeliveryDeduplicator implements DeliveryDeduplicator {
  readonly #seen = new Map<string, number>();
  readonly #capacity: number;
  readonly #ttl: number;
  readonly #clock: Clock;

  constructor(options: MemoryDeduplicatorOptions = {}) {
    this.#capacity = Math.max(1, options.capacity ?? 10_000);
    this.#ttl = options.ttl_ms ?? 3 * 24 * 60 * 60 * 1000;
    this.#clock = options.clock ?? systemClock;
  }

  get size(): number {
    return this.#seen.size;
  }

  async remember(delivery_id: string): Promise<boolean> {
    const now = this.#clock.now().getTime();
    const at = this.#seen.get(delivery_id);
    const fresh = at === undefined || now - at > this.#ttl;
    // Re-inserting moves the id to the young end of the Map's insertion order: that is the LRU.
    this.#seen.delete(delivery_id);
    this.#seen.set(delivery_id, fresh ? now : at);
    while (this.#seen.size > this.#capacity) {
      const oldest = this.#seen.keys().next().value as string;
      this.#seen.delete(oldest);
    }
    return fresh;
  }

  async forget(delivery_id: string): Promise<void> {
    this.#seen.delete(delivery_id);
  }
}
