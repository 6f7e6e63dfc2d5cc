import { describeError } from '../../core/index.js';
import { WireMessageSchema, type WireMessage } from './schema.js';

export interface AppServerHandlers {
  notification(method: string, params: unknown): void;
  /** Answers a request from Codex (approvals); a throw becomes a JSON-RPC error reply. */
  request(method: string, params: unknown): Promise<unknown>;
  /** A line that is not a protocol message; the session goes on. */
  malformed(problem: string): void;
}

/** Codex's "no such method" code, used for server requests Harness does not serve. */
const METHOD_NOT_FOUND = -32601;

/** A request Codex did not answer, failed or could not take; names the method. */
export class AppServerError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`codex app-server ${method}: ${message}`);
  }
}

export class UnsupportedRequest extends Error {
  readonly code = METHOD_NOT_FOUND;
}

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * One JSON-RPC session with `codex app-server` over its stdio: newline-delimited JSON, the
 * `"jsonrpc"` member omitted. Correlates our requests with their responses, dispatches
 * notifications, and answers Codex's own requests (approvals) in the order they come.
 */
export class AppServerConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closedBecause: string | null = null;

  constructor(
    private readonly send: (line: string) => void,
    private readonly handlers: AppServerHandlers,
  ) {}

  request(method: string, params: unknown): Promise<unknown> {
    if (this.closedBecause !== null) return Promise.reject(new AppServerError(method, this.closedBecause));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.send(JSON.stringify({ id, method, params }));
    });
  }

  notify(method: string, params?: unknown): void {
    if (this.closedBecause === null)
      this.send(JSON.stringify(params === undefined ? { method } : { method, params }));
  }

  receive(raw: string): void {
    let message: WireMessage;
    try {
      const parsed = WireMessageSchema.safeParse(JSON.parse(raw));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'not a JSON-RPC message');
      message = parsed.data;
    } catch (error) {
      this.handlers.malformed(`${describeError(error)}: ${raw.slice(0, 200)}`);
      return;
    }
    const { id, method } = message;
    // answer() never rejects: a failing handler becomes an error reply to the app-server.
    if (method !== undefined && id !== undefined) void this.answer(id, method, message.params);
    else if (method !== undefined) this.handlers.notification(method, message.params);
    else if (typeof id === 'number' && this.pending.has(id)) this.settle(id, message);
    else this.handlers.malformed(`a response to no request of ours: ${raw.slice(0, 200)}`);
  }

  /** Fails every request still waiting (the process is gone) and refuses new ones. */
  close(reason: string): void {
    this.closedBecause ??= reason;
    for (const [id, pending] of this.pending) {
      this.pending.delete(id);
      pending.reject(new AppServerError(pending.method, reason));
    }
  }

  private settle(id: number, message: WireMessage): void {
    const pending = this.pending.get(id) as Pending;
    this.pending.delete(id);
    if (message.error !== undefined) {
      pending.reject(new AppServerError(pending.method, `${message.error.message} (${message.error.code})`));
    } else {
      pending.resolve(message.result);
    }
  }

  private async answer(id: string | number, method: string, params: unknown): Promise<void> {
    let reply: Record<string, unknown>;
    try {
      reply = { id, result: await this.handlers.request(method, params) };
    } catch (error) {
      const code = error instanceof UnsupportedRequest ? error.code : -32603;
      reply = { id, error: { code, message: describeError(error) } };
    }
    if (this.closedBecause === null) this.send(JSON.stringify(reply));
  }
}
