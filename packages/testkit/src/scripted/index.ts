/**
 * scripted: model servers on 127.0.0.1 that speak the Anthropic Messages API and the OpenAI
 * Responses API (streaming included) and answer from a script, so the real Claude Code and Codex
 * CLIs and the Anthropic API adapter run end to end without an AI service; plus the environment
 * and CODEX_HOME that point the CLIs at them. Depends on zod and Node only.
 */
export {
  ScriptTurnSchema,
  ScriptSchema,
  ScriptQueue,
  type ScriptToolCall,
  type ScriptTurn,
  type RecordedRequest,
} from './script.js';
export type { ScriptedServer } from './http.js';
export { startScriptedAnthropicServer, type ScriptedAnthropicServer } from './anthropic-server.js';
export { startScriptedOpenAiServer, type ScriptedOpenAiServer } from './openai-server.js';
export {
  scriptedClaudeEnv,
  SCRIPTED_CODEX_KEY_ENV,
  writeScriptedCodexHome,
  writeGatewayCodexHome,
  GATEWAY_CODEX_NO_RETRIES,
} from './hermetic.js';
