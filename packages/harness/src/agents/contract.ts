import { z } from 'zod';
import { tokenUsageSchema, type TokenUsage } from '@harness/protocol';
import { agentNames, type AgentName, type Logger, type ProcessGroupJournal } from '../core/index.js';
import type { SandboxSpec } from '../sandbox/index.js';

/**
 * The one contract every agent runtime implements: start a turn, receive a stream of unified,
 * validated events that always ends with exactly one `result` or `error`, interrupt it, resume a
 * native session later. Field names are snake_case because these events go on the wire as they are.
 */
export const AgentNameSchema = z.enum(agentNames);
export type { AgentName };

/** Why a turn failed; stable strings that callers (retry, park, alert) may branch on. */
export const TurnErrorCodes = [
  'model_error',
  'rate_limited',
  'overloaded',
  'permission_denied',
  'policy_blocked',
  'max_turns',
  'stalled',
  'timeout',
  'budget_exceeded',
  'cancelled',
  'process_failed',
  'spawn_failed',
  'protocol_error',
  'sandbox_unavailable',
] as const;
export const TurnErrorCodeSchema = z.enum(TurnErrorCodes);
export type TurnErrorCode = z.infer<typeof TurnErrorCodeSchema>;

/** Token usage and cost, as the wire carries it. */
export const UsageSchema = tokenUsageSchema;
export type Usage = TokenUsage;

const base = { turn_id: z.string(), agent: AgentNameSchema };

export const AgentEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('turn_started'),
    model: z.string().nullable(),
    session_id: z.string().nullable(),
    sandbox: z.object({ mode: z.string(), enforced_by: z.string(), network: z.string() }),
  }),
  z.object({ ...base, type: z.literal('session'), session_id: z.string() }),
  z.object({ ...base, type: z.literal('text'), text: z.string() }),
  z.object({ ...base, type: z.literal('reasoning'), text: z.string() }),
  z.object({
    ...base,
    type: z.literal('tool_call'),
    call_id: z.string(),
    name: z.string(),
    input: z.unknown(),
  }),
  z.object({
    ...base,
    type: z.literal('tool_result'),
    call_id: z.string(),
    is_error: z.boolean(),
    output: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('command'),
    call_id: z.string().nullable(),
    command: z.string(),
    exit_code: z.number().int().nullable(),
    output: z.string(),
    status: z.enum(['completed', 'failed', 'declined']),
    /** How long it ran (what the agent measured, or from request to result); null when unknown. */
    duration_ms: z.number().nonnegative().nullable(),
  }),
  z.object({
    ...base,
    type: z.literal('command_gate'),
    command: z.string(),
    decision: z.enum(['allow', 'prompt', 'forbidden']),
    reason: z.string().nullable(),
  }),
  z.object({
    ...base,
    type: z.literal('file_change'),
    path: z.string(),
    kind: z.enum(['add', 'update', 'delete']),
  }),
  z.object({
    ...base,
    type: z.literal('usage'),
    usage: UsageSchema,
    total_cost_usd: z.number().nonnegative(),
  }),
  z.object({ ...base, type: z.literal('warning'), message: z.string() }),
  /** The skills the agent itself reports it can use (Claude Code's init, Codex's skill listing). */
  z.object({ ...base, type: z.literal('skills_loaded'), skills: z.array(z.string()) }),
  /**
   * A skill was used: given up front because it applies (`explicit`), or opened by the model.
   * `file` is the skill's own file, not the per-run copy the agent read.
   */
  z.object({
    ...base,
    type: z.literal('skill_used'),
    skill: z.string(),
    file: z.string(),
    activation: z.enum(['explicit', 'model']),
  }),
  /** The model API failed and the agent will try again: progress, so a slow turn is never silent. */
  z.object({
    ...base,
    type: z.literal('api_retry'),
    /** 1 for the first retry. */
    attempt: z.number().int().positive(),
    max_retries: z.number().int().nonnegative().nullable(),
    delay_ms: z.number().int().nonnegative().nullable(),
    /** The HTTP status of the failed call, when the agent reported one. */
    status: z.number().int().nullable(),
    /** The agent's words for the failure (`overloaded`, `stream disconnected …`). */
    error: z.string().nullable(),
    /** For people: `model API error 500, retry 3 of 10 in 8 s`. */
    message: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('result'),
    text: z.string(),
    session_id: z.string().nullable(),
    num_turns: z.number().int().nullable(),
    usage: UsageSchema,
  }),
  z.object({
    ...base,
    type: z.literal('error'),
    code: TurnErrorCodeSchema,
    message: z.string(),
    retryable: z.boolean(),
    session_id: z.string().nullable(),
    http_status: z.number().int().nullable(),
    stderr_tail: z.string().nullable(),
    usage: UsageSchema.nullable(),
  }),
]);

export type AgentEvent = z.infer<typeof AgentEventSchema>;
export type AgentEventType = AgentEvent['type'];
export type TerminalEvent = Extract<AgentEvent, { type: 'result' | 'error' }>;
/** An event as an adapter builds it; the turn runner adds `turn_id` and `agent`. */
export type AgentEventBody = AgentEvent extends infer E
  ? E extends AgentEvent
    ? Omit<E, 'turn_id' | 'agent'>
    : never
  : never;

export type CommandDecision = 'allow' | 'prompt' | 'forbidden';
export interface CommandGateRequest {
  /** The command line as the agent's shell would run it. */
  command: string;
  cwd: string;
}
export interface CommandGateDecision {
  decision: CommandDecision;
  reason?: string;
}
/**
 * Asked before each command an agent wants to run. `prompt` cannot be answered by a person in a
 * headless turn, so every runtime treats it as a refusal that says approval is needed.
 */
export type CommandGate = (request: CommandGateRequest) => Promise<CommandGateDecision>;

export interface TurnLimits {
  /** No output from the agent for this long: kill it and fail the turn as `stalled`. */
  stallTimeoutMs: number;
  /** Wall-clock limit for the whole turn. */
  turnTimeoutMs: number;
  /** Spend limit for this turn in USD; crossing it kills the turn (`budget_exceeded`). */
  maxCostUsd?: number;
  /** Model round trips (agentic turns) the agent may make. */
  maxTurns?: number;
}

/** One discovered skill: its name and description (the catalogue) and the file holding its body. */
export interface TurnSkill {
  name: string;
  description: string;
  /** absolute path of SKILL.md (or a flat .md skill) */
  file: string;
}
/** The skills a turn's agent sees: all of them by name and description, the body only when used; `activate` names those that apply and are given explicitly. */
export interface TurnSkills {
  catalogue: TurnSkill[];
  activate: string[];
}

export interface TurnOptions {
  prompt: string;
  /** The worktree; must equal `sandbox.workspace` or lie inside it. */
  cwd: string;
  sandbox: SandboxSpec;
  model?: string;
  limits: TurnLimits;
  signal?: AbortSignal;
  /** Native session id of a previous turn (Claude session, Codex thread, API transcript id). */
  resumeSessionId?: string;
  appendSystemPrompt?: string;
  /**
   * The only built-in tools the agent may use (Claude Code: `--tools` and `--allowedTools`), for
   * turns that must only read (GC drafting: Read, Grep, Glob); all of them when absent. Runtimes
   * without per-tool switches rely on the read-only sandbox and the command gate instead.
   */
  tools?: readonly string[];
  commandGate?: CommandGate;
  /**
   * The skills this turn's agent sees, each the way that agent loads skills natively, from a
   * per-run copy outside the worktree; none when absent.
   */
  skills?: TurnSkills;
  /**
   * Where the turn's process groups are written down while they run, so that a server restarted
   * after a crash can end those that outlived it.
   */
  processGroups?: ProcessGroupJournal;
}

/** A running turn: iterate it for events; `interrupt()` ends it with a `cancelled` error. */
export interface AgentTurn extends AsyncIterable<AgentEvent> {
  readonly id: string;
  interrupt(reason?: string): void;
  /** The terminal event, once the turn is over and its processes are gone. */
  readonly done: Promise<TerminalEvent>;
}

export interface AgentAvailability {
  name: AgentName;
  enabled: boolean;
  usable: boolean;
  /** Why it is not usable (disabled, binary missing, no API key …); null when usable. */
  reason: string | null;
  version: string | null;
  binary_path: string | null;
  default_model: string | null;
  /** What the command gate can enforce in this runtime. */
  command_gate: 'enforced' | 'not_enforced';
  /**
   * `gateway`: the agent reaches its model through Harness's local gateway with a per-turn
   * credential; `direct`: with its own login (the reason says why). Null when disabled.
   */
  model_access: 'gateway' | 'direct' | null;
  model_access_reason: string | null;
}

export interface AgentAdapter {
  readonly name: AgentName;
  probe(): Promise<AgentAvailability>;
  startTurn(options: TurnOptions): AgentTurn;
}

export interface AdapterDeps {
  logger: Logger;
}

/** Builds an event with the turn's identity and validates it; a bad event is a bug in an adapter. */
export function makeEvent(turnId: string, agent: AgentName, body: AgentEventBody): AgentEvent {
  return AgentEventSchema.parse({ ...body, turn_id: turnId, agent });
}
