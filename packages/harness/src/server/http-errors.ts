import { ErrorCodes, type ErrorCode, HarnessError } from '../core/index.js';

const statusFor: Record<ErrorCode, number> = {
  [ErrorCodes.invalidParams]: 400,
  [ErrorCodes.invalidRequest]: 400,
  [ErrorCodes.validation]: 400,
  [ErrorCodes.config]: 400,
  [ErrorCodes.notFound]: 404,
  [ErrorCodes.conflict]: 409,
  [ErrorCodes.notInitialized]: 409,
  [ErrorCodes.unauthorized]: 401,
  [ErrorCodes.forbidden]: 403,
  [ErrorCodes.policy]: 403,
  [ErrorCodes.payloadTooLarge]: 413,
  [ErrorCodes.unsupportedMediaType]: 415,
  [ErrorCodes.queueFull]: 429,
  [ErrorCodes.noReviewer]: 422,
  [ErrorCodes.branchGone]: 410,
  [ErrorCodes.unavailable]: 503,
  [ErrorCodes.timeout]: 504,
  [ErrorCodes.cancelled]: 409,
  [ErrorCodes.agent]: 502,
  [ErrorCodes.storage]: 500,
  [ErrorCodes.internal]: 500,
};

/** The HTTP status of a Harness error code (500 for a code this table does not know). */
export function httpStatusOf(code: string): number {
  return (statusFor as Record<string, number | undefined>)[code] ?? 500;
}

export interface HttpErrorBody {
  error: { code: string; message: string; data?: unknown };
}

/**
 * The one mapping from a thrown error to an HTTP status and JSON body. As with JSON-RPC, only a
 * HarnessError's message reaches the client; anything else is an opaque 500 with a log reference.
 */
export function toHttpError(error: unknown, reference: string): { status: number; body: HttpErrorBody } {
  if (error instanceof HarnessError && error.code !== ErrorCodes.internal) {
    const body: HttpErrorBody = { error: { code: error.code, message: error.message } };
    if (error.data !== undefined) body.error.data = error.data;
    return { status: statusFor[error.code], body };
  }
  return {
    status: 500,
    body: { error: { code: ErrorCodes.internal, message: `internal error (reference ${reference})` } },
  };
}
