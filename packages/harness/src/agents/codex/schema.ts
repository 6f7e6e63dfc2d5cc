import { z } from 'zod';

/**
 * The parts of the `codex app-server` protocol (v2, camelCase) that Harness reads. Tolerant of
 * the churn between versions: extra fields are ignored, unknown item types pass, and only what a
 * decision depends on is required. The full schema of the pinned CLI comes from
 * `codex app-server generate-json-schema`.
 */

/** One line on the wire: JSON-RPC 2.0 with the `"jsonrpc"` member left out. */
export const WireMessageSchema = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  method: z.string().optional(),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: z.looseObject({ code: z.number(), message: z.string() }).optional(),
});
export type WireMessage = z.infer<typeof WireMessageSchema>;

const PatchKindSchema = z.looseObject({ type: z.string() });

export const ThreadItemSchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  text: z.string().optional(),
  summary: z.array(z.string()).optional(),
  content: z.unknown().optional(),
  command: z.string().optional(),
  aggregatedOutput: z.string().nullish(),
  exitCode: z.number().int().nullish(),
  durationMs: z.number().nonnegative().nullish(),
  status: z.string().optional(),
  changes: z.array(z.looseObject({ path: z.string(), kind: PatchKindSchema })).optional(),
});
export type ThreadItem = z.infer<typeof ThreadItemSchema>;

export const ItemNotificationSchema = z.looseObject({ item: ThreadItemSchema });

const TurnErrorSchema = z.looseObject({
  message: z.string(),
  /** `"internalServerError"`, or `{ httpConnectionFailed: { httpStatusCode: 529 } }` and the like. */
  codexErrorInfo: z.unknown().optional(),
  additionalDetails: z.string().nullish(),
});
export type TurnError = z.infer<typeof TurnErrorSchema>;

export const TurnCompletedSchema = z.looseObject({
  turn: z.looseObject({
    id: z.string(),
    status: z.enum(['completed', 'interrupted', 'failed', 'inProgress']),
    error: TurnErrorSchema.nullish(),
  }),
});

export const ErrorNotificationSchema = z.looseObject({
  error: TurnErrorSchema,
  willRetry: z.boolean().default(false),
});

const TokenBreakdownSchema = z.looseObject({
  inputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().default(0),
  cacheWriteInputTokens: z.number().int().nonnegative().default(0),
  outputTokens: z.number().int().nonnegative(),
});

/** `last` is the latest model request of the thread; summing it over a turn gives the turn's use. */
export const TokenUsageSchema = z.looseObject({
  tokenUsage: z.looseObject({ last: TokenBreakdownSchema }),
});
export type TokenUsage = z.infer<typeof TokenUsageSchema>;

export const ThreadResponseSchema = z.looseObject({
  thread: z.looseObject({ id: z.string() }),
});

export const CommandApprovalSchema = z.looseObject({
  threadId: z.string(),
  turnId: z.string(),
  itemId: z.string(),
  command: z.string().nullish(),
  cwd: z.string().nullish(),
});

export const FileChangeApprovalSchema = z.looseObject({
  itemId: z.string(),
  grantRoot: z.string().nullish(),
});
