/**
 * ExecPlans: the `PLANS.md` convention's living plan (the model, Markdown both ways in the
 * convention's format and the original Harness one, lint) and the plan files a project keeps in
 * `.agent/plans`. Depends on core only (store and skills are allowed).
 *
 * Exports: ExecPlan, lintPlan, ProjectPlans and the plan-file helpers the task pipeline uses.
 */
export { ExecPlan, type ExecPlanOptions } from './exec-plan.js';
export { lintPlan, type PlanLint, type PlanProblem } from './lint.js';
export {
  listPlanFiles,
  PLANS_DIR,
  type PlanFile,
  type PlanSummary,
  readPlanFile,
  resolvePlanPath,
  summarize,
  writePlanFile,
} from './plan-files.js';
export { applyPlanUpdate } from './plan-updates.js';
export { ProjectPlans } from './project-plans.js';
