/**
 * policy: the execution policy. Starlark policy files (`prefix_rule`, `host_executable`,
 * `network_rule`) are evaluated once into an immutable, indexed rule set; commands — argv arrays or
 * whole shell lines, split into every simple command they would run by the shell module — are then
 * checked by lookup, strictest decision winning (allow < prompt < forbidden).
 *
 * Exports: decisions (`DECISIONS`, `atLeast`, `isDecision`, `stricter`, `strictest`, `Decision`);
 * the rule set's types (`NetworkProtocol`, `NetworkRule`, `PrefixRule`, `RuleSet`, `SourcePosition`,
 * `RuleMatch`); `Policy` with `CheckOptions`, `CheckResult`, `EvaluateResult`, `PartResult`,
 * `PolicyOptions`; loading (`discoverPolicyFiles`, `expandPolicyPaths`, `loadPolicy`,
 * `loadPolicyFiles`, `MAX_POLICY_BYTES`, `PROJECT_POLICY_DIR`, `LoadPolicyOptions`, `PolicySource`);
 * `checkCommandLineWithScripts` with `ScriptAwareResult` and `ScriptCheckOptions` (a line checked
 * together with the scripts, package scripts and Makefile recipes it runs, read from disk); and the
 * `rule/load` / `rule/check` handlers as plain functions (`ruleLoad`, `ruleCheck`, `checkForReport`,
 * `commandResult`, `describeCatalogue`, `describePolicy`, `projectContext`, `resolvePolicyPaths`,
 * `RuleRpcContext`); the project check behind `rule check DIR` (`checkProject`, `FAIL_SEVERITY`,
 * `ProjectCheckContext`, `StoredScanInput`: catalogue, guards, `--fix`, the scan handed to the
 * caller to store, and the policy load). Depends on core, shell, guards (a project check loads the
 * rule catalogue and runs the guards) and @harness/starlark.
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
export {
  checkForReport,
  commandResult,
  describeCatalogue,
  describePolicy,
  projectContext,
  resolvePolicyPaths,
  ruleCheck,
  ruleLoad,
  type RuleRpcContext,
} from './rpc.js';
export {
  checkProject,
  FAIL_SEVERITY,
  type ProjectCheckContext,
  type StoredScanInput,
} from './project-check.js';
export {
  checkCommandLineWithScripts,
  type ScriptAwareResult,
  type ScriptCheckOptions,
} from './script-files.js';
