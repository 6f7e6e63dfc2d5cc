import { existsSync } from 'node:fs';
import { type Task, type TaskState, terminalTaskStates } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, type Logger } from '../core/index.js';
import type { EventLog } from '../observe/index.js';
import type { InFlightTask, LeaseToken, Store, TaskPatch } from '../store/index.js';
import { isLeaseDead, newLeaseOwner } from './lease.js';
import { RunSuperseded, ServerShutdown, TaskCancelled } from './task-failure.js';
import { transition } from './transition.js';

/** States a task waits in without a run: cancelling one needs no run to stop. */
const waiting: ReadonlySet<TaskState> = new Set(['queued', 'needs_input']);

/** What a run works under: the abort signal (cancel, shutdown) and the lease its writes depend on. */
export interface RunContext {
  signal: AbortSignal;
  lease: LeaseToken;
}

/** Runs one claimed task to its end (or to `needs_input`); persists its own progress. */
export interface TaskRunner {
  run(task: Task, context: RunContext): Promise<void>;
  /**
   * Gives back the worktree of a task cancelled while it waited without a run (`needs_input`
   * keeps its worktree), keeping its work; returns what the task's row must then say.
   */
  release?(task: Task): Promise<TaskPatch>;
}

export interface SchedulerOptions {
  store: Store;
  events: EventLog;
  runner: TaskRunner;
  clock: Clock;
  logger: Logger;
  /** Tasks running at once across every server sharing the store. */
  globalLimit: number;
  /** Tasks this server runs at once (its own capacity); `globalLimit` when not given. */
  hostLimit?: number;
  maxQueued: number;
  /** The concurrency limit of a project (its settings may change between tasks). */
  projectLimit: (project: string) => Promise<number>;
  leaseMs?: number;
  /** Told of each task taken over from a server that is gone (`owner`), queued again or cancelled. */
  takenOver?: (taskId: string, owner: string) => Promise<void>;
}

interface Running {
  project: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The queue: persisted in the store, drained under a global and a per-project limit, fair across
 * projects (at equal priority the project with fewest tasks running goes first), higher priority
 * first. The store claims (`claimNext`), so the limits hold across every server sharing it. Claims
 * are leases, renewed while the run lasts: a task whose server died is taken over — at once when
 * that server was on this host, once its lease expired otherwise — and resumes where it stopped.
 */
export class TaskScheduler {
  private readonly running = new Map<string, Running>();
  private readonly owner = newLeaseOwner();
  private readonly leaseMs: number;
  private readonly hostLimit: number;
  private timer: NodeJS.Timeout | null = null;
  private lastSweep = 0;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopping = false;
  /** The last `task.cancel_requested` event looked at; null until started. */
  private cancelSeq: number | null = null;

  constructor(private readonly o: SchedulerOptions) {
    this.leaseMs = o.leaseMs ?? 30_000;
    this.hostLimit = o.hostLimit ?? o.globalLimit;
  }

  async start(): Promise<void> {
    // Requests from before now are met at claim time (launch); from here on, every tick.
    const [latest] = await this.o.events.query({ limit: 1, order: 'desc' });
    this.cancelSeq = latest?.seq ?? 0;
    await this.recover();
    this.timer = setInterval(
      () => {
        this.o.store.tasks
          .renewLeases(this.owner, this.leaseExpiry())
          .catch((error: unknown) => this.o.logger.warn({ err: error }, 'renewing task leases failed'));
        this.heedCancelRequests().catch((error: unknown) =>
          this.o.logger.warn({ err: error }, 'reading cancel requests failed'),
        );
        this.sweep();
        this.pump();
      },
      Math.min(this.leaseMs / 3, 1000),
    );
    this.timer.unref();
    this.pump();
  }

  async enqueue(task: Task): Promise<Task> {
    if (this.stopping) throw new HarnessError(ErrorCodes.unavailable, 'the server is shutting down');
    const stored = await this.o.store.tasks.enqueue(task, this.o.maxQueued);
    await this.o.events.append({
      kind: 'task.queued',
      task_id: task.id,
      data: { project: task.project, priority: task.priority },
    });
    this.pump();
    return stored;
  }

  /** Looks at the queue now (a task was queued again by other means than `enqueue`). */
  wake(): void {
    this.pump();
  }

  /** Cancels a task in any state but a finished one. */
  async cancel(id: string): Promise<Task> {
    const task = await this.o.store.tasks.get(id);
    if (!task) throw new HarnessError(ErrorCodes.notFound, `task not found: ${id}`);
    if (terminalTaskStates.has(task.state)) {
      if (task.state === 'cancelled') return task;
      throw new HarnessError(ErrorCodes.conflict, `task ${id} is already ${task.state}`);
    }
    const running = this.running.get(id);
    if (running) {
      running.controller.abort(new TaskCancelled());
      await running.done;
      return (await this.o.store.tasks.get(id)) ?? task;
    }
    if (!waiting.has(task.state)) return this.cancelElsewhere(task);
    const now = this.o.clock.now().toISOString();
    try {
      const cancelled = await transition(this.o, task, 'cancelled', {
        // What it waited for stays in the timeline (task.finished), not on a task that waits no more.
        patch: { finished_at: now, pending_approval: null },
        announce: { kind: 'task.cancelled', decision: 'block', data: { from: task.state } },
      });
      // After the change, not before: until it is stored, a queued task may still be claimed.
      const released = await this.releaseHere({ ...cancelled, state: task.state });
      if (released === null) return cancelled;
      return (await this.o.store.tasks.update(id, released)) ?? cancelled;
    } catch (error) {
      // Claimed (or finished) between the read and the write: say what it is now.
      if (!(error instanceof RunSuperseded)) throw error;
      const current = (await this.o.store.tasks.get(id)) ?? task;
      if (current.state === 'cancelled') return current;
      throw new HarnessError(ErrorCodes.conflict, `task ${id} is already ${current.state}`);
    }
  }

  /**
   * A task in flight on another server of the fleet: the request is stored as an event, which that
   * server's run hears within a tick and ends the task as a local cancel would. Should the server be
   * gone, the task is cancelled once its lease is dead; one that moves on without it (claimed anew,
   * recovered) meets the request at its claim. Answers when the task has stopped, or after a lease
   * period and some with `unavailable` (the request stays and still takes effect).
   */
  private async cancelElsewhere(task: Task): Promise<Task> {
    const owner = (await this.inFlight(task.id))?.lease_owner ?? null;
    await this.o.events.append({
      kind: cancelRequest,
      task_id: task.id,
      data: { state: task.state, owner },
    });
    const deadline = performance.now() + this.leaseMs + 10_000;
    while (performance.now() < deadline) {
      await delay(cancelPollMs);
      const flight = await this.inFlight(task.id);
      // Finished, waiting again, or run here now: the usual cancel says or does the rest.
      if (flight === undefined || waiting.has(flight.state) || this.running.has(task.id))
        return this.cancel(task.id);
      // Its server is gone: recovery meets the request and cancels the task rather than queue it.
      if (isLeaseDead(flight.lease_owner, flight.lease_expires_at, this.o.clock.now(), this.owner))
        await this.recover();
    }
    throw new HarnessError(
      ErrorCodes.unavailable,
      `task ${task.id} runs on another server (${owner ?? 'unknown'}), which has not stopped it ` +
        'yet; the cancel stays requested and takes effect as soon as that server, or the one taking the ' +
        'task over, sees it',
      { data: { task_id: task.id, owner } },
    );
  }

  private async inFlight(taskId: string): Promise<InFlightTask | undefined> {
    return (await this.o.store.tasks.inFlight()).find((t) => t.id === taskId);
  }

  /** Whether someone asked (on any server) to cancel this task, which has not finished since. */
  private async cancelRequested(taskId: string): Promise<boolean> {
    const requests = await this.o.events.query({
      task_id: taskId,
      kinds: [cancelRequest],
      limit: 1,
      order: 'desc',
    });
    return requests.length > 0;
  }

  /** Ends the runs of this server that another server was asked to cancel (read every tick). */
  private async heedCancelRequests(): Promise<void> {
    if (this.running.size === 0 || this.cancelSeq === null) return;
    const requests = await this.o.events.query({
      kinds: [cancelRequest],
      after_seq: this.cancelSeq,
      order: 'asc',
      limit: 100,
    });
    for (const request of requests) {
      this.cancelSeq = Math.max(this.cancelSeq, request.seq);
      if (request.task_id) this.running.get(request.task_id)?.controller.abort(new TaskCancelled());
    }
  }

  runningCount(project?: string): number {
    if (project === undefined) return this.running.size;
    return [...this.running.values()].filter((r) => r.project === project).length;
  }

  /** Stops claiming; running tasks get `graceMs` to finish, then are aborted and left for recovery. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const all = Promise.allSettled([...this.running.values()].map((r) => r.done));
    const late = await Promise.race([all.then(() => false), delay(graceMs).then(() => true)]);
    if (late) {
      for (const r of this.running.values()) r.controller.abort(new ServerShutdown());
      await Promise.race([all, delay(5_000)]);
    }
  }

  /** Every lease period, the tasks of servers that died meanwhile (a shared store's other hosts). */
  private sweep(): void {
    if (this.stopping || performance.now() - this.lastSweep < this.leaseMs) return;
    this.lastSweep = performance.now();
    this.recover().catch((error: unknown) => this.o.logger.warn({ err: error }, 'taking over tasks failed'));
  }

  /** Tasks whose holder died go back to the queue; the pipeline resumes from what they left. */
  private async recover(): Promise<void> {
    const now = this.o.clock.now();
    for (const task of await this.o.store.tasks.inFlight()) {
      if (!isLeaseDead(task.lease_owner, task.lease_expires_at, now, this.owner)) continue;
      if (task.state === 'needs_input') continue;
      // Conditional on the dead lease: of two servers recovering the same task, one wins.
      const lease =
        task.lease_owner === null
          ? {}
          : { lease: { owner: task.lease_owner, generation: task.lease_generation } };
      try {
        if (await this.cancelRequested(task.id)) {
          await this.cancelAbandoned(task, lease);
          if (task.lease_owner !== null) await this.o.takenOver?.(task.id, task.lease_owner);
          continue;
        }
        await transition(this.o, task, 'queued', {
          ...lease,
          announce: { kind: 'task.recovered', data: { from: task.state } },
        });
      } catch (error) {
        if (error instanceof RunSuperseded) continue;
        throw error;
      }
      this.o.logger.warn({ task_id: task.id, from: task.state }, 'task recovered after an interrupted run');
      if (task.lease_owner !== null) await this.o.takenOver?.(task.id, task.lease_owner);
    }
  }

  /** Coalesces wake-ups: one pass at a time, and one more if anything changed meanwhile. */
  private pump(): void {
    if (this.stopping) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.fill()
      .catch((error: unknown) => this.o.logger.error({ err: error }, 'scheduler pass failed'))
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.pump();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.stopping && this.running.size < this.hostLimit) {
      const claimed = await this.o.store.tasks.claimNext({
        owner: this.owner,
        expires_at: this.leaseExpiry(),
        now: this.o.clock.now().toISOString(),
        globalLimit: this.o.globalLimit,
        projectLimits: await this.projectLimits(),
        defaultProjectLimit: 1,
      });
      if (claimed === null) return;
      this.launch(claimed.task, claimed.lease);
    }
  }

  /** The limits of the projects with queued tasks (their settings may change between tasks). */
  private async projectLimits(): Promise<Record<string, number>> {
    const limits: Record<string, number> = {};
    for (const task of await this.o.store.tasks.queued(500))
      limits[task.project] ??= await this.o.projectLimit(task.project);
    return limits;
  }

  private launch(task: Task, lease: LeaseToken): void {
    const controller = new AbortController();
    const done = this.o.runner
      .run(task, { signal: controller.signal, lease })
      .catch((error: unknown) => this.o.logger.error({ err: error, task_id: task.id }, 'task runner failed'))
      .finally(() => {
        this.running.delete(task.id);
        this.pump();
      });
    this.running.set(task.id, { project: task.project, controller, done });
    // Asked to stop before this claim (while queued again, or its last server was gone).
    this.cancelRequested(task.id).then(
      (requested) => requested && controller.abort(new TaskCancelled()),
      (error: unknown) =>
        this.o.logger.warn({ err: error, task_id: task.id }, 'reading cancel requests failed'),
    );
  }

  /** A task whose server died after it was asked to cancel it: cancelled, not run again. */
  private async cancelAbandoned(task: Task, lease: { lease?: LeaseToken }): Promise<void> {
    const cancelled = await transition(this.o, task, 'cancelled', {
      ...lease,
      patch: { finished_at: this.o.clock.now().toISOString() },
      announce: { kind: 'task.cancelled', decision: 'block', data: { from: task.state, server_gone: true } },
    });
    this.o.logger.warn({ task_id: task.id, from: task.state }, 'task cancelled after its server was gone');
    const released = await this.releaseHere({ ...cancelled, state: task.state });
    if (released !== null) await this.o.store.tasks.update(task.id, released);
  }

  /**
   * Gives back the worktree of a task cancelled without its run (`task` in the state it was
   * cancelled from) when it is on this host; one on another host (the task waited for input there,
   * or its server died there) is left to that server's start-up sweep. Null when nothing was done.
   */
  private async releaseHere(task: Task): Promise<TaskPatch | null> {
    if (task.worktree === null || this.o.runner.release === undefined || !existsSync(task.worktree))
      return null;
    return this.o.runner.release(task);
  }

  private leaseExpiry(): string {
    return new Date(this.o.clock.now().getTime() + this.leaseMs).toISOString();
  }
}

/** How often a cancel waiting on another server's run looks again. */
const cancelPollMs = 200;
const cancelRequest = 'task.cancel_requested';

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
