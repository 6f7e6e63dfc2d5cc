import { z } from 'zod';

/**
 * A script of model turns shared by the scripted Anthropic and OpenAI servers. Each model request
 * that carries tools consumes the next turn, so a scripted conversation is deterministic however
 * many processes (resume) take part in it.
 */
export const ScriptToolCallSchema = z.object({
  name: z.string().min(1),
  /** An object becomes JSON arguments; a string is sent as a freeform (custom) tool input. */
  input: z.unknown(),
  id: z.string().optional(),
});

export const ScriptErrorSchema = z.object({
  status: z.number().int().min(400).max(599),
  type: z.string().optional(),
  message: z.string().optional(),
  retry_after_secs: z.number().int().nonnegative().optional(),
});

export const ScriptTurnSchema = z.object({
  text: z.string().optional(),
  tool_calls: z.array(ScriptToolCallSchema).optional(),
  error: ScriptErrorSchema.optional(),
  /** Start the response, then never finish it (the connection stays open until the server closes). */
  stall: z.boolean().optional(),
  /** Answer with a stream whose event data is not JSON. */
  malformed: z.boolean().optional(),
  /** Answer after this many milliseconds (the Anthropic stand-in): a slow model, so a run is caught mid-turn. */
  delay_ms: z.number().int().nonnegative().optional(),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }).optional(),
});

export const ScriptSchema = z.array(ScriptTurnSchema);

export type ScriptToolCall = z.infer<typeof ScriptToolCallSchema>;
export type ScriptTurn = z.infer<typeof ScriptTurnSchema>;

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** Index of the script turn this request consumed, or null when it consumed none. */
  turn: number | null;
}

const EXHAUSTED: ScriptTurn = { text: 'The script has no more turns.' };

/** Hands out script turns in order and remembers every request, for assertions and demos. */
export class ScriptQueue {
  readonly requests: RecordedRequest[] = [];
  private cursor = 0;
  private responder: ((body: unknown) => ScriptTurn | undefined) | null = null;
  private readonly turns: ScriptTurn[];

  constructor(turns: ScriptTurn[]) {
    this.turns = ScriptSchema.parse(turns);
  }

  /** Appends turns, so a later phase of a test (a resume) can be scripted after the first ran. */
  push(...turns: ScriptTurn[]): void {
    this.turns.push(...ScriptSchema.parse(turns));
  }

  /**
   * Drops the turns not handed out yet: a conversation that ended early (a refusal stops the agent
   * before it asks the model again) must not leave the rest of its script to the next one.
   */
  discardPending(): number {
    return this.turns.splice(this.cursor).length;
  }

  /**
   * Answers from the request itself instead of the queue (undefined falls back to the queue):
   * for conversations that run concurrently, whose requests arrive in no particular order.
   */
  respondWith(responder: ((body: unknown) => ScriptTurn | undefined) | null): void {
    this.responder = responder;
  }

  next(body?: unknown): { turn: ScriptTurn; index: number | null } {
    const answered = this.responder?.(body);
    if (answered !== undefined) return { turn: ScriptTurnSchema.parse(answered), index: null };
    const turn = this.turns[this.cursor];
    if (turn === undefined) return { turn: EXHAUSTED, index: null };
    this.cursor += 1;
    return { turn, index: this.cursor - 1 };
  }

  get consumed(): number {
    return this.cursor;
  }

  get remaining(): number {
    return this.turns.length - this.cursor;
  }
}

let toolCounter = 0;

/** Stable-looking tool ids; the prefix tells which fake produced them. */
export function scriptedToolId(prefix: string, call: ScriptToolCall): string {
  if (call.id !== undefined) return call.id;
  toolCounter += 1;
  return `${prefix}${String(toolCounter).padStart(6, '0')}`;
}
