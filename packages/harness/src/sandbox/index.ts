/**
 * sandbox: what an agent may touch and how that is enforced — the `SandboxMode`/`SandboxSpec`
 * model, a bubblewrap argv builder, a host capability probe that refuses (never downgrades) a mode
 * it cannot enforce, allowlisted environments for agent processes and the commands they run, and
 * path guards that keep file tools inside the worktree. Depends only on core.
 *
 * Running as root is handled on purpose, not by accident: bubblewrap then needs no user namespace,
 * so every sandbox drops all capabilities (`--cap-drop ALL`) lest root inside remount the read-only
 * binds; Claude Code refuses `bypassPermissions` as root unless `IS_SANDBOX=1`, which the Claude
 * adapter sets for `danger-full-access` alone (the operator's explicit choice); the other modes use
 * Claude's ordinary permission modes inside bubblewrap.
 */
export {
  DEFAULT_PROTECTED_PATHS,
  type SandboxMode,
  SandboxModes,
  SandboxModeSchema,
  sandboxSpec,
  type SandboxSpec,
  type SandboxSpecInput,
  SandboxSpecSchema,
} from './spec.js';
export {
  type AgentEnvOptions,
  BASE_ENV_ALLOWLIST,
  buildAgentEnv,
  HARNESS_SECRET_ENV_NAMES,
  isHarnessSecretEnvName,
  NESTED_SESSION_ENV_KEYS,
} from './env.js';
export { assertWritable, resolveInsideWorkspace } from './paths.js';
export {
  assertSandboxSupported,
  findOnPath,
  INSTALL_HINT,
  probeSandbox,
  type SandboxCapabilities,
} from './probe.js';
export { buildBwrapArgv, type BwrapOptions, linkedGitDirs } from './bwrap.js';
