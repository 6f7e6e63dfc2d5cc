import type { Context } from 'hono';
import type { EventLog } from '../../observe/index.js';
import type { TaskService } from '../../tasks/index.js';
import { resumePoint, streamEvents } from './event-stream.js';

/** The events after which a task's stream ends: a run's end, and a cancel of a task no run held. */
const endingKinds = new Set(['task.finished', 'task.cancelled']);

/**
 * `GET /tasks/{id}/stream`: Server-Sent Events that replay the task's history, then follow it live,
 * and end after the task finishes with an `end` event carrying the task. Resumable from
 * `Last-Event-ID` (or `?after=`) like every event stream (event-stream.ts).
 */
export async function streamTask(c: Context, tasks: TaskService, events: EventLog, taskId: string) {
  const after = resumePoint(c);
  const task = await tasks.get(taskId);
  return streamEvents(c, events, {
    scope: { task_id: taskId },
    after,
    endedAtStart: tasks.isFinished(task),
    endsStream: (event) => endingKinds.has(event.kind),
    onEnd: async (stream) => {
      await stream.writeSSE({ event: 'end', data: JSON.stringify(await tasks.get(taskId)) });
    },
  });
}
