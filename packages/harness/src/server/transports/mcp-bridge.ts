import {
  isFailure,
  type MethodName,
  type MethodParamsInput,
  type MethodResult,
  type RpcNotification,
  type Turn,
} from '@harness/protocol';
import type { Harness } from '../harness.js';
import { InProcessClient } from './in-process.js';
import { ToolFailure, describeRpcError } from './mcp-results.js';

export type TurnWait = { outcome: 'finished'; turn: Turn } | { outcome: 'timeout' | 'aborted'; turn: Turn };

/** What a waiting caller hears about a turn while it runs (items as they complete). */
export type TurnProgress = (method: string, params: Record<string, unknown>) => void;

/**
 * The MCP tools' way into Harness: one in-process JSON-RPC connection, so every tool call goes
 * through the same router, params validation and handshake as the other transports.
 */
export class RpcBridge {
  private readonly client: InProcessClient;
  private readonly turnListeners = new Map<string, Set<TurnProgress>>();

  private constructor(harness: Harness) {
    this.client = new InProcessClient(harness);
    this.client.onNotification((message) => this.route(message));
  }

  static async open(harness: Harness, clientName: string): Promise<RpcBridge> {
    const bridge = new RpcBridge(harness);
    await bridge.call('initialize', { client_info: { name: clientName } });
    await bridge.call('initialized', {});
    return bridge;
  }

  /** Calls a method; a JSON-RPC error becomes a ToolFailure carrying a readable message. */
  async call<M extends MethodName>(method: M, params: MethodParamsInput<M>): Promise<MethodResult<M>> {
    const reply = await this.client.request(method, params);
    if (isFailure(reply)) throw new ToolFailure(describeRpcError(method, reply.error));
    return reply.result as MethodResult<M>;
  }

  /**
   * Waits until the turn is no longer running, the timeout passes or `signal` aborts, and returns
   * the turn as stored at that moment. The listener goes in before the status check, so a turn
   * that finishes in between is not missed.
   */
  async waitForTurn(
    turnId: string,
    timeoutMs: number,
    signal: AbortSignal,
    progress?: TurnProgress,
  ): Promise<TurnWait> {
    let release = (): void => {};
    const ended = new Promise<'finished' | 'timeout' | 'aborted'>((resolve) => {
      const timer = setTimeout(() => resolve('timeout'), timeoutMs);
      const onAbort = (): void => resolve('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      const listener: TurnProgress = (method, params) => {
        if (method === 'turn/completed') resolve('finished');
        else progress?.(method, params);
      };
      this.listen(turnId, listener);
      release = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.turnListeners.get(turnId)?.delete(listener);
      };
    });
    try {
      const status = await this.call('turn/status', { turn_id: turnId });
      if (!status.running) return { outcome: 'finished', turn: status.turn };
      const outcome = await ended;
      const { turn } = await this.call('turn/status', { turn_id: turnId });
      return { outcome, turn };
    } finally {
      release();
    }
  }

  close(): void {
    this.client.close();
  }

  private listen(turnId: string, listener: TurnProgress): void {
    const listeners = this.turnListeners.get(turnId) ?? new Set();
    listeners.add(listener);
    this.turnListeners.set(turnId, listeners);
  }

  private route(message: RpcNotification): void {
    // Listeners consume notifications as they come; the client's own buffer would only grow.
    this.client.notifications.splice(0);
    const params = (message.params ?? {}) as Record<string, unknown>;
    if (typeof params.turn_id !== 'string') return;
    const listeners = this.turnListeners.get(params.turn_id);
    if (!listeners) return;
    for (const listener of listeners) listener(message.method, params);
    if (message.method === 'turn/completed') this.turnListeners.delete(params.turn_id);
  }
}
