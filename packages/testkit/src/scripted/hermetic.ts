import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Environment that points the real Claude Code CLI at a scripted server and keeps it off the
 * network: no telemetry, no updater, no side traffic, no retries (failures surface at once).
 */
export function scriptedClaudeEnv(baseUrl: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'scripted-dummy-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/** The env var the scripted Codex provider reads its (dummy) key from. */
export const SCRIPTED_CODEX_KEY_ENV = 'HARNESS_SCRIPTED_OPENAI_KEY';

/**
 * Writes `$CODEX_HOME/config.toml` for a scripted Responses server: a custom provider on
 * 127.0.0.1, no retries, and analytics and plugin sync off (they would look up public hosts).
 * The model must be a slug Codex knows, or it drops `apply_patch` from its tools. A custom provider
 * is the operator's choice, so Codex then uses it directly (not through Harness's gateway).
 */
export function writeScriptedCodexHome(codexHome: string, baseUrl: string, model = 'gpt-5.5'): void {
  const provider = [
    'model_provider = "scripted"',
    '',
    '[model_providers.scripted]',
    'name = "Scripted"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    'wire_api = "responses"',
    `env_key = "${SCRIPTED_CODEX_KEY_ENV}"`,
    'request_max_retries = 0',
    'stream_max_retries = 0',
  ];
  writeCodexHome(codexHome, model, provider);
}

/**
 * Writes `$CODEX_HOME/config.toml` for a Codex that reaches its model through Harness's gateway:
 * no provider of its own (Harness adds one on the command line), analytics and plugins off.
 */
export function writeGatewayCodexHome(codexHome: string, model = 'gpt-5.5'): void {
  writeCodexHome(codexHome, model, []);
}

/** `agents.codex.extra_args` for tests: errors surface at once instead of after retries. */
export const GATEWAY_CODEX_NO_RETRIES = [
  '-c',
  'model_providers.harness.request_max_retries=0',
  '-c',
  'model_providers.harness.stream_max_retries=0',
];

function writeCodexHome(codexHome: string, model: string, provider: string[]): void {
  mkdirSync(codexHome, { recursive: true });
  const toml = [
    `model = ${JSON.stringify(model)}`,
    'approval_policy = "never"',
    ...provider,
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[features]',
    'plugins = false',
    '',
  ].join('\n');
  writeFileSync(path.join(codexHome, 'config.toml'), toml);
}
