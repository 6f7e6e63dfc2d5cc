import { describe, expect, it } from 'vitest';
import { apiRetryEvent, apiRetryMessage, codexRetry } from './api-retry.js';
import { ClaudeLineSchema } from './claude/schema.js';

describe('model API retries as progress', () => {
  it('words a retry with its status, count and delay', () => {
    expect(apiRetryMessage({ attempt: 3, max_retries: 10, delay_ms: 8_000, status: 500, error: null })).toBe(
      'model API error 500, retry 3 of 10 in 8 s',
    );
    expect(
      apiRetryMessage({ attempt: 1, max_retries: 3, delay_ms: 569, status: 529, error: 'overloaded' }),
    ).toBe('model API error 529 (overloaded), retry 1 of 3 in 0.6 s');
    expect(
      apiRetryMessage({ attempt: 2, max_retries: null, delay_ms: 32_400, status: null, error: '' }),
    ).toBe('model API error, retry 2 in 32 s');
  });

  it("reads Claude Code's api_retry line (the shape the CLI prints)", () => {
    const line = ClaudeLineSchema.parse({
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 3,
      retry_delay_ms: 569,
      error_status: 500,
      error: 'server_error',
      session_id: 's',
    });
    expect(line).toMatchObject({ attempt: 1, max_retries: 3, retry_delay_ms: 569, error_status: 500 });
  });

  it("reads Codex's reconnecting message", () => {
    const retry = codexRetry(
      'Reconnecting... 2/5 (stream disconnected before completion: timeout)',
      null,
      503,
    );
    expect(apiRetryEvent(retry)).toEqual({
      type: 'api_retry',
      attempt: 2,
      max_retries: 5,
      delay_ms: null,
      status: 503,
      error: 'stream disconnected before completion: timeout',
      message: 'model API error 503 (stream disconnected before completion: timeout), retry 2 of 5',
    });
    expect(codexRetry('Reconnecting... 1/5', 'stream closed', null)).toMatchObject({
      attempt: 1,
      max_retries: 5,
      error: 'stream closed',
    });
    expect(apiRetryMessage(codexRetry('Reconnecting... 1/5', null, null))).toBe(
      'model API error, retry 1 of 5',
    );
    expect(codexRetry('waiting for network', null, null)).toMatchObject({
      attempt: 1,
      max_retries: null,
      error: 'waiting for network',
    });
  });
});
