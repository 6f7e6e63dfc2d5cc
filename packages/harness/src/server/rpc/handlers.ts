import { PROTOCOL_VERSION } from '@harness/protocol';
import { type Clock, ErrorCodes, type Git, HarnessError, harnessVersion } from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';
import type { Store } from '../../store/index.js';
import type { AgentRegistry } from '../../agents/index.js';
import {
  type NotificationHub,
  type ThreadService,
  type TurnService,
  threadTopic,
} from '../../threads/index.js';
import type { ProjectRegistry } from '../../projects/index.js';
import { classifyTask, type TaskService } from '../../tasks/index.js';
import type { GcService } from '../../quality/index.js';
import type { SkillService } from '../../skills/index.js';
import { createGcHandlers } from './gc-handlers.js';
import { requireOperator } from '../operator.js';
import { maskUrlCredentials } from '../../core/index.js';
import { createQualityHandlers, type QualityHandlerSettings } from './quality-handlers.js';
import { learnHandlers } from './learn-handlers.js';
import { skillHandlers } from './skill-handlers.js';
import { planHandlers } from './plan-handlers.js';
import type { HandlerTable } from './router.js';
import { ruleHandlers, type RuleHandlerOptions } from './rule-handlers.js';
import { contextHandlers } from './context-handlers.js';
import type { AgentsMdSettings } from '../../context/index.js';
import { createReviewHandlers } from './review-handlers.js';

export interface HandlerDependencies {
  store: Store;
  events: EventLog;
  threads: ThreadService;
  turns: TurnService;
  tasks: TaskService;
  projects: ProjectRegistry;
  agents: AgentRegistry;
  hub: NotificationHub;
  /** Policy paths, rule discovery paths and allowed roots for `rule/load` and `rule/check`. */
  rules: RuleHandlerOptions;
  /** Where threads run by default: a project the quality methods accept without registration. */
  serverRoot: string;
  clock: Clock;
  startedAt: Date;
  connectionCount: () => number;
  /** Where the operator key is, when no API token is set (the answer to a refused approval names it). */
  operatorKeyFile: string | null;
  /** Signal thresholds, rules and the guard runner of the quality methods (quality-handlers.ts). */
  quality: QualityHandlerSettings;
  gc: GcService;
  skills: SkillService;
  /** What agents are given of AGENTS.md (`[agents_md]`), for `context/preview`. */
  agentsMd: AgentsMdSettings;
  /** `cross_review` reads the target's commits; preflight and cross_review run read-only turns. */
  git: Git;
}

const capabilities = { threads: true, events: true, stats: true, notifications: true, batches: true };

/** The JSON-RPC methods, each a thin adapter from validated params to a service call. */
export function createHandlers(deps: HandlerDependencies): HandlerTable {
  return {
    initialize: (params, { connection }) => {
      connection.state = 'initializing';
      connection.clientName = params.client_info?.name ?? null;
      return {
        name: 'harness',
        version: harnessVersion,
        protocol_version: PROTOCOL_VERSION,
        connection_id: connection.id,
        capabilities: { ...capabilities, notifications: connection.canReceiveNotifications },
      };
    },
    initialized: (_params, { connection }) => {
      connection.state = 'ready';
      return {};
    },
    'thread/start': async (params, { connection }) => {
      const thread = await deps.threads.start(params, connection);
      return { thread_id: thread.id, thread };
    },
    'thread/resume': (params, { connection }) => deps.threads.resume(params.thread_id, connection),
    'thread/fork': async (params, { connection }) => {
      const thread = await deps.threads.fork(params.thread_id, params.from_turn_id, connection);
      return { thread_id: thread.id, thread };
    },
    'thread/list': (params) => deps.threads.list(params),
    'thread/delete': async (params) => ({ deleted: await deps.threads.delete(params.thread_id) }),
    'thread/compact': async (params) => ({ compacted: await deps.turns.compact(params.thread_id) }),
    'turn/start': async (params, { connection }) => {
      // Whoever starts a turn hears how it goes, even on a thread it did not start.
      deps.hub.subscribe(connection, threadTopic(params.thread_id));
      const turn = await deps.turns.start(params);
      return { turn_id: turn.id, turn };
    },
    'turn/steer': async (params) => {
      const turn = await deps.turns.steer(params.turn_id, params.instruction);
      return { steered: true, turn_id: turn.id, turn };
    },
    'turn/cancel': (params) => deps.turns.cancel(params.turn_id),
    'turn/status': (params) => deps.turns.status(params.turn_id),
    'agent/list': async () => ({ agents: await deps.agents.list() }),
    ...ruleHandlers(deps),
    'task/create': async (params) => {
      const task = await deps.tasks.create(params);
      return { task_id: task.id, task };
    },
    'task/batch': async (params) => ({ results: await deps.tasks.batch(params.tasks) }),
    'task/get': (params) => deps.tasks.detail(params.task_id),
    'task/list': (params) => deps.tasks.list(params),
    'task/cancel': (params) => deps.tasks.cancel(params.task_id),
    'task/respond': (params, { connection }) => {
      requireOperator(connection.operator, "answering a task's approval", deps.operatorKeyFile);
      const client = connection.clientName === null ? '' : ` (${connection.clientName})`;
      return deps.tasks.respond(params, `${connection.transport} client${client}`);
    },
    'task/diff': (params) => deps.tasks.diff(params.task_id),
    'task/classify': (params) => classifyTask(params),
    'project/list': async () => ({ projects: await deps.projects.list() }),
    'project/register': (params) =>
      deps.projects.register({ ...params, name: (params.id ?? params.name) as string }),
    'project/remove': async (params) => ({ deleted: await deps.projects.remove(params.name) }),
    'project/config': async (params) => ({
      settings: maskUrlCredentials(await deps.projects.settings(params.name)) as Record<string, unknown>,
    }),
    'event/log': async ({ event }) => {
      // Task events are Harness's own record of its tasks, and some are acted on (a
      // `task.cancel_requested` cancels the task): a client's would pass for what a task did.
      if (event.kind.startsWith('task.'))
        throw new HarnessError(
          ErrorCodes.invalidParams,
          `event.kind: ${event.kind} is Harness's own (task.* events record what tasks did); use task/cancel and the other task methods`,
        );
      const thread = event.thread_id === undefined ? null : await deps.threads.get(event.thread_id);
      if (event.thread_id !== undefined && !thread) {
        throw new HarnessError(ErrorCodes.notFound, `event.thread_id: thread not found: ${event.thread_id}`);
      }
      if (event.project !== undefined) await deps.projects.get(event.project);
      // A hook's event on a thread belongs to the thread's project, so signals and grades see it.
      const project = event.project ?? (thread ? await deps.threads.projectOf(thread.project_root) : null);
      const stored = await deps.events.append({ ...event, project });
      return { logged: true, event_id: stored.event.id, seq: stored.event.seq, duplicate: stored.duplicate };
    },
    'event/query': async (params) => {
      checkRange(params.since, params.until);
      const { kind, since, until, ...filter } = params;
      const events = await deps.events.query({
        ...filter,
        since: toUtc(since),
        until: toUtc(until),
        kinds: kind === undefined ? undefined : Array.isArray(kind) ? kind : [kind],
      });
      const last = events.at(-1);
      return { events, next_after_seq: events.length === params.limit && last ? last.seq : null };
    },
    ...createQualityHandlers(deps),
    ...createGcHandlers(deps.gc, deps.operatorKeyFile),
    ...learnHandlers(deps),
    ...skillHandlers(deps),
    ...contextHandlers(deps),
    ...planHandlers(deps),
    ...createReviewHandlers(deps),
  };
}

export function checkRange(since: string | undefined, until: string | undefined): void {
  if (since !== undefined && until !== undefined && Date.parse(since) > Date.parse(until)) {
    throw new HarnessError(ErrorCodes.invalidParams, `since (${since}) is after until (${until})`, {
      data: { path: ['since'] },
    });
  }
}

/** Stored timestamps are UTC, compared as strings; an offset in a query is normalised to match. */
export function toUtc(timestamp: string | undefined): string | undefined {
  return timestamp === undefined ? undefined : new Date(timestamp).toISOString();
}
