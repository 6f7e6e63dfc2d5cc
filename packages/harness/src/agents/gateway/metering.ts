import { StringDecoder } from 'node:string_decoder';
import { Transform, type TransformCallback } from 'node:stream';
import type { Usage } from '../contract.js';
import { priceUsage } from '../pricing.js';

export type ModelProvider = 'anthropic' | 'openai';

interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  model: string | null;
}

const num = (value: unknown): number => (typeof value === 'number' && value >= 0 ? value : 0);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/**
 * Token counts of one model response, read from what the upstream itself reported: Anthropic's
 * `usage` (in SSE split over `message_start` and the cumulative `message_delta`), OpenAI's
 * `usage` (in SSE on `response.completed`, or `response.incomplete` / `response.failed`).
 */
class ResponseTokens {
  private readonly tokens: Tokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, model: null };

  constructor(private readonly provider: ModelProvider) {}

  /** One decoded JSON value: a whole JSON response, or one SSE event's data. */
  observe(value: unknown): void {
    const data = record(value);
    if (this.provider === 'anthropic') this.observeAnthropic(data);
    else this.observeOpenAi(data);
  }

  private observeAnthropic(data: Record<string, unknown>): void {
    const message = data.type === 'message_start' ? record(data.message) : data;
    if (typeof message.model === 'string') this.tokens.model = message.model;
    const usage = record(data.type === 'message_start' ? message.usage : data.usage);
    // message_delta counts are cumulative: the largest figure seen is the message's total.
    this.tokens.input = Math.max(this.tokens.input, num(usage.input_tokens));
    this.tokens.output = Math.max(this.tokens.output, num(usage.output_tokens));
    this.tokens.cacheRead = Math.max(this.tokens.cacheRead, num(usage.cache_read_input_tokens));
    this.tokens.cacheWrite = Math.max(this.tokens.cacheWrite, num(usage.cache_creation_input_tokens));
  }

  private observeOpenAi(data: Record<string, unknown>): void {
    const finished = ['response.completed', 'response.incomplete', 'response.failed'];
    const response =
      typeof data.type === 'string' ? (finished.includes(data.type) ? record(data.response) : null) : data;
    if (response === null) return;
    if (typeof response.model === 'string') this.tokens.model = response.model;
    const usage = record(response.usage);
    // OpenAI counts cached tokens inside input tokens; they are priced once, at the cached rate.
    const cached = num(record(usage.input_tokens_details).cached_tokens);
    this.tokens.input = Math.max(0, num(usage.input_tokens) - cached);
    this.tokens.output = num(usage.output_tokens);
    this.tokens.cacheRead = cached;
  }

  priced(requestModel: string | null): Usage {
    const t = this.tokens;
    return priceUsage(t.model ?? requestModel, {
      input_tokens: t.input,
      output_tokens: t.output,
      cache_read_tokens: t.cacheRead,
      cache_write_tokens: t.cacheWrite,
    });
  }
}

/** JSON bodies larger than this are passed through unmetered rather than held in memory. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/**
 * A pass-through stream that reads the usage out of a model response as it flows to the agent,
 * unchanged and with the pipeline's backpressure, and reports it once the response has ended.
 */
export function meteringStream(
  provider: ModelProvider,
  contentType: string,
  requestModel: string | null,
  report: (usage: Usage) => void,
): Transform {
  const tokens = new ResponseTokens(provider);
  const sse = contentType.includes('text/event-stream');
  // A multi-byte character may be split between two chunks.
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const json: Buffer[] = [];
  let jsonBytes = 0;
  const parse = (text: string): void => {
    try {
      tokens.observe(JSON.parse(text));
    } catch {
      // not JSON (a comment, a malformed event): nothing to meter, still passed through
    }
  };
  const sseLines = (text: string): void => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('data:')) parse(line.slice(5).trim());
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (sse) sseLines(decoder.write(chunk));
      else if ((jsonBytes += chunk.length) <= MAX_JSON_BYTES) json.push(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (sse) sseLines(`${decoder.end()}\n`);
      else if (jsonBytes <= MAX_JSON_BYTES) parse(Buffer.concat(json).toString('utf8'));
      report(tokens.priced(requestModel));
      callback();
    },
  });
}
