/**
 * agents: one adapter contract for every agent runtime (Claude Code CLI, Codex CLI, the Anthropic
 * API with Harness's own tool loop) — start a turn, stream unified zod-validated events, interrupt,
 * resume — plus process supervision (own process group, stall and wall-clock watchdogs, budgets,
 * kill of the whole tree), pricing, the registry that picks an agent, and the local model gateway
 * (gateway/) through which agents reach their model with a per-turn credential while the real key
 * stays in Harness. The scripted model servers the real CLIs are tested against live in
 * @harness/testkit. Depends on core, sandbox and shell (Codex's approval requests are read with
 * the shell parser), and may use observe.
 */
export {
  type AdapterDeps,
  type AgentAdapter,
  type AgentAvailability,
  type AgentEvent,
  type AgentEventBody,
  AgentEventSchema,
  type AgentEventType,
  type AgentName,
  AgentNameSchema,
  type AgentTurn,
  type CommandDecision,
  type CommandGate,
  type CommandGateDecision,
  type CommandGateRequest,
  makeEvent,
  type TerminalEvent,
  type TurnErrorCode,
  TurnErrorCodes,
  TurnErrorCodeSchema,
  type TurnLimits,
  type TurnOptions,
  type TurnSkill,
  type TurnSkills,
  type Usage,
  UsageSchema,
} from './contract.js';
export {
  FALLBACK_PRICE,
  type ModelPrice,
  PRICE_TABLE,
  priceFor,
  priceUsage,
  type TokenCounts,
} from './pricing.js';
export { type ApiRetry, apiRetryEvent, apiRetryMessage } from './api-retry.js';
export { runTurn, type TurnContext, type StopReason } from './turn.js';
export { ClaudeAdapter, type ClaudeAdapterOptions, claudeArgs, permissionModeFor } from './claude/adapter.js';
export { CodexAdapter, type CodexAdapterOptions, codexArgs, unwrapShell } from './codex/adapter.js';
export { AnthropicApiAdapter, type AnthropicApiAdapterOptions } from './anthropic-api/adapter.js';
export {
  AgentRegistry,
  type AgentsConfigLike,
  type AgentRoute,
  type Complexity,
  createAdapters,
  DEFAULT_ANTHROPIC_URL,
  DEFAULT_OPENAI_URL,
  type RegistryOverrides,
} from './registry.js';
export {
  describeModelAccess,
  type GatewayLease,
  type GatewayTurnOptions,
  type ModelAccess,
  type ModelAccessInfo,
  ModelGateway,
  type ModelProvider,
  type ModelUpstream,
  topUpUsage,
  upstreamUrl,
  withGatewayTurn,
} from './gateway/index.js';
