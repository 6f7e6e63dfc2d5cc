import type { Context } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { Event } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';

/** How often an idle stream sends a comment, so proxies and browsers keep the connection open. */
const keepAliveMs = 15_000;
/**
 * Events waiting for a client that does not read them (a frozen tab, a stalled network). Past this
 * the stream is cut rather than let the queue grow without end; the client resumes from its
 * Last-Event-ID and reads the rest from the store.
 */
const maxBacklog = 10_000;
/** Events read from the store per query while replaying. */
const replayPageSize = 500;

/** Which stored events a stream carries; a live event must match every field that is set. */
export interface EventScope {
  project?: string;
  task_id?: string;
}

export interface EventStreamOptions {
  scope: EventScope;
  /** The seq after which to begin (0: from the first stored event). */
  after: number;
  /** Whether the stream is over once the replay is sent (a task that had already finished). */
  endedAtStart?: boolean;
  /** Whether an event ends the stream once everything received so far is sent (a task's finish). */
  endsStream?: (event: Event) => boolean;
  /** Writes the last message of a stream that ended by itself (not by the client leaving). */
  onEnd?: (stream: SSEStreamingApi) => Promise<void>;
}

/**
 * Server-Sent Events of stored events: the history after `after`, then live ones as they are
 * logged, each with `id: <seq>` and `event: <kind>`. It subscribes before it replays, so nothing
 * logged in between is lost, and it sends an event only when its seq is above the last one sent,
 * so nothing is sent twice; a client that reconnects with `Last-Event-ID` therefore sees no gap
 * and no duplicate. Used by `GET /api/events/stream` and `GET /tasks/{id}/stream`.
 */
export function streamEvents(c: Context, events: EventLog, options: EventStreamOptions): Response {
  const { scope } = options;
  return streamSSE(c, async (stream) => {
    const live: Event[] = [];
    let wake: (() => void) | null = null;
    // Every server's events, in seq order, when a fleet shares the store.
    const unsubscribe = events.onLogged((event) => {
      if (!inScope(event, scope)) return;
      live.push(event);
      if (live.length > maxBacklog) {
        live.length = 0;
        stream.abort();
      }
      wake?.();
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    let last = options.after;
    let ended = options.endedAtStart ?? false;
    const send = async (event: Event) => {
      if (event.seq <= last) return;
      last = event.seq;
      if (options.endsStream?.(event)) ended = true;
      await stream.writeSSE({ id: String(event.seq), event: event.kind, data: JSON.stringify(event) });
    };
    try {
      for (
        let page = await storedAfter(events, scope, last);
        page.length > 0 && !stream.aborted;
        page = await storedAfter(events, scope, last)
      ) {
        for (const event of page) await send(event);
      }
      while (!ended && !stream.aborted) {
        while (live.length > 0) await send(live.shift() as Event);
        if (ended || stream.aborted) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, keepAliveMs).unref();
        });
        wake = null;
        if (live.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
      }
      if (ended && !stream.aborted) await options.onEnd?.(stream);
    } finally {
      unsubscribe();
    }
  });
}

/**
 * Where a client resumes: the `Last-Event-ID` header (sent on a reconnect, so it wins), else
 * `?after=`, else 0. Either must be a whole number; anything else is a 400 that names it.
 */
export function resumePoint(c: Context): number {
  const header = c.req.header('last-event-id');
  if (header !== undefined) return sequenceNumber(header, 'the Last-Event-ID header');
  const after = c.req.query('after');
  if (after !== undefined) return sequenceNumber(after, 'query parameter "after"');
  return 0;
}

function sequenceNumber(text: string, what: string): number {
  const value = Number(text.trim());
  if (/^\s*\d+\s*$/.test(text) && Number.isSafeInteger(value)) return value;
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `${what} must be an event sequence number (a whole number, 0 or more), got "${text}"`,
  );
}

function inScope(event: Event, scope: EventScope): boolean {
  if (scope.project !== undefined && event.project !== scope.project) return false;
  if (scope.task_id !== undefined && event.task_id !== scope.task_id) return false;
  return true;
}

function storedAfter(events: EventLog, scope: EventScope, afterSeq: number): Promise<Event[]> {
  return events.query({ ...scope, after_seq: afterSeq, limit: replayPageSize, order: 'asc' });
}
