import { harnessSecretEnvNames } from '../core/index.js';

/**
 * Agent environments are built from an allowlist, never by removing what looks dangerous from
 * Harness's own environment: Harness holds its API token, the GitHub token, the webhook secret, the
 * database URL and every provider key, and an agent (or a command it runs) may print all of its
 * environment into a file that is then committed and pushed.
 */

/** What every agent process and every command it runs may inherit from Harness's environment. */
export const BASE_ENV_ALLOWLIST = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'TZ',
  'TMPDIR',
] as const;

/** Locale categories (`LC_ALL`, `LC_CTYPE`, …) carry no secrets and shape every tool's output. */
const LOCALE_VARIABLE = /^LC_[A-Z]+$/;

/**
 * Harness's own secrets and the provider keys it keeps behind the model gateway. They are never
 * inherited, and `agents.env_passthrough` may not name them.
 */
export const HARNESS_SECRET_ENV_NAMES = harnessSecretEnvNames;

const SECRET_NAMES: ReadonlySet<string> = new Set(HARNESS_SECRET_ENV_NAMES);

/** True for a name `agents.env_passthrough` must refuse. */
export function isHarnessSecretEnvName(name: string): boolean {
  return SECRET_NAMES.has(name.toUpperCase());
}

/**
 * Variables that make an agent CLI believe it runs inside another agent session (nested-session
 * detection, SIGTRAP on start, wrong entrypoint attribution) when Harness itself was started from
 * one. The allowlist keeps them out; the list documents why they must stay out.
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

const NESTED: ReadonlySet<string> = new Set(NESTED_SESSION_ENV_KEYS);

export interface AgentEnvOptions {
  /** Names the operator chose to share (`agents.env_passthrough`); Harness's secrets never pass. */
  passthrough?: readonly string[];
  /** Non-secret knobs of one agent CLI that may be inherited when set (e.g. `DISABLE_TELEMETRY`). */
  knobs?: readonly string[];
  /** Values Harness sets itself (HOME, CODEX_HOME, the gateway URL and per-turn credential …). */
  set?: Record<string, string | undefined>;
}

function inheritable(name: string, options: AgentEnvOptions): boolean {
  if (SECRET_NAMES.has(name) || NESTED.has(name)) return false;
  return (
    (BASE_ENV_ALLOWLIST as readonly string[]).includes(name) ||
    LOCALE_VARIABLE.test(name) ||
    (options.knobs ?? []).includes(name) ||
    (options.passthrough ?? []).includes(name)
  );
}

/**
 * The environment for an agent process or a command it runs: the allowlisted part of `base`, then
 * what Harness sets (an `undefined` value removes the variable).
 */
export function buildAgentEnv(
  base: Record<string, string | undefined>,
  options: AgentEnvOptions = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && inheritable(name, options)) env[name] = value;
  }
  for (const [name, value] of Object.entries(options.set ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
