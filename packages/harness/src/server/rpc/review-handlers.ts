import path from 'node:path';
import { type AgentName, AgentNameSchema } from '../../agents/index.js';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { collectMetrics } from '../../quality/index.js';
import { runCrossReview, runPreflight, type ScanBaseline, threadReviewer } from '../../review/index.js';
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
      return runPreflight({ baseline: scanBaseline(deps), clock: deps.clock }, reviewer, {
        project,
        cwd: project.root,
        taskDescription: params.task_description,
      });
    },
  };
}

/** The project's latest full scan from the store; a new one scanned and stored when there is none. */
export function scanBaseline(
  deps: Pick<HandlerDependencies, 'store' | 'events' | 'clock' | 'quality'>,
): ScanBaseline {
  return {
    async latest(project) {
      const scan = await deps.store.scans.latestFull(project);
      return scan && { scan_id: scan.id, ...scan };
    },
    async scan(project) {
      const { rules, runner } = deps.quality;
      const metricsDeps = { store: deps.store, events: deps.events, clock: deps.clock, rules, runner };
      const collected = await collectMetrics(metricsDeps, project, 'preflight');
      const scan = await deps.store.scans.latestFull(project.name);
      if (scan === null || scan.id !== collected.scan.id)
        throw new HarnessError(ErrorCodes.internal, `preflight: the scan of ${project.name} was not stored`);
      return { scan_id: scan.id, ...scan };
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
