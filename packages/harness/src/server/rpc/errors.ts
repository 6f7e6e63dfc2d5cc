import { RpcErrorCodes, type RpcErrorObject } from '@harness/protocol';
import { ErrorCodes, type ErrorCode, HarnessError, isRecord } from '../../core/index.js';

const rpcCodeFor: Record<ErrorCode, number> = {
  [ErrorCodes.invalidParams]: RpcErrorCodes.invalidParams,
  [ErrorCodes.invalidRequest]: RpcErrorCodes.invalidRequest,
  [ErrorCodes.notFound]: RpcErrorCodes.notFound,
  [ErrorCodes.conflict]: RpcErrorCodes.conflict,
  [ErrorCodes.notInitialized]: RpcErrorCodes.notInitialized,
  [ErrorCodes.unauthorized]: RpcErrorCodes.unauthorized,
  [ErrorCodes.forbidden]: RpcErrorCodes.unauthorized,
  [ErrorCodes.payloadTooLarge]: RpcErrorCodes.invalidRequest,
  [ErrorCodes.unsupportedMediaType]: RpcErrorCodes.invalidRequest,
  [ErrorCodes.queueFull]: RpcErrorCodes.queueFull,
  [ErrorCodes.noReviewer]: RpcErrorCodes.noReviewer,
  [ErrorCodes.branchGone]: RpcErrorCodes.branchGone,
  [ErrorCodes.config]: RpcErrorCodes.validationError,
  [ErrorCodes.storage]: RpcErrorCodes.storageError,
  [ErrorCodes.agent]: RpcErrorCodes.agentError,
  [ErrorCodes.policy]: RpcErrorCodes.policyDenied,
  [ErrorCodes.validation]: RpcErrorCodes.validationError,
  [ErrorCodes.unavailable]: RpcErrorCodes.unavailable,
  [ErrorCodes.timeout]: RpcErrorCodes.timeout,
  [ErrorCodes.cancelled]: RpcErrorCodes.cancelled,
  [ErrorCodes.internal]: RpcErrorCodes.internalError,
};

/**
 * The one mapping from a thrown error to a JSON-RPC error object. Only HarnessErrors carry their
 * message to the client; anything else becomes a bare internal error with a reference the
 * operator can find in the log (never a stack trace).
 */
export function toRpcError(error: unknown, reference: string): RpcErrorObject {
  if (error instanceof HarnessError && error.code !== ErrorCodes.internal) {
    const data = { code: error.code, ...(isRecord(error.data) ? error.data : {}) };
    return { code: rpcCodeFor[error.code], message: error.message, data };
  }
  return {
    code: RpcErrorCodes.internalError,
    message: `internal error (reference ${reference})`,
    data: { code: ErrorCodes.internal, reference },
  };
}
