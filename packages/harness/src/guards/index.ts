/**
 * guards: the rule catalogue and the scanners that find its rules. Rule files (`parseRuleFile`,
 * `loadRuleCatalogue`: markdown `## ID: Title (severity)` sections from the project, the user, the
 * machine, the config and the shipped catalogue), the project's guard scripts in
 * `<root>/.harness/guards/` that print `FILE:LINE:RULE_ID:MESSAGE` (`runGuards`), the built-in
 * guards behind every shipped rule, `scanProject` (both kinds of guard, findings mapped to their
 * rules) and `applyFixes` (a rule's `fix_pattern` on the reported lines). Depends only on core.
 */
export {
  GUARDS_DIR,
  guardId,
  parseGuardOutput,
  runGuards,
  type GuardOptions,
  type GuardRun,
  type GuardScan,
  type GuardViolation,
} from './guards.js';
export { scanProject, toFinding, type ProjectScan, type Rule, type ScanOptions } from './scan.js';
export { categoryOf, parseFixPattern, parseRuleFile, type FixPattern } from './rule-file.js';
export {
  ADMIN_RULES_DIR,
  RULES_DIR,
  builtinRules,
  loadRuleCatalogue,
  type CatalogueOptions,
  type RuleCatalogue,
  type RuleOrigin,
  type Shadowed,
} from './catalogue.js';
export { applyFixes, type FixResult } from './fix.js';
