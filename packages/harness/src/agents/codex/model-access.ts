import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import type { GatewayLease, ModelAccess } from '../gateway/index.js';

/** The variable that holds the per-turn credential; the `harness` provider's `env_key`. */
export const CODEX_GATEWAY_KEY_ENV = 'HARNESS_MODEL_CREDENTIAL';

/** Providers that are OpenAI's own API, which Harness's gateway stands in for. */
const GATEWAY_REPLACES = new Set(['openai', 'harness']);

/** `model_provider` of `$CODEX_HOME/config.toml`, or null when it names none (or cannot be read). */
export function configuredCodexProvider(codexHome: string): string | null {
  try {
    const config = parse(readFileSync(path.join(codexHome, 'config.toml'), 'utf8')) as {
      model_provider?: unknown;
    };
    return typeof config.model_provider === 'string' ? config.model_provider : null;
  } catch {
    return null;
  }
}

/** Codex's own login (`codex login`, with ChatGPT or a key) lives in `$CODEX_HOME/auth.json`. */
export function hasCodexLogin(codexHome: string): boolean {
  return existsSync(path.join(codexHome, 'auth.json')) || configuredCodexProvider(codexHome) !== null;
}

/**
 * Through the gateway when Harness holds an OpenAI key and the operator has not chosen another
 * provider in Codex's config.toml; with Codex's own login otherwise.
 */
export function codexModelAccess(
  codexHome: string,
  gateway: Extract<ModelAccess, { mode: 'gateway' }> | undefined,
): ModelAccess {
  const provider = configuredCodexProvider(codexHome);
  if (provider !== null && !GATEWAY_REPLACES.has(provider)) {
    return {
      mode: 'direct',
      reason: `${path.join(codexHome, 'config.toml')} selects model_provider "${provider}": Codex uses that provider with its own credentials`,
    };
  }
  if (gateway !== undefined) return gateway;
  return {
    mode: 'direct',
    reason: 'Harness holds no OpenAI API key: Codex uses its own login (codex login, e.g. with ChatGPT)',
  };
}

/**
 * `-c` overrides that point Codex at the gateway for one process: a `harness` provider whose key
 * is read from `CODEX_GATEWAY_KEY_ENV`, so nothing is written to disk and the real key is nowhere.
 * Dotted keys, so that `agents.codex.extra_args` can add to the provider (retries, timeouts).
 */
export function codexGatewayArgs(lease: GatewayLease): string[] {
  const provider = {
    name: '"Harness model gateway"',
    base_url: JSON.stringify(lease.baseUrl),
    wire_api: '"responses"',
    env_key: JSON.stringify(CODEX_GATEWAY_KEY_ENV),
  };
  return [
    ...Object.entries(provider).flatMap(([key, value]) => ['-c', `model_providers.harness.${key}=${value}`]),
    '-c',
    'model_provider="harness"',
  ];
}
