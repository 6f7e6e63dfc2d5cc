import type { Event } from '@harness/protocol';
import type { HarnessClient } from './client.js';
import type { ApiError } from './errors.js';
import { readSse } from './sse.js';

export type StreamStatus = 'live' | 'reconnecting';

export interface EventStreamOptions {
  client: Pick<HarnessClient, 'send' | 'headers' | 'httpError'>;
  /** Resume after this seq: the events up to it are already reflected in what the page shows. */
  afterSeq: number;
  onEvent: (event: Event) => void;
  onStatus: (status: StreamStatus) => void;
  /** A 401 stops the stream until `restart()`: retrying the same token would only be refused again. */
  onAuthNeeded: (error: ApiError) => void;
  /** Waits between attempts; tests pass one that resolves at once. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** The delay before reconnect attempt `attempt` (0-based): exponential from 500 ms to 30 s, with jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 500 * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** Lets each seq through once, in order: what a replay after a reconnect repeats is dropped. */
export class SeqGate {
  constructor(public last: number) {}

  accept(seq: number): boolean {
    if (!Number.isInteger(seq) || seq <= this.last) return false;
    this.last = seq;
    return true;
  }
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Follows `GET /api/events/stream`, live. After a dropped connection it reconnects with backoff and
 * `Last-Event-ID: <last seq seen>`; the server replays what was missed, and the seq gate drops
 * anything seen twice, so no event is lost or applied twice.
 */
export class EventStream {
  private readonly gate: SeqGate;
  private abort: AbortController | null = null;
  private running = false;

  constructor(private readonly options: EventStreamOptions) {
    this.gate = new SeqGate(options.afterSeq);
  }

  get lastSeq(): number {
    return this.gate.last;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    void this.loop(this.abort.signal);
  }

  stop(): void {
    this.running = false;
    this.abort?.abort();
    this.abort = null;
  }

  /** After a login: start again from where the stream stopped. */
  restart(): void {
    this.stop();
    this.start();
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const sleep = this.options.sleep ?? defaultSleep;
    let attempt = 0;
    while (!signal.aborted) {
      const outcome = await this.connect(signal);
      if (signal.aborted) return;
      this.options.onStatus('reconnecting');
      if (outcome === 'auth') {
        this.running = false;
        return;
      }
      if (outcome === 'opened') attempt = 0;
      await sleep(backoffDelay(attempt++, this.options.random), signal);
    }
  }

  /** One connection, read to its end: whether it opened (then dropped), failed, or needs a token. */
  private async connect(signal: AbortSignal): Promise<'opened' | 'failed' | 'auth'> {
    const { client } = this.options;
    let response: Response;
    try {
      response = await client.send('/api/events/stream', {
        headers: client.headers(false, {
          accept: 'text/event-stream',
          'last-event-id': String(this.gate.last),
        }),
        signal,
      });
    } catch {
      return 'failed';
    }
    if (!response.ok || response.body === null) {
      const error = await client.httpError(response, 'GET /api/events/stream');
      if (error.needsToken) {
        this.options.onAuthNeeded(error);
        return 'auth';
      }
      return 'failed';
    }
    this.options.onStatus('live');
    try {
      await readSse(
        response.body,
        (message) => {
          const event = parseEvent(message.data);
          if (event && this.gate.accept(event.seq)) this.options.onEvent(event);
        },
        signal,
      );
    } catch {
      // A dropped connection: the loop reconnects from the last seq.
    }
    return 'opened';
  }
}

/** An event from a `data:` line; null for anything that is not one (it is skipped, not fatal). */
export function parseEvent(data: string): Event | null {
  try {
    const value = JSON.parse(data) as Partial<Event>;
    if (typeof value !== 'object' || value === null) return null;
    if (typeof value.seq !== 'number' || typeof value.kind !== 'string') return null;
    return value as Event;
  } catch {
    return null;
  }
}
