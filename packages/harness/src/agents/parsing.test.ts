import { describe, expect, it } from 'vitest';
import { classifyResult } from './claude/mapper.js';
import { ClaudeLineSchema, type ClaudeResult } from './claude/schema.js';
import { unwrapShell } from './codex/adapter.js';
import { classifyCodexFailure } from './codex/mapper.js';
import { priceFor, priceUsage } from './pricing.js';

const result = (fields: Record<string, unknown>): ClaudeResult =>
  ClaudeLineSchema.parse({ type: 'result', subtype: 'success', is_error: false, ...fields }) as ClaudeResult;

describe('pricing', () => {
  it('prices by longest model prefix and never fails open on unknown models', () => {
    expect(
      priceUsage('claude-sonnet-4-20250514', { input_tokens: 1_000_000, output_tokens: 1_000_000 }).cost_usd,
    ).toBeCloseTo(18);
    expect(priceFor('claude-opus-4-1').price.input).toBe(15);
    expect(priceFor('claude-opus-4-5-x').price.input).toBe(5);
    const unknown = priceFor('mystery-model');
    expect(unknown.known).toBe(false);
    expect(unknown.price.input).toBeGreaterThan(0);
  });

  it('prices a request to the micro-dollar', () => {
    // A million cache reads of Sonnet at 0.1 x $3: 0.3, not 0.30000000000000004.
    expect(
      priceUsage('sonnet', { input_tokens: 0, output_tokens: 0, cache_read_tokens: 1_000_000 }).cost_usd,
    ).toBe(0.3);
    // Cache reads of gpt-5-nano: $0.005 per million tokens, 1234 of them round to $0.000006.
    expect(
      priceUsage('gpt-5-nano', { input_tokens: 0, output_tokens: 0, cache_read_tokens: 1234 }).cost_usd,
    ).toBe(0.000006);
  });
});

describe('result classification', () => {
  it('treats is_error, API errors and permission denials as failures even with subtype success', () => {
    expect(classifyResult(result({ result: 'ok' }), new Set())).toBeNull();
    expect(classifyResult(result({ is_error: true, result: 'boom' }), new Set())?.code).toBe('model_error');
    expect(
      classifyResult(result({ is_error: true, api_error_status: 429, result: 'API Error: 429' }), new Set())
        ?.code,
    ).toBe('rate_limited');
    expect(classifyResult(result({ subtype: 'error_max_turns' }), new Set())?.code).toBe('max_turns');
    const denied = result({ permission_denials: [{ tool_name: 'Bash', tool_use_id: 't1', tool_input: {} }] });
    expect(classifyResult(denied, new Set())?.code).toBe('permission_denied');
    expect(classifyResult(denied, new Set(['t1']))?.code).toBe('policy_blocked');
  });

  it('tolerates unknown fields on known lines', () => {
    expect(
      ClaudeLineSchema.safeParse({ type: 'system', subtype: 'whatever', brand_new: { x: 1 } }).success,
    ).toBe(true);
  });

  it('classifies codex failures and unwraps its shell wrapper for the gate', () => {
    const failure = (message: string, codexErrorInfo: unknown = null) =>
      classifyCodexFailure({ message, codexErrorInfo });
    // Codex says "high demand" for a 500; its error info keeps the truth.
    expect(failure('We’re currently experiencing high demand', 'internalServerError')).toEqual({
      code: 'model_error',
      httpStatus: 500,
    });
    expect(failure('x', { responseTooManyFailedAttempts: { httpStatusCode: 429 } }).code).toBe(
      'rate_limited',
    );
    expect(failure('x', { httpConnectionFailed: { httpStatusCode: 529 } }).code).toBe('overloaded');
    expect(failure('x', { httpConnectionFailed: { httpStatusCode: 400 } })).toEqual({
      code: 'model_error',
      httpStatus: 400,
    });
    expect(failure('Rate limit reached').code).toBe('rate_limited');
    expect(unwrapShell(`/bin/bash -lc 'echo it'"'"'s'`)).toBe("echo it's");
    expect(unwrapShell("/bin/bash -lc 'git add -A && git commit'")).toBe('git add -A && git commit');
    expect(unwrapShell('/bin/bash -lc "git commit -qm \'x\'"')).toBe("git commit -qm 'x'");
    expect(unwrapShell('/bin/bash -lc ls')).toBe('ls');
    expect(unwrapShell('/bin/bash -lc ls;rm')).toBe('/bin/bash -lc ls;rm');
  });
});
