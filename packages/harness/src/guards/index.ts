/**
 * guards: the project's guard scanners — scripts in `<root>/.harness/guards/` that print one
 * violation per line as `FILE:LINE:RULE_ID:MESSAGE`. Exports `runGuards` (runs every scanner in its
 * own process group under a timeout and collects what they report), `parseGuardOutput`, `guardId`,
 * `GUARDS_DIR` and the types `GuardOptions`, `GuardRun`, `GuardScan`, `GuardViolation`. Depends only
 * on core.
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
