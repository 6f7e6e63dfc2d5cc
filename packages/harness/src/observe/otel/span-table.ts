import type { Span } from '@opentelemetry/api';
import { Harness } from './attributes.js';

/** Why the exporter, not the span's own closing event, ended a span. */
export type ForcedEnd = 'evicted' | 'shutdown' | 'replaced' | 'turn_end' | 'task_end';

export interface Tracked {
  /** Absent while a turn waits for the event that tells which task (and so which parent) it has. */
  span?: Span | undefined;
  startMs: number;
}

/**
 * The spans still waiting for their closing event. Bounded: a producer that never sends the close
 * (a crash, an evicted parent, a bug) must not grow memory without limit, so past `cap` the oldest
 * span is ended and dropped. A `Map` iterates in insertion order, which makes "oldest" O(1).
 */
export class SpanTable<T extends Tracked> {
  private readonly open = new Map<string, T>();

  constructor(private readonly cap: number) {}

  get size(): number {
    return this.open.size;
  }

  get(key: string): T | undefined {
    return this.open.get(key);
  }

  add(key: string, entry: T, nowMs: number): void {
    const previous = this.open.get(key);
    if (previous) {
      this.open.delete(key);
      forceEnd(previous, 'replaced', nowMs);
    }
    this.open.set(key, entry);
    while (this.open.size > this.cap) {
      const oldest = this.open.entries().next().value;
      if (oldest === undefined) break;
      this.open.delete(oldest[0]);
      forceEnd(oldest[1], 'evicted', nowMs);
    }
  }

  take(key: string): T | undefined {
    const entry = this.open.get(key);
    if (entry) this.open.delete(key);
    return entry;
  }

  /** Ends every open span (shutdown): each says why, so a trace viewer can tell it was cut short. */
  endAll(reason: ForcedEnd, nowMs: number): number {
    const entries = [...this.open.values()];
    this.open.clear();
    // Children were opened after their parents, so ending newest first keeps ends nested.
    for (const entry of entries.reverse()) forceEnd(entry, reason, nowMs);
    return entries.length;
  }
}

export function forceEnd(entry: Tracked, reason: ForcedEnd, nowMs: number): void {
  if (!entry.span) return;
  entry.span.setAttribute(Harness.endedBy, reason);
  entry.span.end(Math.max(nowMs, entry.startMs));
}
