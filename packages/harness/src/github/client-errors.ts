import { ErrorCodes, HarnessError, type ErrorCode } from '../core/index.js';

/** Bounded retries: at most `retries` more attempts, each delay capped at `max_delay_ms`. */
export interface RetryOptions {
  retries: number;
  base_delay_ms: number;
  max_delay_ms: number;
}

export const defaultRetry: RetryOptions = { retries: 3, base_delay_ms: 500, max_delay_ms: 20_000 };

/** What the client reports in `HarnessError.data` for a failed GitHub call. Never the token. */
export interface GithubErrorData {
  status: number;
  method: string;
  endpoint: string;
  github_message: string | null;
  github_errors: string[];
  request_id: string | null;
}

interface HttpishError {
  status?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  request?: { url?: unknown; method?: unknown };
  response?: { data?: unknown; headers?: Record<string, string | undefined> };
}

function asHttpish(error: unknown): HttpishError {
  return typeof error === 'object' && error !== null ? (error as HttpishError) : {};
}

function statusOf(error: HttpishError): number {
  return typeof error.status === 'number' ? error.status : 0;
}

function headerOf(error: HttpishError, name: string): string | undefined {
  return error.response?.headers?.[name];
}

/** GitHub's validation errors are strings or `{ resource, code, field?, message? }` objects. */
function errorEntry(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  const e = (entry ?? {}) as { message?: unknown; code?: unknown; field?: unknown };
  if (typeof e.message === 'string') return e.message;
  return [e.code, e.field].filter((part) => typeof part === 'string').join(' ');
}

function bodyMessage(error: HttpishError): { message: string | null; errors: string[] } {
  const data = error.response?.data;
  if (typeof data !== 'object' || data === null) return { message: null, errors: [] };
  const record = data as { message?: unknown; errors?: unknown };
  const errors = Array.isArray(record.errors) ? record.errors.map(errorEntry).filter(Boolean) : [];
  return { message: typeof record.message === 'string' ? record.message : null, errors };
}

/** A transport failure (refused, reset, timed out): Octokit reports these as status 500 with no response. */
function isNetworkFailure(error: HttpishError): boolean {
  return error.response === undefined && statusOf(error) === 500;
}

function isTimeout(error: HttpishError): boolean {
  const cause = asHttpish(error.cause);
  return error.name === 'TimeoutError' || cause.name === 'TimeoutError';
}

function isSecondaryRateLimit(error: HttpishError): boolean {
  const status = statusOf(error);
  if (status !== 403 && status !== 429) return false;
  if (status === 429 || headerOf(error, 'retry-after') !== undefined) return true;
  return /secondary rate limit|abuse detection/i.test(bodyMessage(error).message ?? '');
}

function isPrimaryRateLimit(error: HttpishError): boolean {
  return statusOf(error) === 403 && headerOf(error, 'x-ratelimit-remaining') === '0';
}

/**
 * How long to wait before retrying, or null when the failure is not worth retrying: 5xx, transport
 * failures and secondary rate limits are; a primary rate limit is only when it resets soon enough.
 */
export function retryDelay(
  error: unknown,
  attempt: number,
  options: RetryOptions,
  now: number,
): number | null {
  const e = asHttpish(error);
  if (e.name === 'AbortError') return null;
  const backoff = Math.min(options.max_delay_ms, options.base_delay_ms * 2 ** attempt);
  const jittered = backoff / 2 + Math.random() * (backoff / 2);
  if (isPrimaryRateLimit(e) && !isSecondaryRateLimit(e)) {
    const reset = Number(headerOf(e, 'x-ratelimit-reset')) * 1000 - now;
    return Number.isFinite(reset) && reset <= options.max_delay_ms ? Math.max(reset, 0) : null;
  }
  if (isSecondaryRateLimit(e)) {
    const retryAfter = Number(headerOf(e, 'retry-after'));
    const wanted = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff;
    return Math.min(options.max_delay_ms, Math.max(wanted, jittered));
  }
  if (statusOf(e) >= 500 || isNetworkFailure(e)) return jittered;
  return null;
}

function codeFor(error: HttpishError): ErrorCode {
  if (isTimeout(error)) return ErrorCodes.timeout;
  if (error.name === 'AbortError') return ErrorCodes.cancelled;
  if (isSecondaryRateLimit(error) || isPrimaryRateLimit(error)) return ErrorCodes.unavailable;
  const status = statusOf(error);
  if (status === 401) return ErrorCodes.unauthorized;
  if (status === 403) return ErrorCodes.forbidden;
  if (status === 404 || status === 410) return ErrorCodes.notFound;
  if (status === 409) return ErrorCodes.conflict;
  if (status === 400 || status === 422) return ErrorCodes.invalidRequest;
  return ErrorCodes.unavailable;
}

function endpointOf(error: HttpishError, fallback: string): string {
  const url = error.request?.url;
  if (typeof url !== 'string') return fallback;
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return fallback;
  }
}

function redact(text: string, secret: string | undefined): string {
  return secret && secret.length > 0 ? text.split(secret).join('[redacted]') : text;
}

/**
 * Turns whatever a GitHub call threw into a HarnessError that names the status and the endpoint.
 * The original error is deliberately not kept as `cause`: it holds the request (headers, body),
 * and the message is scrubbed of the token in case a proxy or server echoed it back.
 */
export function toGithubError(
  error: unknown,
  request: { method: string; endpoint: string },
  token: string | undefined,
): HarnessError {
  if (error instanceof HarnessError) return error;
  const e = asHttpish(error);
  const status = statusOf(e);
  const { message, errors } = bodyMessage(e);
  const endpoint = endpointOf(e, request.endpoint);
  const reason = isTimeout(e)
    ? 'timed out'
    : e.response === undefined
      ? `could not reach GitHub (${typeof e.message === 'string' ? e.message : 'network error'})`
      : `${status} ${[message ?? 'error', ...errors].join('; ')}`;
  const data: GithubErrorData = {
    status,
    method: request.method,
    endpoint,
    github_message: message === null ? null : redact(message, token),
    github_errors: errors.map((m) => redact(m, token)),
    request_id: headerOf(e, 'x-github-request-id') ?? null,
  };
  return new HarnessError(
    codeFor(e),
    redact(`GitHub API ${request.method} ${endpoint} failed: ${reason}`, token),
    {
      data,
    },
  );
}

/** The GitHub details of an error the client threw, when it is one. */
export function githubErrorData(error: unknown): GithubErrorData | null {
  if (!(error instanceof HarnessError)) return null;
  const data = error.data as Partial<GithubErrorData> | undefined;
  return data !== undefined && typeof data.status === 'number' && typeof data.endpoint === 'string'
    ? (data as GithubErrorData)
    : null;
}
