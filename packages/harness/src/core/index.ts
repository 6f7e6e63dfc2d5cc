/**
 * core: what every other module stands on — errors, ids, ports (logger, clock, processes, git),
 * process groups that end with the server, paths, the version, and the configuration (schema,
 * loading, project overlays, secret masking). Depends on no other module; of third-party packages
 * only zod, pino (the logger) and smol-toml (the config file).
 */
export { describeError, type ErrorCode, ErrorCodes, HarnessError, isHarnessError } from './errors.js';
export { isRecord } from './records.js';
export { describeIssue, describeIssues, type IssueReport, issueReports } from './zod-issues.js';
export { type IdKind, newId } from './ids.js';
export { type Clock, systemClock } from './clock.js';
export {
  type ClosableLogger,
  createLogger,
  formatTextLine,
  type LogFormat,
  logFormats,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  resolveLogFormat,
  silentLogger,
} from './logger.js';
export { defaultDataDir, expandHome, isWithin } from './paths.js';
export { ensureOperatorKey, operatorKeyPath, readOperatorKey } from './operator-key.js';
export { harnessVersion } from './version.js';
export {
  createProcessRunner,
  defaultMaxOutputBytes,
  describeRunOutcome,
  type ProcessRunner,
  type ProcessRunnerDefaults,
  type RunOptions,
  type RunResult,
  TailBuffer,
} from './process-runner.js';
export {
  endRecordedGroup,
  type GroupTracking,
  liveGroupMembers,
  type ProcessGroupJournal,
  processStartTime,
  type TrackedProcessGroup,
  trackProcessGroup,
} from './process-groups.js';
export { isAlive, killProcessTree, type KillTreeOptions, processTree } from './process-tree.js';
export { isOwnerGone, newProcessOwner, sameProcess } from './process-owner.js';
export {
  assertRefName,
  type CommitResult,
  createGit,
  type DiffStat,
  type DiffStatFile,
  type DiffText,
  type Git,
  type GitAuthor,
  GitCli,
  type GitOptions,
  parseNumstat,
  parseStatus,
  parseWorktreeList,
  type PushOptions,
  type PushResult,
  redactUrl,
  refNameProblem,
  type StatusEntry,
  type WorktreeEntry,
} from './git.js';
export {
  type ChangedFile,
  type ChangeStatus,
  type Changes,
  cutDiff,
  parseNameStatus,
} from './git-changes.js';
export {
  type AgentChoice,
  type AgentName,
  agentNames,
  buildConfigSchema,
  type ConfigErrorData,
  type ConfigIssue,
  defaultProject,
  envFallbacks,
  formatConfigIssue,
  type HarnessConfig,
  harnessSecretEnvNames,
  loadConfig,
  type LoadConfigOptions,
  type LoadedConfig,
  loadProjectOverlay,
  logLevels,
  maskedValue,
  maskSecrets,
  maskUrlCredentials,
  otelExporters,
  overlayRelativePath,
  parseConfig,
  type ParseConfigOptions,
  parseProjectFlag,
  parseProjectOverlay,
  type ProjectConfig,
  type ProjectFlag,
  type ProjectOverlay,
  requireAgentName,
  resolveConfigFile,
  type ResolvedProjectSettings,
  resolveProjectSettings,
  sandboxModes,
  secretKeyPaths,
  transports,
} from './config/index.js';
export { wrapExternalData } from './external-data.js';
