import type { Connection } from '../rpc/connection.js';

export const sessionHeader = 'harness-session';

/**
 * HTTP has no connection to hang a handshake on, so a client that completes `initialize` gets a
 * session id (the `Harness-Session` response header) to send with later requests. Idle sessions
 * expire, and their number is capped so that a flood of handshakes cannot exhaust memory.
 */
export class HttpSessions {
  private readonly sessions = new Map<string, { connection: Connection; lastUsed: number }>();

  constructor(
    private readonly idleMs: number,
    private readonly maxSessions: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string): Connection | undefined {
    const entry = this.sessions.get(id);
    if (!entry) return undefined;
    if (this.now() - entry.lastUsed > this.idleMs) {
      this.remove(id);
      return undefined;
    }
    entry.lastUsed = this.now();
    return entry.connection;
  }

  add(connection: Connection): void {
    if (this.sessions.has(connection.id)) return;
    if (this.sessions.size >= this.maxSessions) this.evictLeastRecentlyUsed();
    this.sessions.set(connection.id, { connection, lastUsed: this.now() });
  }

  sweep(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [id, entry] of this.sessions) if (entry.lastUsed < cutoff) this.remove(id);
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.remove(id);
  }

  /** Only runs when the cap is reached, so the common path never reorders the map. */
  private evictLeastRecentlyUsed(): void {
    let oldest: string | undefined;
    let oldestUse = Infinity;
    for (const [id, entry] of this.sessions) {
      if (entry.lastUsed < oldestUse) [oldest, oldestUse] = [id, entry.lastUsed];
    }
    if (oldest !== undefined) this.remove(oldest);
  }

  private remove(id: string): void {
    this.sessions.get(id)?.connection.close();
    this.sessions.delete(id);
  }
}
