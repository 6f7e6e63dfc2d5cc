import pg from 'pg';
import { connectionSettings, storageError } from './db.js';
import { eventsChannel } from './event-repo.js';

/** How long to wait before reconnecting after the n-th failure in a row: 100 ms doubling, at most 2 s. */
function backoffMs(failures: number): number {
  return Math.min(2_000, 100 * 2 ** failures);
}

/**
 * One `LISTEN` on a dedicated connection (a pooled one would be handed to other statements): calls
 * the listener after any process commits events. A lost connection is re-opened, with backoff, and
 * the listener is called once it is back, since notifications sent meanwhile are gone for good.
 * Connection errors never escape: they only lead to the next attempt.
 */
export class EventNotifications {
  private client: pg.Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly listener: () => void,
  ) {}

  /** Resolves once listening; throws (code storage) when the first connection fails. */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      this.stopped = true;
      throw storageError(this.url, error);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(connectionSettings(this.url, 'harness-listen'));
    let dead = false;
    const lost = () => {
      dead = true;
      this.lost(client);
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      if (message.channel === eventsChannel) this.notify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${eventsChannel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Lost between LISTEN and now, when it was not yet the one to replace.
    if (dead) this.lost(client);
  }

  private lost(client: pg.Client): void {
    if (this.stopped || client !== this.client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      if (this.stopped) return;
      this.connect().then(
        () => {
          this.failures = 0;
          if (!this.stopped) this.notify();
        },
        () => {
          this.failures += 1;
          this.scheduleReconnect();
        },
      );
    }, backoffMs(this.failures));
    // A pending reconnect alone must not keep the process alive.
    this.retry.unref();
  }

  private notify(): void {
    try {
      this.listener();
    } catch {
      // The listener is the reader's business; a throw must not take down the connection's handlers.
    }
  }
}
