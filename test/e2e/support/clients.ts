import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { RpcNotification, RpcResponse } from '@harness/protocol';
import type { Harness } from '../../../packages/harness/src/server/index.js';
import { InProcessClient } from '../../../packages/harness/src/server/index.js';
import { harnessBin, parseJson } from './harness-process.js';

type Message = RpcResponse | RpcResponse[];

/**
 * One client interface over every transport, so the contract scenarios run unchanged on each.
 * `send` returns the reply to the text sent, or null when the server rightly sends none.
 */
export interface RpcTestClient {
  readonly transport: string;
  readonly pushesNotifications: boolean;
  send(text: string, expectReply?: boolean): Promise<Message | null>;
  request(method: string, params?: unknown): Promise<RpcResponse>;
  notifications: RpcNotification[];
  close(): Promise<void>;
}

let nextId = 1;
const requestText = (method: string, params?: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, ...(params === undefined ? {} : { params }) });

/** Shared by the stream transports (stdio, WebSocket): messages arrive in order on one channel. */
abstract class StreamClient implements RpcTestClient {
  abstract readonly transport: string;
  readonly pushesNotifications = true;
  notifications: RpcNotification[] = [];
  private replies: Message[] = [];
  private waiters: ((message: Message) => void)[] = [];

  protected receive(text: string): void {
    const message = parseJson(text) as (Message & { method?: string }) | undefined;
    if (message === undefined) throw new Error(`server sent a line that is not JSON: ${text}`);
    if (!Array.isArray(message) && 'method' in message) {
      this.notifications.push(message as unknown as RpcNotification);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter(message);
    else this.replies.push(message);
  }

  protected abstract write(text: string): void;
  abstract close(): Promise<void>;

  private nextReply(): Promise<Message> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async send(text: string, expectReply = true): Promise<Message | null> {
    this.write(text);
    if (expectReply) return this.nextReply();
    // Nothing is due: a probe with a unique id must be the very next reply.
    const probe = `probe-${nextId++}`;
    this.write(JSON.stringify({ jsonrpc: '2.0', id: probe, method: 'probe/none' }));
    const reply = await this.nextReply();
    if (Array.isArray(reply) || reply.id !== probe)
      throw new Error(`unexpected reply: ${JSON.stringify(reply)}`);
    return null;
  }

  async request(method: string, params?: unknown): Promise<RpcResponse> {
    return (await this.send(requestText(method, params))) as RpcResponse;
  }
}

export class StdioClient extends StreamClient {
  readonly transport = 'stdio';
  readonly stderr: string[] = [];
  private constructor(readonly child: ChildProcess) {
    super();
    createInterface({ input: child.stdout! }).on('line', (line) => this.receive(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.stderr.push(line));
  }

  static start(dataDir: string, env: NodeJS.ProcessEnv, extraArgs: string[] = []): StdioClient {
    const child = spawn(
      process.execPath,
      [harnessBin, 'serve', '--transport', 'stdio', '--data-dir', dataDir, ...extraArgs],
      {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    return new StdioClient(child);
  }

  protected write(text: string): void {
    this.child.stdin!.write(`${text}\n`);
  }

  writeRaw(bytes: string | Buffer): void {
    this.child.stdin!.write(bytes);
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    if (this.child.exitCode === null) await exited;
  }
}

export class WsClient extends StreamClient {
  readonly transport = 'ws';
  private constructor(private readonly socket: WebSocket) {
    super();
    socket.on('message', (data) => this.receive(String(data)));
  }

  static async connect(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new WsClient(socket);
  }

  protected write(text: string): void {
    this.socket.send(text);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.socket.once('close', resolve));
    this.socket.close();
    await closed;
  }
}

/** Plain HTTP: one POST per message; the session header carries the handshake between requests. */
export class HttpClient implements RpcTestClient {
  readonly transport = 'http';
  readonly pushesNotifications = false;
  notifications: RpcNotification[] = [];
  session: string | null = null;

  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async post(text: string, extraHeaders: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...this.headers,
      ...extraHeaders,
    };
    if (this.session) headers['harness-session'] = this.session;
    const response = await fetch(`${this.url}/rpc`, { method: 'POST', headers, body: text });
    this.session = response.headers.get('harness-session') ?? this.session;
    return response;
  }

  async send(text: string): Promise<Message | null> {
    const response = await this.post(text);
    if (response.status === 204) return null;
    if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
    return (await response.json()) as Message;
  }

  async request(method: string, params?: unknown): Promise<RpcResponse> {
    return (await this.send(requestText(method, params))) as RpcResponse;
  }

  async close(): Promise<void> {}
}

export class InProcessTestClient implements RpcTestClient {
  readonly transport = 'in-process';
  readonly pushesNotifications = true;
  private readonly client: InProcessClient;

  constructor(harness: Harness) {
    this.client = new InProcessClient(harness);
  }

  get notifications(): RpcNotification[] {
    return this.client.notifications;
  }

  send(text: string): Promise<Message | null> {
    return this.client.sendText(text);
  }

  request(method: string, params?: unknown): Promise<RpcResponse> {
    return this.client.request(method, params);
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
