/**
 * agents: one adapter contract for every agent runtime (Claude Code CLI, Codex CLI, the Anthropic
 * API with Harness's own tool loop) — start a turn, stream unified zod-validated events, interrupt,
 * resume — plus process supervision (own process group, stall and wall-clock watchdogs, budgets,
 * kill of the whole tree), pricing, the registry that picks an agent, and the local model gateway
 * (gateway/) through which agents reach their model with a per-turn credential while the real key
 * stays in Harness. The scripted model servers the real CLIs are tested against live in
 * @harness/testkit. Depends on core and sandbox (later rules, observe).
 */
export * from './contract.js';
export * from './pricing.js';
export { runTurn, type TurnContext, type StopReason } from './turn.js';
export * from './claude/adapter.js';
export * from './codex/adapter.js';
export * from './anthropic-api/adapter.js';
export * from './registry.js';
export * from './gateway/index.js';
