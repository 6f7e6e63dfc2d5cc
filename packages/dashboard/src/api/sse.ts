/**
 * Server-Sent Events, read with `fetch` and a stream reader: EventSource cannot send the
 * Authorization header, and the token must never go in a URL.
 */

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

/**
 * An incremental parser of the SSE wire format (WHATWG HTML §9.2): feed it decoded text as it
 * arrives, in chunks cut anywhere, and it hands back each complete message. Comments (`: keep-alive`)
 * and fields it does not know are skipped.
 */
export class SseParser {
  private buffer = '';
  private data: string[] = [];
  private event = '';
  private id: string | null = null;
  private sawField = false;

  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const end = this.lineEnd();
      if (end === null) break;
      const line = this.buffer.slice(0, end.at);
      this.buffer = this.buffer.slice(end.at + end.length);
      const message = this.line(line);
      if (message) messages.push(message);
    }
    return messages;
  }

  /** Where the first complete line ends; a lone CR at the end may be half of a CRLF, so it waits. */
  private lineEnd(): { at: number; length: number } | null {
    const lf = this.buffer.indexOf('\n');
    const cr = this.buffer.indexOf('\r');
    if (cr !== -1 && (lf === -1 || cr < lf)) {
      if (cr === this.buffer.length - 1) return null;
      return { at: cr, length: this.buffer[cr + 1] === '\n' ? 2 : 1 };
    }
    return lf === -1 ? null : { at: lf, length: 1 };
  }

  private line(line: string): SseMessage | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else return null;
    this.sawField = true;
    return null;
  }

  private dispatch(): SseMessage | null {
    const message =
      this.sawField && this.data.length > 0
        ? { id: this.id, event: this.event || 'message', data: this.data.join('\n') }
        : null;
    this.data = [];
    this.event = '';
    this.sawField = false;
    // The id persists between messages, as the spec's "last event ID buffer" does.
    return message;
  }
}

/** Reads a response body to its end, handing each SSE message to `onMessage`. */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onMessage: (message: SseMessage) => void,
  signal?: AbortSignal,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of parser.push(decoder.decode(value, { stream: true }))) onMessage(message);
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
