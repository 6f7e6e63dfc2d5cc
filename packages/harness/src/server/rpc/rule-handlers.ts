import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, HarnessError, isWithin } from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';
import { ruleCheck, ruleLoad, type RuleRpcContext } from '../../policy/index.js';
import type { ProjectRegistry } from '../../projects/index.js';
import { recordScan } from '../../quality/index.js';
import type { Store } from '../../store/index.js';
import type { HandlerTable } from './router.js';

/**
 * `rule/load` and `rule/check` on the server. A project scan runs the project's guard scripts, so
 * like `task/create` it is allowed only for a registered project's root or a directory inside
 * `server.allowed_project_roots` (refused with `forbidden` otherwise); its scan is stored with
 * the trigger `rpc`. Command checks and `rule/load` only read policy and rule files, and keep
 * working on any path, as before.
 */
export interface RuleHandlerOptions {
  /** `rules.exec_policy_paths`, applied on top of each project's own policy files. */
  readonly policyPaths: readonly string[];
  /** `rules.discovery_paths`. */
  readonly discoveryPaths: readonly string[];
  readonly allowedProjectRoots: readonly string[];
}

export interface RuleHandlerDeps {
  readonly store: Store;
  readonly events: EventLog;
  readonly projects: ProjectRegistry;
  readonly rules: RuleHandlerOptions;
  /** The directory the server was started for: its own project, registered or not. */
  readonly serverRoot?: string;
}

export function ruleHandlers(deps: RuleHandlerDeps): Pick<HandlerTable, 'rule/load' | 'rule/check'> {
  const ctx: RuleRpcContext = {
    extraPolicyPaths: deps.rules.policyPaths,
    catalogue: { discoveryPaths: deps.rules.discoveryPaths },
    authorize: (root) => authorizeProjectRoot(deps, root),
    record: async (input) =>
      (await recordScan({ store: deps.store, events: deps.events }, { ...input, trigger: 'rpc' })).id,
  };
  return {
    'rule/load': (params) => ruleLoad(params, ctx),
    'rule/check': (params) => ruleCheck(params, ctx),
  };
}

/** A registered project's root, or a directory inside `server.allowed_project_roots`; else `forbidden`. */
export async function authorizeProjectRoot(
  deps: Pick<RuleHandlerDeps, 'projects' | 'rules' | 'serverRoot'>,
  root: string,
): Promise<{ project: string; root: string }> {
  const real = await realpath(root).catch(() => {
    throw new HarnessError(ErrorCodes.notFound, `project_root: ${root} does not exist`, {
      data: { path: ['project_root'] },
    });
  });
  for (const project of await deps.projects.list()) {
    if ((await realpath(project.root).catch(() => null)) === real)
      return { project: project.name, root: real };
  }
  const serverRoot = deps.serverRoot === undefined ? null : await realpath(deps.serverRoot).catch(() => null);
  if (real === serverRoot || deps.rules.allowedProjectRoots.some((base) => isWithin(base, real))) {
    return { project: path.basename(real), root: real };
  }
  throw new HarnessError(
    ErrorCodes.forbidden,
    `project_root: ${real} is not a registered project (nor the server's own root). Register it in the config file ([[projects]]), ` +
      `with --project NAME=${real} when starting the server, or with project/register; or add a ` +
      `directory that contains it to server.allowed_project_roots`,
    { data: { path: ['project_root'], root: real } },
  );
}
