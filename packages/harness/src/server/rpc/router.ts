import type { z } from 'zod';
import {
  RpcErrorCodes,
  canonicalMethodName,
  exceedsJsonDepth,
  failure,
  findLoneSurrogate,
  jsonDepthMessage,
  loneSurrogateMessage,
  mayHoldLoneSurrogate,
  handshakeMethods,
  methods,
  noParams,
  success,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type RpcId,
  type RpcResponse,
} from '@harness/protocol';
import { type Logger, describeIssue, isRecord, issueReports, newId } from '../../core/index.js';
import type { Connection } from './connection.js';
import { toRpcError } from './errors.js';

export interface HandlerContext {
  connection: Connection;
}

export type Handler<M extends MethodName> = (
  params: MethodParams<M>,
  context: HandlerContext,
) => Promise<MethodResult<M>> | MethodResult<M>;

export type HandlerTable = { [M in MethodName]: Handler<M> };

type Incoming = Record<string, unknown>;

const isValidId = (id: unknown): id is RpcId =>
  id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));

/**
 * The JSON-RPC 2.0 router shared by every transport: envelope checks, batches, the per-connection
 * handshake, params validation against the protocol's schemas, and error mapping.
 */
export class RpcRouter {
  constructor(
    private readonly handlers: HandlerTable,
    private readonly logger: Logger,
  ) {}

  /** Handles one raw message (a JSON text); returns the serialized reply, or null when none is due. */
  async handleText(connection: Connection, text: string): Promise<string | null> {
    // Before parsing: depth is checked on the raw text, so no deep value is ever built or walked.
    if (exceedsJsonDepth(text)) {
      return JSON.stringify(
        failure(null, RpcErrorCodes.invalidRequest, `invalid request: ${jsonDepthMessage()}`),
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (error) {
      const detail = error instanceof Error ? error.message : 'invalid JSON';
      return JSON.stringify(failure(null, RpcErrorCodes.parseError, `parse error: ${detail}`));
    }
    // Only text with a \uD800-\uDFFF escape can hold a lone surrogate; the rest skips the walk.
    const unsafe = mayHoldLoneSurrogate(text) ? loneSurrogateReply(payload) : null;
    const reply = unsafe ?? (await this.handleChecked(connection, payload));
    return reply === null ? null : JSON.stringify(reply);
  }

  /** Handles a parsed message or batch. Batch members run in order, so a handshake can share a batch. */
  handle(connection: Connection, payload: unknown): Promise<RpcResponse | RpcResponse[] | null> {
    const unsafe = loneSurrogateReply(payload);
    return unsafe ? Promise.resolve(unsafe) : this.handleChecked(connection, payload);
  }

  private handleChecked(connection: Connection, payload: unknown) {
    if (!Array.isArray(payload)) return this.handleOne(connection, payload);
    return this.handleBatch(connection, payload);
  }

  private async handleBatch(
    connection: Connection,
    payload: unknown[],
  ): Promise<RpcResponse[] | RpcResponse | null> {
    if (payload.length === 0) {
      return failure(null, RpcErrorCodes.invalidRequest, 'invalid request: an empty batch');
    }
    const replies: RpcResponse[] = [];
    for (const member of payload) {
      const reply = await this.handleOne(connection, member);
      if (reply) replies.push(reply);
    }
    return replies.length > 0 ? replies : null;
  }

  private handleOne(connection: Connection, message: unknown): Promise<RpcResponse | null> {
    const invalid = checkEnvelope(message);
    if (invalid) {
      const id = isRecord(message) && isValidId(message.id) ? message.id : null;
      return Promise.resolve(failure(id, RpcErrorCodes.invalidRequest, `invalid request: ${invalid}`));
    }
    const request = message as Incoming & { method: string };
    const reply = this.dispatch(connection, request, (request.id ?? null) as RpcId);
    return 'id' in request ? reply : reply.then(() => null);
  }

  private async dispatch(connection: Connection, request: Incoming & { method: string }, id: RpcId) {
    const name = canonicalMethodName(request.method);
    if (!name) return failure(id, RpcErrorCodes.methodNotFound, `method not found: ${request.method}`);
    const gate = handshakeGate(connection, name);
    if (gate) return failure(id, gate.code, gate.message);
    const schema = methods[name].params as z.ZodType;
    // Most calls of parameterless methods (health/check on a hot path) send no params at all.
    const parsed =
      schema === noParams && (request.params === undefined || request.params === null)
        ? { success: true as const, data: {} }
        : schema.safeParse(request.params ?? {});
    if (!parsed.success) {
      const issues = issueReports(parsed.error);
      const first = issues[0];
      return failure(
        id,
        RpcErrorCodes.invalidParams,
        `invalid params for ${name}: ${first ? describeIssue(first) : 'invalid'}`,
        {
          issues,
        },
      );
    }
    try {
      const handler = this.handlers[name] as Handler<MethodName>;
      return success(id, await handler(parsed.data as MethodParams<MethodName>, { connection }));
    } catch (error) {
      const reference = newId('evt');
      const rpcError = toRpcError(error, reference);
      if (rpcError.code === RpcErrorCodes.internalError) {
        this.logger.error({ err: error, method: name, reference }, 'request failed');
      }
      return failure(id, rpcError.code, rpcError.message, rpcError.data);
    }
  }
}

/**
 * A message holding a lone surrogate is refused whole, before anything runs: stored, it would be
 * converted to UTF-8 with a replacement character, and the record would no longer say what was sent.
 */
function loneSurrogateReply(payload: unknown): RpcResponse | null {
  const path = findLoneSurrogate(payload);
  if (path === null) return null;
  const id = isRecord(payload) && isValidId(payload.id) ? payload.id : null;
  return failure(id, RpcErrorCodes.invalidRequest, `invalid request: ${loneSurrogateMessage(path)}`);
}

/** Returns what is wrong with a request envelope, or null when it is well formed. */
function checkEnvelope(message: unknown): string | null {
  if (!isRecord(message)) return 'expected a JSON object';
  if (message.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if (typeof message.method !== 'string' || message.method.length === 0)
    return 'method must be a non-empty string';
  if ('id' in message && !isValidId(message.id)) return 'id must be a string, a number or null';
  if ('params' in message && message.params !== undefined) {
    if (Array.isArray(message.params)) return 'params must be an object (by-name parameters)';
    if (!isRecord(message.params) && message.params !== null) return 'params must be an object';
  }
  for (const key of Object.keys(message)) {
    if (!['jsonrpc', 'method', 'params', 'id'].includes(key)) return `unexpected member "${key}"`;
  }
  return null;
}

/** The per-connection handshake: initialize → initialized, then everything else. */
function handshakeGate(connection: Connection, name: MethodName): { code: number; message: string } | null {
  if (name === 'initialize' && connection.state === 'ready') {
    return {
      code: RpcErrorCodes.invalidRequest,
      message: 'already initialized: this connection completed the handshake',
    };
  }
  if (name === 'initialized' && connection.state === 'new') {
    return { code: RpcErrorCodes.invalidRequest, message: "send 'initialize' before 'initialized'" };
  }
  if (!handshakeMethods.has(name) && connection.state !== 'ready') {
    return {
      code: RpcErrorCodes.notInitialized,
      message:
        connection.state === 'new'
          ? `not initialized: send 'initialize' and then 'initialized' on this connection before '${name}'`
          : `not initialized: send 'initialized' to finish the handshake before '${name}'`,
    };
  }
  return null;
}
