import type { Event } from '@harness/protocol';
import { type Clock, type Logger, newId, systemClock } from '../core/index.js';
import type { EventFilter, NewEvent, Store } from '../store/index.js';

export type EventInput = Omit<NewEvent, 'id' | 'ts'> & { id?: string; ts?: string };
export type EventListener = (event: Event) => void;

/**
 * The one way events enter Harness: persisted first, then announced to listeners (notifications,
 * exporters). A listener that throws is logged and never stops the others or the writer.
 */
export class EventLog {
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  async append(input: EventInput): Promise<{ event: Event; duplicate: boolean }> {
    const stored = await this.store.events.append({
      ...input,
      id: input.id ?? newId('evt'),
      ts: (input.ts === undefined ? this.clock.now() : new Date(input.ts)).toISOString(),
    });
    if (!stored.duplicate) {
      for (const listener of this.listeners) {
        try {
          listener(stored.event);
        } catch (error) {
          this.logger.error({ err: error, event_id: stored.event.id }, 'event listener failed');
        }
      }
    }
    return stored;
  }

  query(filter: EventFilter): Promise<Event[]> {
    return this.store.events.query(filter);
  }

  onAppend(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies `[observe] log_retention_days`; 0 keeps everything. */
  async applyRetention(retentionDays: number): Promise<number> {
    if (retentionDays <= 0) return 0;
    const cutoff = new Date(this.clock.now().getTime() - retentionDays * 86_400_000).toISOString();
    return this.store.events.purgeBefore(cutoff);
  }
}
