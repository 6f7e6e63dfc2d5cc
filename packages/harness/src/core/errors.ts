/**
 * The one error type that crosses module boundaries. `code` is stable (clients and tests may match
 * on it); `message` is for people; `data` is safe to show to clients; `cause` never leaves the process.
 */
export const ErrorCodes = {
  invalidParams: 'invalid_params',
  invalidRequest: 'invalid_request',
  notFound: 'not_found',
  conflict: 'conflict',
  notInitialized: 'not_initialized',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  payloadTooLarge: 'payload_too_large',
  unsupportedMediaType: 'unsupported_media_type',
  queueFull: 'queue_full',
  noReviewer: 'no_reviewer',
  /** What the task's branch held is no longer anywhere Harness can read it. */
  branchGone: 'branch_gone',
  config: 'config_invalid',
  storage: 'storage_error',
  agent: 'agent_error',
  policy: 'policy_error',
  validation: 'validation_error',
  unavailable: 'unavailable',
  timeout: 'timeout',
  cancelled: 'cancelled',
  internal: 'internal_error',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export class HarnessError extends Error {
  readonly code: ErrorCode;
  readonly data: unknown;

  constructor(code: ErrorCode, message: string, options: { data?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HarnessError';
    this.code = code;
    this.data = options.data;
  }
}

export function isHarnessError(error: unknown): error is HarnessError {
  return error instanceof HarnessError;
}

/** A readable one-line description of anything thrown, for logs and CLI output. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
