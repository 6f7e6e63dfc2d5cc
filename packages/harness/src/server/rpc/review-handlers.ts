import path from 'node:path';
import { type AgentName, AgentNameSchema } from '../../agents/index.js';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { runCrossReview, runPreflight, threadReviewer } from '../../review/index.js';
import { scanBaseline } from '../scan-baseline.js';
import type { HandlerDependencies } from './handlers.js';
import type { HandlerTable } from './router.js';

/**
 * `cross_review` and `preflight` over JSON-RPC. Both read a project like `metrics/collect` does —
 * a registered project, or a path inside `server.allowed_project_roots` — and run their agents
 * read-only on their own threads, so the turns are recorded like any other.
 */
export function createReviewHandlers(
  deps: HandlerDependencies,
): Pick<HandlerTable, 'cross_review' | 'preflight'> {
  return {
    cross_review: async (params) => {
      const project = await projectAt(deps, params.project_root);
      const settings = await deps.projects.settings(project.name);
      return runCrossReview(
        deps,
        { name: project.name, root: project.root, remote: settings.git.remote },
        params,
        { minConfidence: settings.review.min_confidence },
      );
    },
    preflight: async (params) => {
      const project = await projectAt(deps, params.project_root);
      const asked = params.agent === undefined ? {} : { agent: agentName(params.agent) };
      const agent = (await deps.agents.select(asked)).name;
      const reviewer = threadReviewer(deps, {
        agent,
        cwd: project.root,
        title: 'preflight',
        metadata: { role: 'preflight' },
      });
      const { rules, runner } = deps.quality;
      const baseline = scanBaseline({
        store: deps.store,
        events: deps.events,
        clock: deps.clock,
        rules,
        runner,
      });
      return runPreflight({ baseline, clock: deps.clock }, reviewer, {
        project,
        cwd: project.root,
        taskDescription: params.task_description,
      });
    },
  };
}

async function projectAt(deps: HandlerDependencies, root: string): Promise<{ name: string; root: string }> {
  if (!path.isAbsolute(root))
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `project_root: expected an absolute path, got ${JSON.stringify(root)}`,
      {
        data: { path: ['project_root'] },
      },
    );
  const { project } = await deps.projects.resolveForTask(root);
  return { name: project.name, root: project.root };
}

function agentName(name: string): AgentName {
  const parsed = AgentNameSchema.safeParse(name);
  if (parsed.success) return parsed.data;
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `agent: unknown agent ${JSON.stringify(name)} (expected one of ${AgentNameSchema.options.join(', ')})`,
    { data: { path: ['agent'] } },
  );
}
