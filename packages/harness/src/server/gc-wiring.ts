import path from 'node:path';
import type { AgentRegistry } from '../agents/index.js';
import type { Clock, Git, HarnessConfig, Logger, ProcessGroupJournal, ProcessRunner } from '../core/index.js';
import type { EventLog } from '../observe/index.js';
import type { ProjectRegistry } from '../projects/index.js';
import {
  AgentDrafter,
  type Drafter,
  GcScheduler,
  GcService,
  type GcPorts,
  type GradeOf,
  newRunOwner,
  pullRequestPrompt,
} from '../quality/index.js';
import type { Store } from '../store/index.js';
import type { TaskService } from '../tasks/index.js';

/**
 * What GC is built from beyond the server's own services: the signal detectors, the replay and
 * the project grade (quality's, wired here by whoever assembles the server), and optionally the
 * drafting agent (the registry's read-only turn by default).
 */
export interface GcWiring {
  signals?: GcPorts['signals'];
  replay?: GcPorts['replay'];
  grade?: GradeOf;
  drafter?: Drafter;
}

export interface GcParts {
  service: GcService;
  scheduler: GcScheduler;
}

export function createGc(o: {
  config: HarnessConfig;
  store: Store;
  events: EventLog;
  clock: Clock;
  logger: Logger;
  runner: ProcessRunner;
  git: Git;
  agents: AgentRegistry;
  projects: ProjectRegistry;
  tasks: TaskService;
  dataDir: string;
  wiring: GcWiring;
  processGroups: () => ProcessGroupJournal;
}): GcParts {
  const settings = o.config.gc;
  // The service asks the scheduler for the next run time; the scheduler runs the service.
  const later: { scheduler?: GcScheduler } = {};
  const service = new GcService({
    store: o.store,
    events: o.events,
    clock: o.clock,
    logger: o.logger.child({ component: 'gc' }),
    drafter: o.wiring.drafter ?? new AgentDrafter(o.agents, settings.agent, o.processGroups),
    settings,
    resolveProject: (ref) => o.projects.resolve(ref),
    ports: {
      // The detectors come from whoever assembles the server (server/quality-wiring.ts).
      signals: o.wiring.signals ?? (async () => []),
      replay: o.wiring.replay ?? null,
      openPullRequest: async ({ project, draft, branch, commit }) => {
        const task = await o.tasks.create({
          prompt: pullRequestPrompt(draft, branch, commit),
          project: project.name,
          priority: 0,
        });
        return task.id;
      },
    },
    adoption: {
      runner: o.runner,
      git: o.git,
      author: { name: o.config.git.author_name, email: o.config.git.author_email },
      scratchDir: path.join(o.dataDir, 'gc'),
    },
    owner: newRunOwner(),
    nextRunAt: async (project) => later.scheduler?.nextRunAt(project) ?? null,
  });
  const scheduler = new GcScheduler({
    gc: service,
    store: o.store,
    clock: o.clock,
    logger: o.logger.child({ component: 'gc-scheduler' }),
    projects: () => o.projects.list(),
    grade: o.wiring.grade ?? (async () => null),
    runAfterTasks: settings.run_after_tasks,
  });
  later.scheduler = scheduler;
  return { service, scheduler };
}
