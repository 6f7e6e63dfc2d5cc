import { createHash } from 'node:crypto';
import type { Draft, Evidence, SignalType, Task } from '@harness/protocol';
import type { Store } from '../../store/index.js';
import { ProjectHistory, type ProjectRef } from '../replay/history.js';

/**
 * What a project's past teaches: failures that recur across tasks (same error code and message),
 * review findings that recur across tasks, and drafts people adopted. Each lesson carries the
 * evidence behind it — the task ids, files and the `task.finished` / `task.review` events — so the
 * draft learned from it can say why it exists.
 */
export interface Lesson {
  readonly type: SignalType;
  readonly key: string;
  readonly summary: string;
  readonly details: Record<string, unknown>;
  readonly evidence: Evidence;
  /** Tasks (or drafts) behind it: the lesson's strength. */
  readonly count: number;
}

const LIST_PAGE = 500;
const MAX_EVENT_IDS = 50;
const MAX_EXAMPLES = 5;

export async function lessonsOf(
  store: Store,
  project: ProjectRef,
  options: { minOccurrences: number; adopted: readonly Draft[] },
): Promise<Lesson[]> {
  const tasks = await projectTasks(store, project.name);
  const failures = group(tasks, failureKeys).filter((g) => g.tasks.length >= options.minOccurrences);
  const reviews = group(tasks, reviewKeys).filter((g) => g.tasks.length >= options.minOccurrences);
  const events = await eventsOf(store, project, [...failures, ...reviews]);
  const lessons: Lesson[] = [
    ...failures.map((g) => fromGroup('task_failures', g, events.finished, 'tasks failed with')),
    ...reviews.map((g) => fromGroup('review_findings', g, events.reviews, 'reviews found')),
    ...options.adopted.map(fromAdopted),
  ];
  return lessons.sort((a, b) => b.count - a.count);
}

interface Group {
  key: string;
  example: string;
  tasks: Task[];
  files: Set<string>;
}

function failureKeys(task: Task): { key: string; example: string; files: string[] }[] {
  if (task.state !== 'failed' || task.error === null) return [];
  return [
    { key: `${task.error.code}: ${normalize(task.error.message)}`, example: task.error.message, files: [] },
  ];
}

function reviewKeys(task: Task): { key: string; example: string; files: string[] }[] {
  return task.rounds
    .filter((round) => round.verdict === 'changes_requested')
    .flatMap((round) => round.findings)
    .map((f) => ({
      key: normalize(f.message),
      example: `${f.file}:${f.line ?? ''} ${f.message}`,
      files: [f.file],
    }));
}

/** One entry per distinct task under each key, so one chatty task does not make a lesson. */
function group(tasks: readonly Task[], keysOf: (task: Task) => ReturnType<typeof failureKeys>): Group[] {
  const groups = new Map<string, Group>();
  for (const task of tasks) {
    const seen = new Set<string>();
    for (const { key, example, files } of keysOf(task)) {
      const g = groups.get(key) ?? { key, example, tasks: [], files: new Set<string>() };
      groups.set(key, g);
      for (const file of files) g.files.add(file);
      if (seen.has(key)) continue;
      seen.add(key);
      g.tasks.push(task);
    }
  }
  return [...groups.values()].sort((a, b) => b.tasks.length - a.tasks.length || a.key.localeCompare(b.key));
}

/** Numbers, quoted text and ids differ between occurrences of the same trouble. */
export function normalize(message: string): string {
  return message
    .toLowerCase()
    .replace(/(["'`]).*?\1/g, '"…"')
    .replace(/\b[a-z]+_[0-9a-f-]{8,}\b/g, 'ID')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

function fromGroup(
  type: SignalType,
  g: Group,
  eventsByTask: ReadonlyMap<string, { id: string; ts: string }[]>,
  what: string,
): Lesson {
  const events = g.tasks
    .flatMap((t) => eventsByTask.get(t.id) ?? [])
    .sort((a, b) => a.ts.localeCompare(b.ts));
  const times = g.tasks.map((t) => t.finished_at ?? t.updated_at).sort();
  return {
    type,
    key: g.key,
    summary: `${g.tasks.length} ${what} "${g.example.slice(0, 200)}"`,
    details: {
      key: g.key,
      count: g.tasks.length,
      examples: g.tasks
        .slice(0, MAX_EXAMPLES)
        .map((t) => ({ task_id: t.id, prompt: t.prompt, error: t.error })),
    },
    evidence: {
      event_ids: events.slice(0, MAX_EVENT_IDS).map((e) => e.id),
      event_count: events.length,
      files: [...g.files].sort(),
      task_ids: g.tasks.map((t) => t.id),
      first_seen: times[0] ?? null,
      last_seen: times.at(-1) ?? null,
    },
    count: g.tasks.length,
  };
}

function fromAdopted(draft: Draft): Lesson {
  return {
    type: draft.signal.type,
    key: `adopted:${draft.id}`,
    summary: `adopted draft ${draft.id} (${draft.signal.summary})`,
    details: {
      draft_id: draft.id,
      rationale: draft.rationale,
      artifacts: draft.artifacts.map((a) => ({
        path: a.path,
        kind: a.kind,
        content: a.content.slice(0, 4000),
      })),
    },
    evidence: draft.signal.evidence,
    count: Math.max(1, draft.signal.evidence.event_count),
  };
}

/** A signal id for a lesson: stable for the same trouble, like GC's. */
export function lessonSignalId(lesson: Pick<Lesson, 'type' | 'key'>): string {
  return `sig_${createHash('sha256').update(`${lesson.type}\n${lesson.key}`).digest('hex').slice(0, 24)}`;
}

async function projectTasks(store: Store, project: string): Promise<Task[]> {
  const tasks: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.tasks.list({
      project,
      limit: LIST_PAGE,
      ...(cursor === undefined ? {} : { cursor }),
    });
    tasks.push(...page.tasks);
    cursor = page.next_cursor ?? undefined;
  } while (cursor !== undefined);
  // Oldest first, so evidence reads in the order it happened.
  return tasks.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}

/** The `task.finished` (failed) and `task.review` (changes requested) events of the lessons' tasks. */
async function eventsOf(store: Store, project: ProjectRef, groups: readonly Group[]) {
  const wanted = new Set(groups.flatMap((g) => g.tasks.map((t) => t.id)));
  const finished = new Map<string, { id: string; ts: string }[]>();
  const reviews = new Map<string, { id: string; ts: string }[]>();
  if (wanted.size === 0) return { finished, reviews };
  for await (const page of new ProjectHistory(store, project).events(['task.finished', 'task.review'])) {
    for (const event of page) {
      if (event.task_id === null || !wanted.has(event.task_id) || event.decision !== 'block') continue;
      const into = event.kind === 'task.finished' ? finished : reviews;
      const list = into.get(event.task_id) ?? [];
      list.push({ id: event.id, ts: event.ts });
      into.set(event.task_id, list);
    }
  }
  return { finished, reviews };
}
