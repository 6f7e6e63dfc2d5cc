import { z } from 'zod';

/**
 * Claude Code stream-json lines, as far as Harness reads them. Unknown line types, subtypes and
 * fields are tolerated (the CLI adds them often); a missing field we rely on is a protocol error.
 */
const UsageSchema = z.object({
  input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  cache_read_input_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
});

const ContentBlockSchema = z.union([
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('thinking'), thinking: z.string().default('') }),
  z.object({ type: z.literal('tool_use'), id: z.string(), name: z.string(), input: z.unknown() }),
  z.object({
    type: z.literal('tool_result'),
    tool_use_id: z.string(),
    content: z.unknown(),
    is_error: z.boolean().nullish(),
  }),
  z.object({ type: z.string() }),
]);
export type ContentBlock = z.infer<typeof ContentBlockSchema>;

export const ClaudeLineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('system'),
    subtype: z.string().optional(),
    session_id: z.string().optional(),
    model: z.string().optional(),
    /** `init`: the skills the CLI loaded (its own, the user's, the project's and plugins'). */
    skills: z.array(z.string()).optional(),
    // `api_retry` lines: the CLI retries a failed model call after `retry_delay_ms`.
    attempt: z.number().int().positive().optional(),
    max_retries: z.number().int().nonnegative().optional(),
    retry_delay_ms: z.number().nonnegative().optional(),
    error_status: z.number().int().nullish(),
    error: z.string().nullish(),
  }),
  z.object({
    type: z.literal('assistant'),
    session_id: z.string().optional(),
    message: z.object({
      id: z.string().optional(),
      model: z.string().optional(),
      content: z.array(ContentBlockSchema).default([]),
      usage: UsageSchema.optional(),
    }),
  }),
  z.object({
    type: z.literal('user'),
    message: z.object({ content: z.union([z.string(), z.array(ContentBlockSchema)]) }),
    tool_use_result: z.unknown().optional(),
  }),
  z.object({
    type: z.literal('result'),
    subtype: z.string().default('success'),
    is_error: z.boolean().default(false),
    result: z.string().optional(),
    session_id: z.string().optional(),
    num_turns: z.number().optional(),
    total_cost_usd: z.number().optional(),
    api_error_status: z.number().nullish(),
    permission_denials: z
      .array(z.object({ tool_name: z.string(), tool_use_id: z.string().optional() }))
      .default([]),
    errors: z.array(z.string()).optional(),
  }),
  z.object({
    type: z.literal('control_request'),
    request_id: z.string(),
    request: z.looseObject({ subtype: z.string() }),
  }),
  z.object({ type: z.literal('control_response'), response: z.unknown() }),
]);

export type ClaudeLine = z.infer<typeof ClaudeLineSchema>;
export type ClaudeResult = Extract<ClaudeLine, { type: 'result' }>;
export type ClaudeControlRequest = Extract<ClaudeLine, { type: 'control_request' }>;

export const KNOWN_TYPES: ReadonlySet<string> = new Set([
  'system',
  'assistant',
  'user',
  'result',
  'control_request',
  'control_response',
]);
