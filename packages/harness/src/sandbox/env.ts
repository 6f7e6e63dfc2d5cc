/**
 * Variables that make an agent CLI believe it runs inside another agent session (nested-session
 * detection, SIGTRAP on start, wrong entrypoint attribution) when Harness itself was started from
 * one. They are removed from every agent's environment.
 */
export const NESTED_SESSION_ENV_KEYS = [
  'CLAUDECODE',
  'CLAUDE_CODE',
  'CLAUDE_CODE_ENTRYPOINT',
  'CLAUDE_CODE_SESSION_ID',
  'CLAUDE_SESSION_ID',
  'CLAUDE_CODE_SSE_PORT',
  'CLAUDE_AGENT_SDK_VERSION',
  'CODEX_SANDBOX',
  'CODEX_SANDBOX_NETWORK_DISABLED',
  'CODEX_THREAD_ID',
] as const;

const SECRET_NAME = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL)/i;

function compact(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined) out[key] = value;
  return out;
}

/** The environment for an agent process: inherited, minus nested-session markers, plus overrides. */
export function sanitizeAgentEnv(
  base: Record<string, string | undefined>,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const env = compact(base);
  for (const key of NESTED_SESSION_ENV_KEYS) delete env[key];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/**
 * The environment for a command a model asked for: no nested-session markers and no variable whose
 * name looks like a secret, so a prompt-injected `env` or `curl` cannot read API keys.
 */
export function sanitizeCommandEnv(
  base: Record<string, string | undefined>,
  overrides: Record<string, string | undefined> = {},
): Record<string, string> {
  const env = sanitizeAgentEnv(base);
  for (const key of Object.keys(env)) if (SECRET_NAME.test(key)) delete env[key];
  return sanitizeAgentEnv(env, overrides);
}
