import type { Context } from 'hono';
import type { z } from 'zod';
import { ErrorCodes, HarnessError } from '../../core/index.js';

/** Reads and validates a JSON body; every problem is a 400 that names the field. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new HarnessError(ErrorCodes.invalidRequest, 'the request body is not valid JSON');
  }
  return validate(schema, body, 'body');
}

export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `invalid ${what}: ${where}${first?.message ?? 'invalid'}`,
    { data: { issues } },
  );
}
