import {
  type ApprovalRecord,
  type Dashboard,
  type Event,
  newTask,
  type Task,
  type TaskCreate,
  type TaskRespond,
  type TaskDiff,
  taskCreateSchema,
  roundUsd,
  terminalTaskStates,
} from '@harness/protocol';
import {
  type Clock,
  ErrorCodes,
  HarnessError,
  describeIssue,
  isHarnessError,
  newId,
  requireAgentName,
} from '../core/index.js';
import type { Git } from '../core/index.js';
import type { GithubClient } from '../github/index.js';
import type { EventLog } from '../observe/index.js';
import { gradeFinished } from './task-grade.js';
import type { Store, TaskListFilter } from '../store/index.js';
import type { ProjectRegistry } from '../projects/index.js';
import type { AgentName, AgentRegistry } from '../agents/index.js';
import { chooseReviewer, routeTask } from './agent-choice.js';
import type { TaskScheduler } from './scheduler.js';
import { RunSuperseded } from './task-failure.js';
import { taskDiff } from './task-diff.js';
import { pullRequestMissing, repoOf } from './task-sources.js';
import { transition } from './transition.js';
import { taskPlanFrom } from './task-plan.js';
import { recordTaskSkills } from './task-skills.js';

export interface TaskOrigin {
  source: string;
  external_id: string;
}

export type TaskDetail = Task & { timeline: Event[] };

export type BatchResult =
  { task_id: string; state: Task['state'] } | { error: { code: string; message: string } };

/** Creating, reading and cancelling tasks: the operations behind REST and JSON-RPC alike. */
export class TaskService {
  constructor(
    private readonly store: Store,
    private readonly projects: ProjectRegistry,
    private readonly scheduler: TaskScheduler,
    private readonly events: EventLog,
    private readonly clock: Clock,
    private readonly agents: AgentRegistry,
    /** What tells whether a pull request can be opened, to refuse one that cannot at submission. */
    private readonly delivery: { git: Git; github: GithubClient | null },
  ) {}

  async create(input: TaskCreate, origin?: TaskOrigin): Promise<Task> {
    const { project, registered } = await this.projects.resolveForTask(input.project);
    if (input.agent !== undefined) requireAgentName(input.agent);
    await this.assertDeliverable(project.name, input.deliver);
    if (input.reviewer !== undefined) requireAgentName(input.reviewer);
    const settings = await this.projects.settings(project.name);
    const review = input.review ?? settings.review.enabled;
    // Routed now, so an agent that cannot run is refused at submission; so is a task that needs
    // review and has no one to do it.
    const routing = await routeTask(this.agents, input, settings).catch((error: unknown) => {
      // Without review and without an agent the task names, a task may wait for one to become
      // usable: it is routed when it runs, as before routing existed.
      if (review || input.agent !== undefined || !isHarnessError(error)) throw error;
      if (error.code !== ErrorCodes.unavailable) throw error;
      return null;
    });
    const implementor = routing === null ? null : (routing.agent as AgentName);
    const reviewer =
      review && implementor !== null
        ? await chooseReviewer(this.agents, settings, implementor, input.reviewer)
        : null;
    const kind = input.issue !== undefined ? 'issue' : input.pr !== undefined ? 'pr' : 'prompt';
    const plan = input.plan === undefined ? null : await taskPlanFrom(input.plan, project.root, this.clock);
    const id = newId('task');
    // Before it is queued: a run may claim the task at once, and must find its skills.
    if (input.skills !== undefined && input.skills.length > 0)
      await recordTaskSkills(this.events, { id, project: project.name }, input.skills);
    const task = await this.scheduler.enqueue(
      newTask({
        id,
        project: project.name,
        kind,
        created_at: this.clock.now().toISOString(),
        prompt: input.prompt ?? null,
        issue: input.issue ?? null,
        pr: input.pr ?? null,
        description: input.description ?? null,
        agent: implementor,
        reviewer,
        routing,
        review,
        budget_usd: input.budget_usd ?? null,
        priority: input.priority,
        deliver: input.deliver ?? null,
        source: origin?.source ?? null,
        external_id: origin?.external_id ?? null,
        plan,
      }),
    );
    if (registered) {
      // In the task's timeline: the task registered its project (its path is under an allowed root).
      await this.events.append({
        kind: 'project.registered',
        task_id: task.id,
        data: {
          project: project.name,
          root: project.root,
          reason: 'the task named its path, inside server.allowed_project_roots',
        },
      });
    }
    return task;
  }

  /** An explicit `pull_request` (asked by the task or its project) that cannot be opened is refused now, not at the end. */
  private async assertDeliverable(projectName: string, asked: TaskCreate['deliver']): Promise<void> {
    const settings = await this.projects.settings(projectName);
    if ((asked ?? settings.git.deliver) !== 'pull_request') return;
    const { git, github } = this.delivery;
    const repo = await repoOf(git, settings.root, settings.git.remote);
    const missing = pullRequestMissing(github, repo, settings.git.remote);
    if (missing === null) return;
    const where = asked === undefined ? `[git] deliver of project "${projectName}"` : 'the task';
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `${where} asks for delivery by pull request, which cannot be opened: ${missing}`,
      { data: { project: projectName, deliver: 'pull_request' } },
    );
  }

  /** One result per item, in order: a failing item never stops the others. */
  async batch(items: unknown[]): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const item of items) {
      const parsed = taskCreateSchema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        results.push({
          error: { code: ErrorCodes.invalidParams, message: issue ? describeIssue(issue) : 'invalid task' },
        });
        continue;
      }
      try {
        const task = await this.create(parsed.data);
        results.push({ task_id: task.id, state: task.state });
      } catch (error) {
        const code = error instanceof HarnessError ? error.code : ErrorCodes.internal;
        results.push({
          error: { code, message: error instanceof HarnessError ? error.message : 'internal error' },
        });
      }
    }
    return results;
  }

  async get(id: string): Promise<Task> {
    const task = await this.store.tasks.get(id);
    if (!task) throw new HarnessError(ErrorCodes.notFound, `task not found: ${id}`);
    return task;
  }

  async detail(id: string): Promise<TaskDetail> {
    const task = await this.get(id);
    return { ...task, timeline: await this.events.query({ task_id: id, limit: 1000, order: 'asc' }) };
  }

  /** What the task changed, against the commit its branch started from (task-diff.ts). */
  async diff(id: string): Promise<TaskDiff> {
    const task = await this.get(id);
    return taskDiff(this.delivery.git, task, await this.projects.settings(task.project));
  }

  list(filter: TaskListFilter) {
    return this.store.tasks.list(filter);
  }

  cancel(id: string): Promise<Task> {
    return this.scheduler.cancel(id);
  }

  /**
   * A person's answer to the command a task in `needs_input` waits for: recorded on the task
   * (kept for the rest of it), announced as `task.responded`, and the task queued again to resume
   * where it stopped. `decidedBy` says who answered (the channel and client).
   */
  async respond(input: TaskRespond, decidedBy: string): Promise<Task> {
    const task = await this.get(input.task_id);
    const pending = task.pending_approval;
    if (task.state !== 'needs_input' || pending === null) throw notWaiting(task);
    const record: ApprovalRecord = {
      ...pending,
      decision: input.decision,
      note: input.note ?? null,
      decided_by: decidedBy,
      decided_at: this.clock.now().toISOString(),
      used: false,
      delivered: false,
    };
    let queued: Task;
    try {
      queued = await transition(
        { store: this.store, events: this.events, clock: this.clock },
        task,
        'queued',
        {
          patch: { pending_approval: null, error: null, approvals: [...task.approvals, record] },
          announce: {
            kind: 'task.responded',
            decision: input.decision === 'deny' ? 'block' : 'pass',
            reason: record.note,
            data: {
              command: record.command,
              decision: record.decision,
              note: record.note,
              decided_by: decidedBy,
              stage: record.stage,
            },
          },
        },
      );
    } catch (error) {
      // Answered (or cancelled) by someone else between the read and the write.
      if (!(error instanceof RunSuperseded)) throw error;
      throw notWaiting(await this.get(task.id));
    }
    this.scheduler.wake();
    return queued;
  }

  isFinished(task: Task): boolean {
    return terminalTaskStates.has(task.state);
  }

  async dashboard(): Promise<Dashboard> {
    const counts = await this.store.tasks.countsByProject();
    const sum = (states: string[], project?: string) =>
      counts
        .filter((c) => states.includes(c.state) && (project === undefined || c.project === project))
        .reduce((n, c) => n + c.n, 0);
    const active = ['preparing', 'implementing', 'validating', 'fixing', 'pr_open', 'reviewing'];
    const recent = [
      ...(await this.store.tasks.list({ state: 'done', limit: 500 })).tasks,
      ...(await this.store.tasks.list({ state: 'failed', limit: 500 })).tasks,
    ];
    const grade = gradeFinished({
      done: sum(['done']),
      failed: sum(['failed']),
      scores: recent.flatMap((t) => (t.score === null ? [] : [t.score])),
    });
    return {
      global: {
        running: sum(active),
        queued: sum(['queued']),
        done: sum(['done']),
        failed: sum(['failed']),
        cancelled: sum(['cancelled']),
        needs_input: sum(['needs_input']),
        grade,
        cost_usd: roundUsd(counts.reduce((n, c) => n + (c.cost_usd ?? 0), 0)),
      },
      projects: (await this.projects.list()).map((p) => ({
        name: p.name,
        id: p.name,
        root: p.root,
        max_concurrent: p.max_concurrent,
        tasks: {
          running: sum(active, p.name),
          queued: sum(['queued'], p.name),
          done: sum(['done'], p.name),
          failed: sum(['failed'], p.name),
        },
      })),
    };
  }
}

function notWaiting(task: Task): HarnessError {
  return new HarnessError(
    ErrorCodes.conflict,
    `task ${task.id} is ${task.state}, not waiting for input: only a task in needs_input can be answered`,
    { data: { task_id: task.id, state: task.state } },
  );
}
