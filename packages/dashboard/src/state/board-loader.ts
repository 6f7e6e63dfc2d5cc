import type { Event, Task } from '@harness/protocol';
import type { HarnessClient } from '../api/client.js';
import { tokensByTask } from './task-store.js';

/** Most tasks the board reads at start (500 a page): beyond that, the filters narrow it down. */
const MAX_TASK_PAGES = 4;
/** Most usage events read for the token totals at start; the stream adds the rest as they come. */
const MAX_USAGE_PAGES = 5;

/**
 * What the board starts from: the tasks, their token totals, and the seq of the newest event,
 * read FIRST so that the event stream resumes after it and nothing that happens while the rest
 * loads is missed (an event applied twice only refetches a task).
 */
export async function loadBoard(
  client: Pick<HarnessClient, 'call'>,
): Promise<{ tasks: Task[]; tokens: Map<string, number>; seq: number }> {
  const newest = await client.call('event/query', { order: 'desc', limit: 1 });
  const seq = newest.events[0]?.seq ?? 0;
  const tasks: Task[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_TASK_PAGES; page++) {
    const answer: { tasks: Task[]; next_cursor: string | null } = await client.call('task/list', {
      limit: 500,
      ...(cursor === null ? {} : { cursor }),
    });
    tasks.push(...answer.tasks);
    cursor = answer.next_cursor;
    if (cursor === null) break;
  }
  const usage: Event[] = [];
  let after = 0;
  for (let page = 0; page < MAX_USAGE_PAGES; page++) {
    const answer = await client.call('event/query', {
      kind: 'agent.usage',
      after_seq: after,
      limit: 1000,
      order: 'asc',
    });
    usage.push(...answer.events.filter((event) => event.seq <= seq));
    if (answer.next_after_seq === null || answer.events.length === 0) break;
    after = answer.next_after_seq;
    if (after >= seq) break;
  }
  return { tasks, tokens: tokensByTask(usage), seq };
}
