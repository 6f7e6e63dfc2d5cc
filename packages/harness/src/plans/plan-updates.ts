import type { PlanUpdateParams } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../core/index.js';
import type { ExecPlan } from './exec-plan.js';

/**
 * One `exec_plan/update` action applied to a plan: a status change, a milestone or step (added
 * with `description`, or the one at `index` checked), a decision, a surprise or an outcome.
 */
export function applyPlanUpdate(plan: ExecPlan, update: PlanUpdateParams): ExecPlan {
  switch (update.action) {
    case 'activate':
      return plan.activate();
    case 'complete':
      return plan.complete();
    case 'abandon':
      return plan.abandon();
    case 'milestone':
      if (update.index !== undefined) return plan.completeMilestone(update.index, update.done ?? true);
      return plan.addMilestone(requireDescription(update.description, 'milestone'));
    case 'step':
      if (update.index !== undefined) return plan.completeStep(update.index, update.done ?? true);
      return plan.addStep(requireDescription(update.description, 'step'), update.files ?? []);
    case 'decision':
      return plan.logDecision(update.decision, update.rationale, update.author);
    case 'surprise':
      return plan.logSurprise(update.observation, update.evidence);
    case 'outcome':
      return plan.addOutcome(update.text);
  }
}

function requireDescription(description: string | undefined, kind: string): string {
  if (description === undefined) {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `description: a new ${kind} needs a description (or give index to check an existing one)`,
    );
  }
  return description;
}
