import type { PlanResult } from '@harness/protocol';
import { type PlanFile, ProjectPlans } from '../../plans/index.js';
import type { HandlerDependencies } from './handlers.js';
import { projectOf } from './learn-handlers.js';
import type { HandlerTable } from './router.js';

type PlanMethod = 'exec_plan/init' | 'exec_plan/update' | 'exec_plan/status' | 'exec_plan/list';

/**
 * `exec_plan/*`: plans are Markdown files in a registered project (or the server's own root), in
 * `.agent/plans/<id>.md` or a `.md` path inside it; paths that leave the project are refused.
 * Every change is recorded as an `exec_plan.updated` event.
 */
export function planHandlers(deps: HandlerDependencies): Pick<HandlerTable, PlanMethod> {
  const plans = new ProjectPlans(deps.clock);
  const record = async (project: string, action: string, file: PlanFile): Promise<PlanResult> => {
    const result = planResult(file);
    await deps.events.append({
      kind: 'exec_plan.updated',
      project,
      data: {
        plan_id: result.plan_id,
        path: result.path,
        action,
        status: result.plan.status,
        progress: result.progress,
      },
    });
    return result;
  };
  return {
    'exec_plan/init': async (params) => {
      const project = await projectOf(params.project_root, deps);
      return record(project.name, 'init', await plans.init(project.root, params.spec, params.path));
    },
    'exec_plan/update': async (params) => {
      const project = await projectOf(params.project_root, deps);
      return record(project.name, params.action, await plans.update(project.root, params));
    },
    'exec_plan/status': async (params) => {
      const project = await projectOf(params.project_root, deps);
      return planResult(await plans.status(project.root, params.plan));
    },
    'exec_plan/list': async (params) => {
      const project = await projectOf(params.project_root, deps);
      return plans.list(project.root);
    },
  };
}

function planResult(file: PlanFile): PlanResult {
  return { plan_id: file.plan.id, path: file.path, plan: file.plan.toJSON(), progress: file.plan.progress() };
}
