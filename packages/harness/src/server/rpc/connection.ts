import { notification, type RpcNotification } from '@harness/protocol';
import { newId } from '../../core/index.js';

export type TransportKind = 'stdio' | 'http' | 'ws' | 'in-process';
export type HandshakeState = 'new' | 'initializing' | 'ready';

/**
 * One client's session with the router. The handshake state lives here, so one client's
 * `initialize` never unlocks another's; notifications go out through `deliver`, if the transport
 * can push at all (plain HTTP cannot).
 */
export class Connection {
  readonly id = newId('conn');
  state: HandshakeState = 'new';
  clientName: string | null = null;
  closed = false;
  private readonly closeHandlers: (() => void)[] = [];

  /**
   * @param operator whether the client is the person running Harness rather than possibly an
   * agent: stdio and in-process clients are (their pipes are the operator's); an HTTP or WebSocket
   * client is when the API token admitted it, or without a token when it showed the operator key
   * (core/operator-key.ts). Only an operator may answer a task's approval.
   */
  constructor(
    readonly transport: TransportKind,
    private readonly deliver: ((message: RpcNotification) => void) | null,
    readonly operator: boolean,
  ) {}

  get canReceiveNotifications(): boolean {
    return this.deliver !== null && !this.closed;
  }

  notify(method: string, params?: unknown): void {
    if (this.deliver && !this.closed) this.deliver(notification(method, params));
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
