/**
 * rules: the execution policy. Starlark policy files (`prefix_rule`, `host_executable`,
 * `network_rule`) are evaluated once into an immutable, indexed rule set; commands — argv arrays or
 * whole shell lines, split into every simple command they would run — are then checked by lookup,
 * strictest decision winning (allow < prompt < forbidden). Also runs the project's guard scanners.
 * Depends only on core, store and @harness/starlark.
 */
export { DECISIONS, atLeast, isDecision, stricter, strictest, type Decision } from './decision.js';
export type { NetworkProtocol, NetworkRule, PrefixRule, RuleSet, SourcePosition } from './rule-model.js';
export type { RuleMatch } from './rule-index.js';
export {
  Policy,
  type CheckOptions,
  type CheckResult,
  type EvaluateResult,
  type PartResult,
  type PolicyOptions,
} from './policy.js';
export {
  discoverPolicyFiles,
  expandPolicyPaths,
  loadPolicy,
  loadPolicyFiles,
  MAX_POLICY_BYTES,
  PROJECT_POLICY_DIR,
  type LoadPolicyOptions,
  type PolicySource,
} from './load-policy.js';
export { parseShell } from './shell-parser.js';
export type { ShellParse, SimpleCommand, Word } from './shell-words.js';
export { shlexJoin, shlexSplit } from './shlex.js';
export {
  GUARDS_DIR,
  parseGuardOutput,
  runGuards,
  type GuardOptions,
  type GuardRun,
  type GuardScan,
  type GuardViolation,
} from './guards.js';
export {
  checkForReport,
  checkProject,
  commandResult,
  describePolicy,
  resolvePolicyPaths,
  ruleCheck,
  ruleLoad,
  type RuleRpcContext,
} from './rpc.js';
export {
  checkCommandLineWithScripts,
  type ScriptAwareResult,
  type ScriptCheckOptions,
} from './script-files.js';
export { gitAliasLookup, type GitAliasLookup, type GitAliasSource } from './git-aliases.js';
