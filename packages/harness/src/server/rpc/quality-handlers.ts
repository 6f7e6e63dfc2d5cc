import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { MethodParams, MethodResult, Project } from '@harness/protocol';
import { ErrorCodes, HarnessError, type ProcessRunner, harnessVersion } from '../../core/index.js';
import { queryStats } from '../../observe/index.js';
import {
  collectMetrics,
  healthReport,
  projectGrades,
  qualityReport,
  type RuleSource,
  type SignalThresholds,
} from '../../quality/index.js';
import { dashboardWithGrades } from '../dashboard.js';
import type { HandlerDependencies } from './handlers.js';
import { checkRange, toUtc } from './handlers.js';
import type { HandlerTable } from './router.js';

/** What the quality methods need beyond the common handler dependencies. */
export interface QualityHandlerSettings {
  /** `[gc.signal_thresholds]`. */
  thresholds: SignalThresholds;
  /** The rules findings are mapped to (severity, title) for a project root. */
  rules: RuleSource;
  /** Runs the guards. */
  runner: ProcessRunner;
}

type QualityMethods = 'metrics/collect' | 'metrics/query' | 'health/check' | 'stats/query' | 'dashboard/get';

/**
 * Quality and health over JSON-RPC: `metrics/collect` scans a registered project and grades it,
 * `metrics/query` grades from stored events, `health/check` is the liveness answer and, given a
 * project root, that project's health report; `stats/query` and `dashboard/get` carry the grades.
 */
export function createQualityHandlers(deps: HandlerDependencies): Pick<HandlerTable, QualityMethods> {
  return {
    'metrics/collect': async (params) => {
      // Like task/create: a registered project, or a path inside server.allowed_project_roots.
      const { project } = await deps.projects.resolveForTask(absoluteRoot(params.project_root));
      const { rules, runner } = deps.quality;
      const metricsDeps = { store: deps.store, events: deps.events, clock: deps.clock, rules, runner };
      return collectMetrics(metricsDeps, { name: project.name, root: project.root });
    },
    'metrics/query': (params) => metricsQuery(deps, params),
    'health/check': (params) => healthCheck(deps, params),
    'stats/query': (params) => statsQuery(deps, params),
    'dashboard/get': () => dashboardWithGrades(deps.tasks, deps.store),
  };
}

const projectNames = async (deps: HandlerDependencies) => (await deps.projects.list()).map((p) => p.name);

async function metricsQuery(
  deps: HandlerDependencies,
  params: MethodParams<'metrics/query'>,
): Promise<MethodResult<'metrics/query'>> {
  checkRange(params.since, params.until);
  const scope = { since: toUtc(params.since), until: toUtc(params.until) };
  if (params.project !== undefined) {
    await deps.projects.get(params.project);
    return { ...(await qualityReport(deps.store, params.project, scope)), projects: [] };
  }
  const names = await projectNames(deps);
  return {
    ...(await qualityReport(deps.store, null, scope, names)),
    projects: await projectGrades(deps.store, names, scope),
  };
}

/** Without a project root the cheap liveness answer it always was; with one, plus the health report. */
async function healthCheck(
  deps: HandlerDependencies,
  params: MethodParams<'health/check'>,
): Promise<MethodResult<'health/check'>> {
  const { store, clock } = deps;
  const ok = await store.ping();
  const live = {
    status: ok ? ('ok' as const) : ('degraded' as const),
    version: harnessVersion,
    uptime_secs: Math.round((clock.now().getTime() - deps.startedAt.getTime()) / 1000),
    store: { backend: store.backend, ok, schema_version: await store.schemaVersion() },
    connections: deps.connectionCount(),
  };
  if (params.project_root === undefined) return live;
  const project = await registeredAt(deps, params.project_root);
  const report = await healthReport({ store, clock, thresholds: deps.quality.thresholds }, project.name);
  return { ...live, report };
}

async function statsQuery(
  deps: HandlerDependencies,
  params: MethodParams<'stats/query'>,
): Promise<MethodResult<'stats/query'>> {
  checkRange(params.since, params.until);
  if (params.project !== undefined) await deps.projects.get(params.project);
  const names = params.project === undefined ? await projectNames(deps) : [params.project];
  const scans = await Promise.all(names.map((name) => deps.store.scans.latestFull(name)));
  return queryStats(deps.store, deps.clock, {
    since: toUtc(params.since),
    until: toUtc(params.until),
    ...(params.project === undefined ? {} : { project: params.project }),
    // The grade's coverage counts open violations: the latest full scans' findings.
    violations: scans.reduce((n, scan) => n + (scan?.finding_count ?? 0), 0),
  });
}

function absoluteRoot(root: string): string {
  if (!path.isAbsolute(root))
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `project_root: expected an absolute path, got ${JSON.stringify(root)}`,
      {
        data: { path: ['project_root'] },
      },
    );
  return root;
}

/** The registered project whose root is `root` (symlinks resolved); health checks register nothing. */
async function registeredAt(deps: HandlerDependencies, root: string): Promise<Project> {
  const wanted = await realpath(absoluteRoot(root)).catch(() => path.resolve(root));
  for (const project of await deps.projects.list()) {
    const candidate = await realpath(project.root).catch(() => project.root);
    if (candidate === wanted) return project;
  }
  throw new HarnessError(ErrorCodes.notFound, `project_root: no registered project has the root ${wanted}`, {
    data: { path: ['project_root'] },
  });
}
