import { z } from 'zod';

/**
 * `codex exec --json` lines, tolerant of the churn between versions: unknown event and item types
 * pass, legacy names (`item_type`, `assistant_message`) are accepted, extra fields are ignored.
 */
export const CodexItemSchema = z
  .looseObject({
    id: z.string().default(''),
    type: z.string().optional(),
    item_type: z.string().optional(),
    text: z.string().optional(),
    message: z.string().optional(),
    command: z.string().optional(),
    aggregated_output: z.string().optional(),
    exit_code: z.number().nullish(),
    status: z.string().optional(),
    changes: z.array(z.object({ path: z.string(), kind: z.string() })).optional(),
  })
  .transform((item) => ({ ...item, kind: item.type ?? item.item_type ?? 'unknown' }));
export type CodexItem = z.infer<typeof CodexItemSchema>;

export const CodexUsageSchema = z.object({
  input_tokens: z.number().default(0),
  cached_input_tokens: z.number().default(0),
  cache_write_input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  reasoning_output_tokens: z.number().default(0),
});

export const CodexLineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.object({ type: z.literal('turn.started') }),
  z.object({ type: z.literal('turn.completed'), usage: CodexUsageSchema.optional() }),
  z.object({ type: z.literal('turn.failed'), error: z.object({ message: z.string() }).optional() }),
  z.object({ type: z.literal('item.started'), item: CodexItemSchema }),
  z.object({ type: z.literal('item.updated'), item: CodexItemSchema }),
  z.object({ type: z.literal('item.completed'), item: CodexItemSchema }),
  z.object({ type: z.literal('error'), message: z.string().optional() }),
]);
export type CodexLine = z.infer<typeof CodexLineSchema>;

export const KNOWN_CODEX_TYPES: ReadonlySet<string> = new Set([
  'thread.started',
  'turn.started',
  'turn.completed',
  'turn.failed',
  'item.started',
  'item.updated',
  'item.completed',
  'error',
]);
