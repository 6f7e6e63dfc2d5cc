import type { EventLog } from '../observe/index.js';
import type { Store } from '../store/index.js';

/**
 * The skills a task names for its implementor. They are written to the task's timeline (the event
 * log is durable, so a run after a restart reads them back) before the task can be claimed.
 */
export const TASK_SKILLS_EVENT = 'task.skills';

export async function recordTaskSkills(
  events: EventLog,
  task: { id: string; project: string },
  skills: readonly string[],
): Promise<void> {
  await events.append({
    kind: TASK_SKILLS_EVENT,
    task_id: task.id,
    project: task.project,
    data: { skills: [...new Set(skills)] },
  });
}

/** The names recorded for the task; none when it named none. */
export async function taskSkills(store: Store, taskId: string): Promise<string[]> {
  const [event] = await store.events.query({
    task_id: taskId,
    kinds: [TASK_SKILLS_EVENT],
    limit: 1,
    order: 'desc',
  });
  const skills = (event?.data as { skills?: unknown } | undefined)?.skills;
  return Array.isArray(skills) ? skills.filter((s): s is string => typeof s === 'string') : [];
}
