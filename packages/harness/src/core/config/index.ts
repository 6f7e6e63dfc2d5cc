/**
 * config: the server's `config.toml` and each project's `.harness/config.toml`, validated with zod
 * into typed settings. Paths are `~`-expanded and made absolute (relative ones against the file's
 * own directory; `--project` paths against the working directory), environment fallbacks for
 * secrets and the OTLP endpoint are folded in at load time, and every error names the file, the key
 * path and what was expected. Part of core: depends only on core's own files, zod and smol-toml.
 */
export {
  agentNames,
  harnessSecretEnvNames,
  requireAgentName,
  type AgentName,
  type AgentChoice,
} from './fields.js';
export {
  buildConfigSchema,
  secretKeyPaths,
  transports,
  logLevels,
  sandboxModes,
  otelExporters,
  type HarnessConfig,
  type ProjectConfig,
} from './schema.js';
export { formatConfigIssue, type ConfigIssue, type ConfigErrorData } from './issues.js';
export { envFallbacks } from './env.js';
export {
  loadConfig,
  parseConfig,
  resolveConfigFile,
  type LoadConfigOptions,
  type ParseConfigOptions,
  type LoadedConfig,
} from './load.js';
export { parseProjectFlag, defaultProject, type ProjectFlag } from './projects.js';
export {
  loadProjectOverlay,
  parseProjectOverlay,
  overlayRelativePath,
  type ProjectOverlay,
} from './overlay.js';
export { resolveProjectSettings, type ResolvedProjectSettings } from './resolve.js';
export { maskSecrets, maskedValue, maskUrlCredentials } from './mask.js';
