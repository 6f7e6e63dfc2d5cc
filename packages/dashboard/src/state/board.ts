import type { Task, TaskState } from '@harness/protocol';

/** The board's groups, in the order a person should look at them: what needs them first. */
export const boardGroups = ['Needs input', 'Failed', 'Running', 'Queued', 'Done'] as const;
export type BoardGroup = (typeof boardGroups)[number];

const groupOfState: Record<TaskState, BoardGroup> = {
  needs_input: 'Needs input',
  failed: 'Failed',
  preparing: 'Running',
  implementing: 'Running',
  validating: 'Running',
  fixing: 'Running',
  pr_open: 'Running',
  reviewing: 'Running',
  queued: 'Queued',
  done: 'Done',
  // Cancelled needs nothing more from anyone: it is finished, like done.
  cancelled: 'Done',
};

export function groupOf(state: TaskState): BoardGroup {
  return groupOfState[state];
}

export interface BoardFilter {
  project: string;
  agent: string;
  state: string;
}

export const noFilter: BoardFilter = { project: '', agent: '', state: '' };

export function matches(task: Task, filter: BoardFilter): boolean {
  if (filter.project && task.project !== filter.project) return false;
  if (filter.agent && (task.agent ?? '') !== filter.agent) return false;
  if (filter.state && task.state !== filter.state) return false;
  return true;
}

/**
 * The filtered tasks by group, each group newest activity first. Every group is present, empty
 * or not, so the page keeps one section per group.
 */
export function groupTasks(tasks: Iterable<Task>, filter: BoardFilter): Record<BoardGroup, Task[]> {
  const groups = Object.fromEntries(boardGroups.map((group) => [group, [] as Task[]])) as Record<
    BoardGroup,
    Task[]
  >;
  for (const task of tasks) if (matches(task, filter)) groups[groupOf(task.state)].push(task);
  for (const group of boardGroups) groups[group].sort(byRecentActivity);
  return groups;
}

function byRecentActivity(a: Task, b: Task): number {
  if (a.updated_at !== b.updated_at) return a.updated_at < b.updated_at ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The values each filter offers: those the tasks have, sorted. */
export function filterOptions(tasks: Iterable<Task>): { projects: string[]; agents: string[] } {
  const projects = new Set<string>();
  const agents = new Set<string>();
  for (const task of tasks) {
    projects.add(task.project);
    if (task.agent) agents.add(task.agent);
  }
  return { projects: [...projects].sort(), agents: [...agents].sort() };
}

/** What needs a person first: tasks waiting for input, then failures, most recent first. */
export function needsAttention(tasks: Iterable<Task>, limit = 10): Task[] {
  const urgent = [...tasks].filter((task) => task.state === 'needs_input' || task.state === 'failed');
  urgent.sort((a, b) => {
    if (a.state !== b.state) return a.state === 'needs_input' ? -1 : 1;
    return byRecentActivity(a, b);
  });
  return urgent.slice(0, limit);
}
