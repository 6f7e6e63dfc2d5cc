import { describeValue, isHttpUrl } from './fields.js';
import type { ConfigIssue } from './issues.js';
import type { HarnessConfig } from './schema.js';

/**
 * Environment fallbacks, folded into the config once at load time so the rest of the program reads
 * only the config. A value in the file always wins; an empty variable counts as unset.
 */

export const envFallbacks = {
  apiToken: 'HARNESS_API_TOKEN',
  anthropicApiKey: 'ANTHROPIC_API_KEY',
  githubToken: 'GITHUB_TOKEN',
  otelEndpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
} as const;

function fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function foldEnv(
  config: HarnessConfig,
  env: NodeJS.ProcessEnv,
): { config: HarnessConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  let endpoint = config.otel.endpoint;
  const envEndpoint = fromEnv(env, envFallbacks.otelEndpoint);
  if (endpoint === undefined && envEndpoint !== undefined) {
    if (isHttpUrl(envEndpoint)) endpoint = envEndpoint;
    else
      issues.push({
        file: `env ${envFallbacks.otelEndpoint}`,
        path: 'otel.endpoint',
        message: `expected an http:// or https:// URL, got ${describeValue(envEndpoint)}`,
      });
  }
  const folded: HarnessConfig = {
    ...config,
    server: { ...config.server, api_token: config.server.api_token ?? fromEnv(env, envFallbacks.apiToken) },
    agents: {
      ...config.agents,
      anthropic_api: {
        ...config.agents.anthropic_api,
        api_key: config.agents.anthropic_api.api_key ?? fromEnv(env, envFallbacks.anthropicApiKey),
      },
    },
    github: { ...config.github, token: config.github.token ?? fromEnv(env, envFallbacks.githubToken) },
    otel: { ...config.otel, endpoint },
  };
  return { config: folded, issues };
}
