import { describeValue, isDatabaseUrl, isHttpUrl } from './fields.js';
import type { ConfigIssue } from './issues.js';
import type { HarnessConfig } from './schema.js';

/**
 * Environment fallbacks, folded into the config once at load time so the rest of the program reads
 * only the config. A value in the file always wins, except for `HARNESS_DATABASE_URL`, which
 * overrides `[store] url`: one config file is then shared by hosts (and tests) that point it at
 * different databases. An empty variable counts as unset.
 */

export const envFallbacks = {
  apiToken: 'HARNESS_API_TOKEN',
  anthropicApiKey: 'ANTHROPIC_API_KEY',
  anthropicBaseUrl: 'ANTHROPIC_BASE_URL',
  openaiApiKey: 'OPENAI_API_KEY',
  codexApiKey: 'CODEX_API_KEY',
  openaiBaseUrl: 'OPENAI_BASE_URL',
  githubToken: 'GITHUB_TOKEN',
  otelEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  databaseUrl: 'HARNESS_DATABASE_URL',
} as const;

/** Where the Anthropic API adapter sends requests when neither the config nor the environment says. */
export const defaultAnthropicUrl = 'https://api.anthropic.com';

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function foldEnv(
  config: HarnessConfig,
  env: NodeJS.ProcessEnv,
): { config: HarnessConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const url = (current: string | undefined, name: string, keyPath: string): string | undefined => {
    const value = fromEnv(env, name);
    if (current !== undefined || value === undefined) return current;
    if (isHttpUrl(value)) return value;
    issues.push({
      file: `env ${name}`,
      path: keyPath,
      message: `expected an http:// or https:// URL, got ${describeValue(value)}`,
    });
    return undefined;
  };
  const endpoint = url(config.otel.endpoint, envFallbacks.otelEndpoint, 'otel.endpoint');
  const databaseUrl = fromEnv(env, envFallbacks.databaseUrl);
  if (databaseUrl !== undefined && !isDatabaseUrl(databaseUrl))
    issues.push({
      file: `env ${envFallbacks.databaseUrl}`,
      path: 'store.url',
      message: `expected a postgres:// or postgresql:// URL, got ${describeValue(databaseUrl, true)}`,
    });
  const storeUrl = databaseUrl !== undefined && isDatabaseUrl(databaseUrl) ? databaseUrl : config.store.url;
  const { claude, codex } = config.agents;
  const folded: HarnessConfig = {
    ...config,
    server: { ...config.server, api_token: config.server.api_token ?? fromEnv(env, envFallbacks.apiToken) },
    agents: {
      ...config.agents,
      claude: {
        ...claude,
        base_url: url(claude.base_url, envFallbacks.anthropicBaseUrl, 'agents.claude.base_url'),
      },
      codex: {
        ...codex,
        base_url: url(codex.base_url, envFallbacks.openaiBaseUrl, 'agents.codex.base_url'),
        api_key:
          codex.api_key ?? fromEnv(env, envFallbacks.openaiApiKey) ?? fromEnv(env, envFallbacks.codexApiKey),
      },
      anthropic_api: {
        ...config.agents.anthropic_api,
        base_url:
          url(
            config.agents.anthropic_api.base_url,
            envFallbacks.anthropicBaseUrl,
            'agents.anthropic_api.base_url',
          ) ?? defaultAnthropicUrl,
        api_key: config.agents.anthropic_api.api_key ?? fromEnv(env, envFallbacks.anthropicApiKey),
      },
    },
    github: { ...config.github, token: config.github.token ?? fromEnv(env, envFallbacks.githubToken) },
    otel: { ...config.otel, endpoint },
    store: { ...config.store, url: storeUrl },
  };
  return { config: folded, issues };
}
