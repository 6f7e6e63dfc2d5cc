import type { MethodParams } from '@harness/protocol';
import type { SkillService, SkillWriteTarget } from '../../skills/index.js';
import { requireOperator } from '../operator.js';
import type { HandlerDependencies } from './handlers.js';
import { projectOf } from './learn-handlers.js';
import type { HandlerTable } from './router.js';

type SkillMethod = 'skill/list' | 'skill/get' | 'skill/create' | 'skill/update' | 'skill/delete';

/**
 * The `skill/*` methods. The project is a registered one (by name or checkout) or the server's own
 * root, as for `learn/*`; without one, the default project. Writing a skill is for a person: a
 * skill is read by every agent that works on the project, so an agent that could write one could
 * instruct the next. Reading is open to every client.
 */
export function skillHandlers(
  deps: HandlerDependencies & { skills: SkillService },
): Pick<HandlerTable, SkillMethod> {
  const context = async (projectRoot: string | undefined) => ({
    projectRoot: (await projectOf(projectRoot, deps)).root,
  });
  const target = async (params: MethodParams<'skill/delete'>): Promise<SkillWriteTarget> => {
    // A project_root says where; without one a skill is the user's unless `scope` asks otherwise.
    const scope = params.scope ?? (params.project_root === undefined ? 'user' : 'project');
    if (scope === 'user') return { name: params.name, scope };
    return { name: params.name, scope, ...(await context(params.project_root)) };
  };
  return {
    'skill/list': async (params) =>
      deps.skills.list({ ...(await context(params.project_root)), query: params.query }),
    'skill/get': async (params) => deps.skills.get(params.name, await context(params.project_root)),
    'skill/create': async (params, { connection }) => {
      requireOperator(connection.operator, 'creating a skill', deps.operatorKeyFile);
      return deps.skills.create(await target(params), { description: params.description, body: params.body });
    },
    'skill/update': async (params, { connection }) => {
      requireOperator(connection.operator, 'changing a skill', deps.operatorKeyFile);
      const write = {
        ...(params.description === undefined ? {} : { description: params.description }),
        ...(params.body === undefined ? {} : { body: params.body }),
      };
      return deps.skills.update(await target(params), write);
    },
    'skill/delete': async (params, { connection }) => {
      requireOperator(connection.operator, 'deleting a skill', deps.operatorKeyFile);
      return deps.skills.delete(await target(params));
    },
  };
}
