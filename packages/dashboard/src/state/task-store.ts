import type { Event, Task } from '@harness/protocol';
import { taskStateSchemaValues } from './task-states.js';
import { tokensOf } from './transcript.js';

/**
 * The tasks the board shows, kept current from the event stream without refetching the list: a
 * task's own events mark it stale and it alone is fetched again, a few at a time (`flush`); usage
 * events add to its token count on the spot. Subscribers hear of changes once per batch.
 */
export class TaskStore {
  private tasks = new Map<string, Task>();
  private tokens = new Map<string, number>();
  private stale = new Set<string>();
  private listeners = new Set<() => void>();
  private version = 0;
  private snapshot: { tasks: Task[]; tokens: ReadonlyMap<string, number>; version: number } | null = null;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A stable value between changes, as useSyncExternalStore requires. */
  getSnapshot = (): { tasks: Task[]; tokens: ReadonlyMap<string, number>; version: number } => {
    this.snapshot ??= {
      tasks: [...this.tasks.values()],
      tokens: new Map(this.tokens),
      version: this.version,
    };
    return this.snapshot;
  };

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  replaceAll(tasks: readonly Task[], tokens?: ReadonlyMap<string, number>): void {
    this.tasks = new Map(tasks.map((task) => [task.id, task]));
    if (tokens) this.tokens = new Map(tokens);
    this.changed();
  }

  upsert(task: Task): void {
    const known = this.tasks.get(task.id);
    // An older copy (a slow fetch answered after a newer one) never replaces a newer one.
    if (known && known.updated_at > task.updated_at) return;
    this.tasks.set(task.id, task);
    this.changed();
  }

  /**
   * Folds one streamed event in. Returns whether the event's task should be fetched again: its
   * `task.*` events and the end of its turns (cost) change the task row; others do not.
   */
  applyEvent(event: Event): boolean {
    const id = event.task_id;
    if (id === null) return false;
    const tokens = tokensOf(event);
    if (tokens > 0) {
      this.tokens.set(id, (this.tokens.get(id) ?? 0) + tokens);
      this.changed();
    }
    this.applyStage(id, event);
    const refetch =
      event.kind.startsWith('task.') || event.kind === 'turn.completed' || event.kind === 'turn.failed';
    if (refetch) this.stale.add(id);
    return refetch;
  }

  /**
   * A stage change moves the card at once, before the refetch brings the rest. `updated_at` stays
   * as it was, so the refetched row (stamped at the same transition) is never taken for older.
   */
  private applyStage(id: string, event: Event): void {
    if (event.kind !== 'task.stage') return;
    const known = this.tasks.get(id);
    const stage = (event.data as { stage?: unknown } | null)?.stage;
    if (!known || typeof stage !== 'string' || !isTaskState(stage) || known.state === stage) return;
    this.tasks.set(id, { ...known, state: stage });
    this.changed();
  }

  /** The tasks marked stale since the last call, now unmarked. */
  takeStale(): string[] {
    const ids = [...this.stale];
    this.stale.clear();
    return ids;
  }

  private changed(): void {
    this.version++;
    this.snapshot = null;
    for (const listener of this.listeners) listener();
  }
}

/** Sums the tokens of usage events per task (the board's initial totals). */
export function tokensByTask(events: readonly Event[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const event of events) {
    if (event.task_id === null) continue;
    const tokens = tokensOf(event);
    if (tokens > 0) totals.set(event.task_id, (totals.get(event.task_id) ?? 0) + tokens);
  }
  return totals;
}

function isTaskState(value: string): value is Task['state'] {
  return (taskStateSchemaValues as readonly string[]).includes(value);
}
