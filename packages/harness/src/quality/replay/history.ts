import { realpath } from 'node:fs/promises';
import type { Event } from '@harness/protocol';
import { isRecord } from '../../core/index.js';
import type { Store } from '../../store/index.js';

/**
 * The stored history of one project, read in pages so a million events never sit in memory at
 * once. Events name their project in several ways depending on who wrote them: a `project` field
 * (the events column, where the store has one), `data.project` / `data.project_root` (scans), the
 * task they belong to (`task.project`), or the thread they ran in (`thread.project_root`).
 */
export interface ProjectRef {
  /** The project's name, as tasks and drafts carry it. */
  readonly name: string;
  /** Its checkout, as threads carry it. */
  readonly root: string;
}

const PAGE = 2000;
const LIST_PAGE = 500;

export class ProjectHistory {
  private members: { tasks: Set<string>; threads: Set<string> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly project: ProjectRef,
  ) {}

  /** Every event of `kinds` that belongs to the project, oldest first, page by page. */
  async *events(kinds: readonly string[]): AsyncGenerator<Event[]> {
    const members = await this.loadMembers();
    let after = 0;
    for (;;) {
      const page = await this.store.events.query({
        kinds: [...kinds],
        after_seq: after,
        limit: PAGE,
        order: 'asc',
      });
      if (page.length === 0) return;
      after = page[page.length - 1]?.seq ?? after;
      const mine = page.filter((event) => this.belongs(event, members));
      if (mine.length > 0) yield mine;
      if (page.length < PAGE) return;
    }
  }

  private belongs(event: Event, members: { tasks: Set<string>; threads: Set<string> }): boolean {
    const column = (event as { project?: unknown }).project;
    if (typeof column === 'string') return column === this.project.name || column === this.project.root;
    if (isRecord(event.data)) {
      const named = event.data['project'] ?? event.data['project_root'];
      if (typeof named === 'string') return named === this.project.name || named === this.project.root;
    }
    if (event.task_id !== null && members.tasks.has(event.task_id)) return true;
    return event.thread_id !== null && members.threads.has(event.thread_id);
  }

  private async loadMembers(): Promise<{ tasks: Set<string>; threads: Set<string> }> {
    if (this.members) return this.members;
    const tasks = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.store.tasks.list({
        project: this.project.name,
        limit: LIST_PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const task of page.tasks) tasks.add(task.id);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    const threads = new Set<string>();
    // Threads store their checkout resolved; a configured root may reach it through a symlink.
    const real = await realpath(this.project.root).catch(() => this.project.root);
    for (const root of new Set([this.project.root, real])) {
      cursor = undefined;
      do {
        const page = await this.store.threads.list({
          project_root: root,
          limit: LIST_PAGE,
          ...(cursor === undefined ? {} : { cursor }),
        });
        for (const thread of page.threads) threads.add(thread.id);
        cursor = page.next_cursor ?? undefined;
      } while (cursor !== undefined);
    }
    this.members = { tasks, threads };
    return this.members;
  }
}
