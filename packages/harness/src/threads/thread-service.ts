import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { MethodParams, Thread, Turn } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, isWithin, newId, requireAgentName } from '../core/index.js';
import type { EventLog } from '../observe/index.js';
import type { Store, ThreadPage } from '../store/index.js';
import { type NotificationHub, type NotificationSubscriber, threadTopic } from './notification-hub.js';

export interface ThreadServiceOptions {
  /** Where a thread runs when the client names no `cwd`; relative `cwd`s resolve against it. */
  projectRoot: string;
  /** When non-empty, a thread's directory must lie inside one of these. */
  allowedProjectRoots: readonly string[];
  /** The registered project a directory is the root of, so thread and turn events carry it. */
  projectOf?: (root: string) => Promise<string | null>;
}

/**
 * Threads: conversations with one agent, persisted with their turns. Every change is written to the
 * store first, then logged as an event, then announced to the connections subscribed to the thread.
 */
export class ThreadService {
  constructor(
    private readonly store: Store,
    private readonly events: EventLog,
    private readonly hub: NotificationHub,
    private readonly clock: Clock,
    private readonly options: ThreadServiceOptions,
  ) {}

  /** `connection` (when a client asked) is subscribed to the new thread's notifications. */
  async start(params: MethodParams<'thread/start'>, connection?: NotificationSubscriber): Promise<Thread> {
    const projectRoot = await this.resolveProjectRoot(params.cwd);
    if (params.agent !== undefined) requireAgentName(params.agent);
    const now = this.clock.now().toISOString();
    const thread: Thread = {
      id: newId('thr'),
      project_root: projectRoot,
      agent: params.agent ?? null,
      title: params.title ?? null,
      status: 'idle',
      native_session_id: null,
      parent_thread_id: null,
      metadata: params.metadata ?? {},
      turn_count: 0,
      created_at: now,
      updated_at: now,
    };
    await this.store.threads.create(thread);
    if (connection) this.hub.subscribe(connection, threadTopic(thread.id));
    await this.events.append({
      kind: 'thread.started',
      thread_id: thread.id,
      project: await this.projectOf(projectRoot),
      data: { project_root: projectRoot },
    });
    this.hub.publish(threadTopic(thread.id), 'thread/started', { thread });
    return thread;
  }

  async resume(
    threadId: string,
    connection: NotificationSubscriber,
  ): Promise<{ thread: Thread; turns: Turn[] }> {
    const existing = await this.require(threadId);
    const thread = existing.status === 'archived' ? await this.setStatus(existing.id, 'idle') : existing;
    this.hub.subscribe(connection, threadTopic(thread.id));
    await this.events.append({
      kind: 'thread.resumed',
      thread_id: thread.id,
      project: await this.projectOf(thread.project_root),
    });
    return { thread, turns: await this.store.turns.listForThread(thread.id) };
  }

  async fork(
    threadId: string,
    fromTurnId: string | undefined,
    connection: NotificationSubscriber,
  ): Promise<Thread> {
    const source = await this.require(threadId);
    const now = this.clock.now().toISOString();
    const fork: Thread = {
      ...source,
      id: newId('thr'),
      status: 'idle',
      // The agent's native session belongs to the source; the fork starts its own on the next turn.
      native_session_id: null,
      parent_thread_id: source.id,
      turn_count: 0,
      created_at: now,
      updated_at: now,
    };
    const thread = await this.store.threads.fork(source.id, fork, fromTurnId, () => newId('turn'));
    this.hub.subscribe(connection, threadTopic(thread.id));
    await this.events.append({
      kind: 'thread.forked',
      thread_id: thread.id,
      project: await this.projectOf(thread.project_root),
      data: { parent_thread_id: source.id, from_turn_id: fromTurnId ?? null },
    });
    this.hub.publish(threadTopic(thread.id), 'thread/started', { thread });
    return thread;
  }

  /**
   * The registered project whose root `root` is, or null. Asked once per thread event and once
   * per turn (its agent events reuse the answer), so a project registered a moment ago counts.
   */
  async projectOf(root: string): Promise<string | null> {
    return this.options.projectOf === undefined ? null : this.options.projectOf(root);
  }

  list(params: MethodParams<'thread/list'>): Promise<ThreadPage> {
    return this.store.threads.list(params);
  }

  async delete(threadId: string): Promise<boolean> {
    const deleted = await this.store.threads.delete(threadId);
    if (deleted) {
      await this.events.append({ kind: 'thread.deleted', thread_id: threadId });
      this.hub.publish(threadTopic(threadId), 'thread/deleted', { thread_id: threadId });
      this.hub.dropTopic(threadTopic(threadId));
    }
    return deleted;
  }

  async get(threadId: string): Promise<Thread | null> {
    return this.store.threads.get(threadId);
  }

  async require(threadId: string): Promise<Thread> {
    const thread = await this.store.threads.get(threadId);
    if (!thread) throw new HarnessError(ErrorCodes.notFound, `thread not found: ${threadId}`);
    return thread;
  }

  async setStatus(threadId: string, status: Thread['status']): Promise<Thread> {
    const thread = await this.store.threads.update(threadId, { status }, this.clock.now().toISOString());
    if (!thread) throw new HarnessError(ErrorCodes.notFound, `thread not found: ${threadId}`);
    this.hub.publish(threadTopic(threadId), 'thread/status_changed', { thread_id: threadId, status });
    return thread;
  }

  private async resolveProjectRoot(cwd: string | undefined): Promise<string> {
    const requested = path.resolve(this.options.projectRoot, cwd ?? '.');
    let resolved: string;
    try {
      resolved = await realpath(requested);
      if (!(await stat(resolved)).isDirectory()) throw new Error('not a directory');
    } catch {
      throw new HarnessError(ErrorCodes.invalidParams, `cwd: ${requested} is not an existing directory`, {
        data: { path: ['cwd'] },
      });
    }
    const allowed = this.options.allowedProjectRoots;
    if (allowed.length > 0 && !allowed.some((root) => isWithin(root, resolved))) {
      throw new HarnessError(
        ErrorCodes.forbidden,
        `cwd: ${resolved} is outside the allowed project roots (server.allowed_project_roots)`,
        { data: { path: ['cwd'] } },
      );
    }
    return resolved;
  }
}
