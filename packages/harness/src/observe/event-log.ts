import type { Event } from '@harness/protocol';
import { type Clock, type Logger, newId, systemClock } from '../core/index.js';
import type { EventFilter, NewEvent, Store } from '../store/index.js';

export type EventInput = Omit<NewEvent, 'id' | 'ts'> & { id?: string; ts?: string };
export type EventListener = (event: Event) => void;

/** Events read from the store per query while catching up with what the fleet committed. */
const feedPageSize = 1000;

/**
 * The one way events enter Harness: persisted first, then announced to listeners. Two kinds:
 * `onAppend` hears what this process appended, as soon as it is stored (what only the writer
 * should act on: telemetry, webhook replies, GC counts); `onLogged` hears every event in the
 * store, in seq order and once each — with a store shared by a fleet (`Store.onEventsCommitted`),
 * those of the other servers too (streams, notifications, the dashboard).
 * A listener that throws is logged and never stops the others or the writer.
 */
export class EventLog {
  private readonly appendListeners = new Set<EventListener>();
  private readonly loggedListeners = new Set<EventListener>();
  /** Set while following a shared store: `onLogged` is then fed from it alone (see follow()). */
  private feed: { lastSeq: number; stop: () => Promise<void> } | null = null;
  private draining: Promise<void> | null = null;
  private drainAgain = false;

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {}

  async append(input: EventInput): Promise<{ event: Event; duplicate: boolean }> {
    const stored = await this.store.events.append(this.complete(input));
    if (!stored.duplicate) this.announceStored(stored.event);
    return stored;
  }

  /**
   * Stores the event through `write`, which stores it together with another change in one
   * transaction (`tasks.transitionLogged`), then announces it; null, and nothing announced, when
   * `write` stored nothing.
   */
  async appendWith<T extends { event: Event }>(
    input: EventInput,
    write: (event: NewEvent) => Promise<T | null>,
  ): Promise<T | null> {
    const stored = await write(this.complete(input));
    if (stored !== null) this.announceStored(stored.event);
    return stored;
  }

  private complete(input: EventInput): NewEvent {
    return {
      ...input,
      id: input.id ?? newId('evt'),
      ts: (input.ts === undefined ? this.clock.now() : new Date(input.ts)).toISOString(),
    };
  }

  private announceStored(event: Event): void {
    this.announce(this.appendListeners, event);
    if (this.feed === null) this.announce(this.loggedListeners, event);
  }

  query(filter: EventFilter): Promise<Event[]> {
    return this.store.events.query(filter);
  }

  /** Events this process appended, each once, as soon as it is stored. */
  onAppend(listener: EventListener): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * Every event stored from now on, whichever server of the fleet appended it, in seq order and
   * once each. Without a shared store these are this process's appends, announced at once.
   */
  onLogged(listener: EventListener): () => void {
    this.loggedListeners.add(listener);
    return () => this.loggedListeners.delete(listener);
  }

  /**
   * Follows a store shared by a fleet: on each commit notice, the events after the last one
   * announced are read by seq and announced to `onLogged` listeners. This process's own events go
   * the same way rather than at append time: announced at once, one of them could overtake an
   * earlier-committed event of another server, and a stream that skips by seq would then drop the
   * earlier one. Seqs are handed out in commit order, so reading after the last seq skips none.
   * A store without notices (SQLite, one process) is not followed.
   */
  async follow(): Promise<void> {
    if (this.store.onEventsCommitted === undefined || this.feed !== null) return;
    const stop = await this.store.onEventsCommitted(() => void this.drain());
    // Listening first, then the high-water mark: what commits in between is above it or replayable.
    const [latest] = await this.store.events.query({ limit: 1, order: 'desc' });
    this.feed = { lastSeq: latest?.seq ?? 0, stop };
    // A notice that came while the mark was read found no feed yet: read once now in its place.
    await this.drain();
  }

  /** Stops following the fleet's events (before the store closes). */
  async stopFollowing(): Promise<void> {
    const feed = this.feed;
    if (feed === null) return;
    await feed.stop();
    await this.draining;
    this.feed = null;
  }

  /** Coalesces notices: one catch-up at a time, and one more if a notice came meanwhile. */
  private drain(): Promise<void> {
    if (this.draining !== null) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = this.catchUp()
      .catch((error: unknown) =>
        // The next notice (or the reconnect one) reads again from the last announced seq.
        this.logger.warn({ err: error }, 'reading events committed by the fleet failed'),
      )
      .finally(() => {
        this.draining = null;
        if (this.drainAgain) {
          this.drainAgain = false;
          void this.drain();
        }
      });
    return this.draining;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const feed = this.feed;
      if (feed === null) return;
      const page = await this.store.events.query({
        after_seq: feed.lastSeq,
        order: 'asc',
        limit: feedPageSize,
      });
      for (const event of page) {
        if (event.seq <= feed.lastSeq) continue;
        feed.lastSeq = event.seq;
        this.announce(this.loggedListeners, event);
      }
      if (page.length < feedPageSize) return;
    }
  }

  private announce(listeners: ReadonlySet<EventListener>, event: Event): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.error({ err: error, event_id: event.id }, 'event listener failed');
      }
    }
  }

  /** Applies `[observe] log_retention_days`; 0 keeps everything. */
  async applyRetention(retentionDays: number): Promise<number> {
    if (retentionDays <= 0) return 0;
    const cutoff = new Date(this.clock.now().getTime() - retentionDays * 86_400_000).toISOString();
    return this.store.events.purgeBefore(cutoff);
  }
}
