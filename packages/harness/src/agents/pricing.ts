import { roundUsd } from '@harness/protocol';
import type { Usage } from './contract.js';

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
}

function anthropic(input: number, output: number): ModelPrice {
  // Anthropic bills cache reads at 0.1x and 5-minute cache writes at 1.25x the input price.
  return { input, output, cache_read: input * 0.1, cache_write: input * 1.25 };
}

function openai(input: number, output: number, cachedInput: number): ModelPrice {
  return { input, output, cache_read: cachedInput, cache_write: input };
}

/**
 * Matched by longest prefix of the model id. Public list prices when written; a model that matches
 * nothing is priced at `FALLBACK_PRICE` so that a budget never fails open on an unknown model.
 */
export const PRICE_TABLE: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-4-5': anthropic(5, 25),
  'claude-opus-4-6': anthropic(5, 25),
  'claude-opus-4': anthropic(15, 75),
  'claude-opus': anthropic(5, 25),
  opus: anthropic(5, 25),
  'claude-sonnet': anthropic(3, 15),
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-3-5-sonnet': anthropic(3, 15),
  sonnet: anthropic(3, 15),
  'claude-haiku-4': anthropic(1, 5),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-haiku': anthropic(1, 5),
  haiku: anthropic(1, 5),
  'gpt-5-mini': openai(0.25, 2, 0.025),
  'gpt-5-nano': openai(0.05, 0.4, 0.005),
  'gpt-5': openai(1.25, 10, 0.125),
  'gpt-4.1': openai(2, 8, 0.5),
  o3: openai(2, 8, 0.5),
  'o4-mini': openai(1.1, 4.4, 0.275),
};

export const FALLBACK_PRICE: ModelPrice = anthropic(3, 15);

export function priceFor(model: string | null | undefined): { price: ModelPrice; known: boolean } {
  const id = (model ?? '').toLowerCase();
  let best: string | null = null;
  for (const prefix of Object.keys(PRICE_TABLE)) {
    if (id.startsWith(prefix) && (best === null || prefix.length > best.length)) best = prefix;
  }
  const price = best === null ? undefined : PRICE_TABLE[best];
  return price === undefined ? { price: FALLBACK_PRICE, known: false } : { price, known: true };
}

export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens?: number;
  cache_write_tokens?: number;
}

/** Usage with its cost computed from the price table. */
export function priceUsage(model: string | null | undefined, tokens: TokenCounts): Usage {
  const { price } = priceFor(model);
  const cacheRead = tokens.cache_read_tokens ?? 0;
  const cacheWrite = tokens.cache_write_tokens ?? 0;
  const cost =
    (tokens.input_tokens * price.input +
      tokens.output_tokens * price.output +
      cacheRead * price.cache_read +
      cacheWrite * price.cache_write) /
    1_000_000;
  return {
    input_tokens: tokens.input_tokens,
    output_tokens: tokens.output_tokens,
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
    cost_usd: roundUsd(cost),
  };
}
