import type { GatewayLease, ModelAccess } from '../gateway/index.js';

/** Claude Code's own non-secret settings, inherited from Harness's environment when set. */
export const CLAUDE_ENV_KNOBS = [
  'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
  'DISABLE_NON_ESSENTIAL_MODEL_CALLS',
  'CLAUDE_CODE_MAX_RETRIES',
  'CLAUDE_CODE_MAX_OUTPUT_TOKENS',
  'MAX_THINKING_TOKENS',
  'API_TIMEOUT_MS',
  'BASH_DEFAULT_TIMEOUT_MS',
  'BASH_MAX_TIMEOUT_MS',
  'CLAUDE_CONFIG_DIR',
] as const;

/** A headless agent under a control plane neither updates itself nor reports to third parties. */
export const CLAUDE_QUIET = {
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_AUTOUPDATER: '1',
};

/** Where a gateway turn sends Claude Code: the gateway, with the per-turn credential as its key. */
export function claudeGatewayEnv(lease: GatewayLease): Record<string, string | undefined> {
  return {
    ANTHROPIC_BASE_URL: lease.baseUrl,
    ANTHROPIC_API_KEY: lease.credential,
    ANTHROPIC_AUTH_TOKEN: undefined,
  };
}

/** Without the gateway (Harness holds no Anthropic key), Claude Code keeps its own login. */
export const CLAUDE_OWN_LOGIN: ModelAccess = {
  mode: 'direct',
  reason:
    'Harness holds no Anthropic API key: Claude Code uses its own login (subscription or OAuth) in its HOME; pass CLAUDE_CODE_OAUTH_TOKEN through agents.env_passthrough if it logs in with that',
};
