import { type Event, type TokenUsage, roundUsd } from '@harness/protocol';
import { isRecord } from '../../core/index.js';

/**
 * Readers for `Event.data`. Events come from many producers and old rows in the store, so the
 * exporter trusts no shape: a missing or mistyped field reads as undefined, never as a throw.
 */
export type Data = Record<string, unknown>;

export function dataOf(event: Event): Data {
  return isRecord(event.data) ? event.data : {};
}

export function str(data: Data, key: string): string | undefined {
  const value = data[key];
  return typeof value === 'string' ? value : undefined;
}

export function num(data: Data, key: string): number | undefined {
  const value = data[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function obj(data: Data, key: string): Data | undefined {
  const value = data[key];
  return isRecord(value) ? value : undefined;
}

export function usageOf(value: Data | undefined): TokenUsage | undefined {
  if (value === undefined) return undefined;
  const input = num(value, 'input_tokens');
  const output = num(value, 'output_tokens');
  if (input === undefined && output === undefined) return undefined;
  return {
    input_tokens: input ?? 0,
    output_tokens: output ?? 0,
    cache_read_tokens: num(value, 'cache_read_tokens') ?? 0,
    cache_write_tokens: num(value, 'cache_write_tokens') ?? 0,
    cost_usd: num(value, 'cost_usd') ?? 0,
  };
}

/** What `total` has beyond `seen`, never negative: a turn's final usage beyond its streamed deltas. */
export function usageBeyond(total: TokenUsage, seen: TokenUsage): TokenUsage {
  return {
    input_tokens: Math.max(0, total.input_tokens - seen.input_tokens),
    output_tokens: Math.max(0, total.output_tokens - seen.output_tokens),
    cache_read_tokens: Math.max(0, total.cache_read_tokens - seen.cache_read_tokens),
    cache_write_tokens: Math.max(0, total.cache_write_tokens - seen.cache_write_tokens),
    cost_usd: Math.max(0, roundUsd(total.cost_usd - seen.cost_usd)),
  };
}

export function timeOf(event: Event): number {
  const ms = Date.parse(event.ts);
  return Number.isNaN(ms) ? Date.now() : ms;
}

/** Attribute values have no size limit of their own; keep one event from bloating a batch. */
export function clip(text: string, max = 1024): string {
  return text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more chars]`;
}

/** `data.error` is a `{code, message}` object on turns and may be a plain string elsewhere. */
export function errorOf(data: Data): { type: string | undefined; message: string | undefined } {
  const value = data.error;
  if (typeof value === 'string') return { type: undefined, message: clip(value) };
  if (typeof value === 'object' && value !== null) {
    const error = value as Data;
    const message = str(error, 'message');
    return { type: str(error, 'code'), message: message === undefined ? undefined : clip(message) };
  }
  return { type: undefined, message: undefined };
}
