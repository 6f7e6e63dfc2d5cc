import type { Context } from 'hono';
import type { z } from 'zod';
import {
  exceedsJsonDepth,
  findLoneSurrogate,
  jsonDepthMessage,
  loneSurrogateMessage,
  mayHoldLoneSurrogate,
} from '@harness/protocol';
import { ErrorCodes, HarnessError, describeIssue } from '../../core/index.js';

/**
 * Reads and validates a JSON body; every problem is a 400 that names the field. The same limits as
 * JSON-RPC apply: nesting depth checked on the raw text before parsing, and no lone surrogates.
 */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  const text = await c.req.text();
  if (exceedsJsonDepth(text))
    throw new HarnessError(ErrorCodes.invalidRequest, `body: ${jsonDepthMessage()}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HarnessError(ErrorCodes.invalidRequest, 'the request body is not valid JSON');
  }
  const unsafe = mayHoldLoneSurrogate(text) ? findLoneSurrogate(body, 'body') : null;
  if (unsafe !== null) throw new HarnessError(ErrorCodes.invalidRequest, loneSurrogateMessage(unsafe));
  return validate(schema, body, 'body');
}

export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
  const first = issues[0];
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `invalid ${what}: ${first ? describeIssue(first) : 'invalid'}`,
    { data: { issues } },
  );
}
