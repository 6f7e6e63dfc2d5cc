import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, HarnessError, isWithin } from '../../core/index.js';
import { assembleAgentsMd, cascadeDelivery, type AgentsMdSettings } from '../../context/index.js';
import type { HandlerTable } from './router.js';
import { authorizeProjectRoot, type RuleHandlerDeps } from './rule-handlers.js';

/**
 * `context/preview`: the AGENTS.md cascade exactly as the agents get it. It reads files of a
 * project, so like a project scan it takes a registered project's root or one inside
 * `server.allowed_project_roots`; the working directory must lie inside it.
 */
export function contextHandlers(
  deps: RuleHandlerDeps & { agentsMd: AgentsMdSettings },
): Pick<HandlerTable, 'context/preview'> {
  return {
    'context/preview': async (params) => {
      const { root } = await authorizeProjectRoot(deps, params.project_root);
      const cwd = await workingDirectory(root, params.cwd);
      const cascade = assembleAgentsMd(cwd, deps.agentsMd);
      return {
        ...cascade,
        delivery: params.agent === undefined ? null : cascadeDelivery(cascade, params.agent),
      };
    },
  };
}

async function workingDirectory(root: string, cwd: string | undefined): Promise<string> {
  if (cwd === undefined) return root;
  const wanted = path.resolve(root, cwd);
  const real = await realpath(wanted).catch(() => {
    throw new HarnessError(ErrorCodes.notFound, `cwd: ${wanted} does not exist`, { data: { path: ['cwd'] } });
  });
  if (!isWithin(root, real)) {
    throw new HarnessError(ErrorCodes.invalidParams, `cwd: ${real} is outside project_root ${root}`, {
      data: { path: ['cwd'] },
    });
  }
  if (!(await stat(real)).isDirectory()) {
    throw new HarnessError(ErrorCodes.invalidParams, `cwd: ${real} is not a directory`, {
      data: { path: ['cwd'] },
    });
  }
  return real;
}
