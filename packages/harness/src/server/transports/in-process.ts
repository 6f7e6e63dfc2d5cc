import type { RpcNotification, RpcResponse } from '@harness/protocol';
import type { Harness } from '../harness.js';

/**
 * A client in the same process: the router without a socket, for embedding Harness and for tests.
 * Messages still go through JSON text, so what works here works on the wire.
 */
export class InProcessClient {
  readonly notifications: RpcNotification[] = [];
  private readonly connection;
  private readonly listeners = new Set<(message: RpcNotification) => void>();
  private nextId = 1;

  constructor(private readonly harness: Harness) {
    this.connection = harness.openConnection(
      'in-process',
      (message) => {
        const copy = JSON.parse(JSON.stringify(message)) as RpcNotification;
        this.notifications.push(copy);
        for (const listener of this.listeners) listener(copy);
      },
      true,
    );
  }

  /** Sends raw text; returns the parsed reply, or null when none is due (notifications). */
  async sendText(text: string): Promise<RpcResponse | RpcResponse[] | null> {
    const reply = await this.harness.router.handleText(this.connection, text);
    return reply === null ? null : (JSON.parse(reply) as RpcResponse | RpcResponse[]);
  }

  async request(method: string, params?: unknown): Promise<RpcResponse> {
    const reply = await this.sendText(JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }));
    return reply as RpcResponse;
  }

  onNotification(listener: (message: RpcNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.connection.close();
  }
}
