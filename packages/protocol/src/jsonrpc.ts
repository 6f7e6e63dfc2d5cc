import { z } from 'zod';

/** JSON-RPC 2.0 error codes: the standard ones, then Harness's own in the server range. */
export const RpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  notFound: -32001,
  conflict: -32002,
  notInitialized: -32003,
  storageError: -32004,
  agentError: -32005,
  validationError: -32006,
  unauthorized: -32007,
  queueFull: -32008,
  policyDenied: -32009,
  unavailable: -32010,
  timeout: -32011,
  cancelled: -32012,
  noReviewer: -32013,
  branchGone: -32014,
} as const;

export type RpcErrorCode = (typeof RpcErrorCodes)[keyof typeof RpcErrorCodes];

/** An id is echoed exactly, so it is kept as the JSON value the client sent. */
export const rpcIdSchema = z.union([z.string(), z.number(), z.null()]);
export type RpcId = z.infer<typeof rpcIdSchema>;

export const rpcRequestSchema = z.strictObject({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1),
  params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  id: rpcIdSchema.optional(),
});
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface RpcSuccess {
  jsonrpc: '2.0';
  id: RpcId;
  result: unknown;
}

export interface RpcFailure {
  jsonrpc: '2.0';
  id: RpcId;
  error: RpcErrorObject;
}

export type RpcResponse = RpcSuccess | RpcFailure;

export interface RpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: unknown;
}

export function success(id: RpcId, result: unknown): RpcSuccess {
  return { jsonrpc: '2.0', id, result };
}

export function failure(id: RpcId, code: number, message: string, data?: unknown): RpcFailure {
  const error: RpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: '2.0', id, error };
}

export function notification(method: string, params?: unknown): RpcNotification {
  return params === undefined ? { jsonrpc: '2.0', method } : { jsonrpc: '2.0', method, params };
}

export function isFailure(response: RpcResponse): response is RpcFailure {
  return 'error' in response;
}
