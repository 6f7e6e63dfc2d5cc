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
