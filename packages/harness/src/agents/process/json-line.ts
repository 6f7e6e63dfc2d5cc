import type { z } from 'zod';
import type { TurnContext } from '../turn.js';

/**
 * One line of an agent CLI's JSONL output, validated. A line that is not JSON, or whose known
 * type does not have the expected shape, becomes a warning event (the turn goes on); lines of
 * types we do not know are skipped silently, because the CLIs add new ones between versions.
 */
export function parseAgentLine<T>(
  ctx: TurnContext,
  agent: string,
  raw: string,
  knownTypes: ReadonlySet<string>,
  schema: z.ZodType<T>,
): T | null {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    ctx.logger.warn({ line: raw.slice(0, 500) }, `${agent} printed a line that is not JSON`);
    ctx.emit({ type: 'warning', message: `ignored a non-JSON line from ${agent}: ${raw.slice(0, 200)}` });
    return null;
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== 'string' || !knownTypes.has(type)) return null;
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    ctx.emit({
      type: 'warning',
      message: `${agent} ${type} line did not match the expected shape: ${parsed.error.message.slice(0, 300)}`,
    });
    return null;
  }
  return parsed.data;
}
