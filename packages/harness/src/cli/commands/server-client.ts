import type { Command } from 'commander';
import { z } from 'zod';
import { type Event, eventSchema } from '@harness/protocol';
import {
  type ErrorCode,
  ErrorCodes,
  HarnessError,
  isRecord,
  operatorKeyPath,
  readOperatorKey,
} from '../../core/index.js';
import { loadCliConfig } from '../global-options.js';

/** `--url` and `--token`, on every command that talks to a running server. */
export interface ServerFlags {
  url?: string;
  token?: string;
}

export function addServerOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the server (default: $HARNESS_URL, then http://<server.http_addr> of the config)')
    .option(
      '--token <token>',
      'its API token (default: $HARNESS_TOKEN, then server.api_token of the config, then the operator key in the data directory)',
    );
}

/** Where the server is, its token, and where each came from (for the error messages). */
export interface ServerTarget {
  url: string;
  token: string | null;
  tokenFrom: string;
}

/** `--url`/`--token`, else `HARNESS_URL`/`HARNESS_TOKEN`, else the config (loaded only when needed). */
export function resolveServer(command: Command, env: NodeJS.ProcessEnv = process.env): ServerTarget {
  const flags = command.opts<ServerFlags>();
  const fromEnv = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  let url = flags.url ?? fromEnv('HARNESS_URL');
  let token: string | null = flags.token ?? fromEnv('HARNESS_TOKEN') ?? null;
  let tokenFrom = flags.token !== undefined ? '--token' : token !== null ? 'HARNESS_TOKEN' : '';
  if (url === undefined || token === null) {
    const { config } = loadCliConfig(command);
    url ??= `http://${clientAddress(config.server.http_addr)}`;
    if (token === null && config.server.api_token) {
      token = config.server.api_token;
      tokenFrom = 'server.api_token of the config (or HARNESS_API_TOKEN)';
    }
    // No token at all: the operator key of a server on this machine marks us as its person
    // (needed to answer approvals; any other request goes without it).
    const operatorKey = token === null ? readOperatorKey(config.server.data_dir) : null;
    if (operatorKey !== null) {
      token = operatorKey;
      tokenFrom = `the operator key in ${operatorKeyPath(config.server.data_dir)}`;
    }
  }
  if (!/^https?:\/\/[^/]+/i.test(url)) {
    throw new HarnessError(ErrorCodes.invalidParams, `--url ${url}: expected http://HOST:PORT`);
  }
  return { url: url.replace(/\/+$/, ''), token, tokenFrom };
}

/** A server bound to every interface is reached on loopback. */
function clientAddress(httpAddr: string): string {
  if (httpAddr.startsWith('0.0.0.0:')) return `127.0.0.1${httpAddr.slice('0.0.0.0'.length)}`;
  if (httpAddr.startsWith('[::]:')) return `[::1]${httpAddr.slice('[::]'.length)}`;
  return httpAddr;
}

const knownCodes = new Set<string>(Object.values(ErrorCodes));
const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), data: z.unknown().optional() }),
});
const rpcResponseSchema = z.object({
  id: z.union([z.number(), z.string(), z.null()]),
  result: z.unknown().optional(),
  error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }).optional(),
});

/** A server's error as a HarnessError: its own code when Harness knows it, named in the message otherwise. */
function serverError(code: string, message: string, data?: unknown): HarnessError {
  if (knownCodes.has(code)) return new HarnessError(code as ErrorCode, message, { data });
  return new HarnessError(ErrorCodes.invalidRequest, `${message} (server error ${code})`, { data });
}

/** The JSON-RPC code for a method the server does not have. */
const methodNotFound = -32601;

/** The REST API and JSON-RPC of a running `harness serve -t http`, over Node's fetch. */
export class ServerClient {
  constructor(readonly target: ServerTarget) {}

  private headers(json: boolean, extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...(this.target.token === null ? {} : { authorization: `Bearer ${this.target.token}` }),
      ...extra,
    };
  }

  /** fetch, with the errors that mean "no server" and "wrong token" said as what to do. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.target.url}${path}`, init);
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw this.unreachable(error);
    }
    if (response.status === 401) {
      await response.body?.cancel();
      throw new HarnessError(
        ErrorCodes.unauthorized,
        this.target.token === null
          ? `the server at ${this.target.url} needs an API token: pass --token, set HARNESS_TOKEN, or set server.api_token in the config`
          : `the server at ${this.target.url} refused the token from ${this.target.tokenFrom}: it is wrong for this server (its token is server.api_token or HARNESS_API_TOKEN where it runs)`,
      );
    }
    return response;
  }

  unreachable(error: unknown): HarnessError {
    return new HarnessError(
      ErrorCodes.unavailable,
      `no Harness server at ${this.target.url} — start one with \`harness serve -t http\` or pass --url`,
      { cause: error },
    );
  }

  /** A REST call; `taskId` names the task a 404 is about. */
  async rest(method: 'GET' | 'POST', path: string, body?: unknown, taskId?: string): Promise<unknown> {
    const response = await this.fetch(path, {
      method,
      headers: this.headers(method === 'POST'),
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const payload = await readJson(response, this.target.url);
    if (response.ok) return payload;
    if (response.status === 404 && taskId !== undefined) throw noTask(taskId);
    const parsed = errorBodySchema.safeParse(payload);
    if (!parsed.success)
      throw new HarnessError(ErrorCodes.unavailable, `${this.target.url}${path} answered ${response.status}`);
    throw serverError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.data);
  }

  /** A JSON-RPC call over `POST /rpc`, with its handshake in the same batch. */
  async rpc(method: string, params: unknown, taskId?: string): Promise<unknown> {
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { client_info: { name: 'harness-cli' } } },
      { jsonrpc: '2.0', method: 'initialized' },
      { jsonrpc: '2.0', id: 2, method, params },
    ];
    const response = await this.fetch('/rpc', {
      method: 'POST',
      headers: this.headers(true),
      body: JSON.stringify(batch),
    });
    const payload = await readJson(response, this.target.url);
    const parsed = z.array(rpcResponseSchema).safeParse(payload);
    const answer = parsed.success ? parsed.data.find((r) => r.id === 2 || r.error !== undefined) : undefined;
    if (answer === undefined) {
      throw new HarnessError(
        ErrorCodes.unavailable,
        `${this.target.url}/rpc answered ${response.status} without a JSON-RPC response to ${method}`,
      );
    }
    if (answer.error === undefined) return answer.result;
    const { code, message, data } = answer.error;
    if (code === methodNotFound) {
      throw new HarnessError(
        ErrorCodes.invalidRequest,
        `the server at ${this.target.url} has no JSON-RPC method ${method} (it is older than this command): ${message}`,
      );
    }
    const dataCode = isRecord(data) && typeof data.code === 'string' ? data.code : 'rpc_error';
    if (dataCode === ErrorCodes.notFound && taskId !== undefined) throw noTask(taskId);
    throw serverError(dataCode, message, data);
  }

  /**
   * Reads `GET /tasks/ID/stream` from after `afterSeq`, calling `onEvent` for each event until the
   * stream's `end` arrives with the task (`end`), or the connection ends without one (`dropped`).
   */
  async stream(
    taskId: string,
    afterSeq: number,
    onEvent: (event: Event) => void,
  ): Promise<{ kind: 'end'; task: unknown } | { kind: 'dropped' }> {
    const response = await this.fetch(`/tasks/${encodeURIComponent(taskId)}/stream`, {
      headers: this.headers(false, { accept: 'text/event-stream', 'last-event-id': String(afterSeq) }),
    });
    if (response.status === 404) throw noTask(taskId);
    if (!response.ok || response.body === null) {
      const payload = await readJson(response, this.target.url).catch(() => null);
      const parsed = errorBodySchema.safeParse(payload);
      if (parsed.success) throw serverError(parsed.data.error.code, parsed.data.error.message);
      throw new HarnessError(ErrorCodes.unavailable, `the task stream answered ${response.status}`);
    }
    try {
      for await (const message of sseMessages(response.body)) {
        if (message.event === 'end') return { kind: 'end', task: JSON.parse(message.data) as unknown };
        const parsed = eventSchema.safeParse(JSON.parse(message.data));
        if (parsed.success) onEvent(parsed.data);
      }
    } catch {
      // the connection dropped mid-stream
    }
    return { kind: 'dropped' };
  }
}

export function noTask(taskId: string): HarnessError {
  return new HarnessError(ErrorCodes.notFound, `no task ${taskId}`);
}

async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HarnessError(
      ErrorCodes.unavailable,
      `${url} answered ${response.status} with something other than JSON: is it a Harness server?`,
    );
  }
}

interface SseMessage {
  event: string;
  data: string;
}

/** Server-Sent Events, one message per blank-line-separated block (comments skipped). */
async function* sseMessages(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      buffer += decoder.decode(read.value, { stream: true }).replace(/\r\n?/g, '\n');
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0) yield { event, data: data.join('\n') };
      }
    }
  } finally {
    // Stopped early or dropped: let go of the connection.
    await reader.cancel().catch(() => undefined);
  }
}
