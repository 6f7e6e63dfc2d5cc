import type { AgentEventBody } from './contract.js';

export type ApiRetryEvent = Extract<AgentEventBody, { type: 'api_retry' }>;

export interface ApiRetry {
  attempt: number;
  max_retries: number | null;
  delay_ms: number | null;
  status: number | null;
  error: string | null;
}

function seconds(ms: number): string {
  if (ms >= 10_000) return `${Math.round(ms / 1000)} s`;
  return `${(ms / 1000).toFixed(1).replace(/\.0$/, '')} s`;
}

/** `model API error 500 (server_error), retry 3 of 10 in 8 s`: what a retry looks like to people. */
export function apiRetryMessage(retry: ApiRetry): string {
  const what = retry.status === null ? 'model API error' : `model API error ${retry.status}`;
  const detail = retry.error === null || retry.error === '' ? '' : ` (${retry.error})`;
  const count =
    retry.max_retries === null ? `retry ${retry.attempt}` : `retry ${retry.attempt} of ${retry.max_retries}`;
  const when = retry.delay_ms === null ? '' : ` in ${seconds(retry.delay_ms)}`;
  return `${what}${detail}, ${count}${when}`;
}

export function apiRetryEvent(retry: ApiRetry): ApiRetryEvent {
  return { type: 'api_retry', ...retry, message: apiRetryMessage(retry) };
}

/**
 * Codex says `Reconnecting... 2/5 (stream disconnected before completion: …)` when it retries a
 * stream (the reason in parentheses, or in its `additionalDetails`); the count and the reason are
 * read from that, the rest stays unknown.
 */
export function codexRetry(message: string, details: string | null, status: number | null): ApiRetry {
  const counted = /(\d+)\s*\/\s*(\d+)/.exec(message);
  const reason = /\((.*)\)\s*$/s.exec(message)?.[1] ?? (details === '' ? null : details);
  return {
    attempt: counted ? Math.max(1, Number(counted[1])) : 1,
    max_retries: counted ? Number(counted[2]) : null,
    delay_ms: null,
    status,
    error: reason ?? (/^Reconnecting\b/i.test(message) ? null : message),
  };
}
