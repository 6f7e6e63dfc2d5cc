import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Event } from '@harness/protocol';
import type { EventLog } from '../../observe/index.js';
import type { TaskService } from '../../tasks/index.js';

/** The events after which a task's stream ends: a run's end, and a cancel of a task no run held. */
const endingKinds = new Set(['task.finished', 'task.cancelled']);
const heartbeatMs = 15_000;

/**
 * `GET /tasks/{id}/stream`: Server-Sent Events that replay the task's history, then follow it live,
 * and end after the task finishes. Each event's id is its sequence number, so a client that
 * reconnects with `Last-Event-ID` (or `?after=`) misses nothing and sees nothing twice.
 */
export async function streamTask(c: Context, tasks: TaskService, events: EventLog, taskId: string) {
  const task = await tasks.get(taskId);
  const resumeFrom = Number(c.req.header('last-event-id') ?? c.req.query('after') ?? 0) || 0;
  return streamSSE(c, async (stream) => {
    // Subscribe before replaying, so nothing logged in between is lost; duplicates are skipped by seq.
    const live: Event[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = events.onAppend((event) => {
      if (event.task_id !== taskId) return;
      live.push(event);
      wake?.();
    });
    stream.onAbort(() => {
      unsubscribe();
      wake?.();
    });
    let last = resumeFrom;
    let finished = tasks.isFinished(task);
    const send = async (event: Event) => {
      if (event.seq <= last) return;
      last = event.seq;
      if (endingKinds.has(event.kind)) finished = true;
      await stream.writeSSE({ id: String(event.seq), event: event.kind, data: JSON.stringify(event) });
    };
    try {
      for (
        let page = await history(events, taskId, last);
        page.length > 0;
        page = await history(events, taskId, last)
      ) {
        for (const event of page) await send(event);
      }
      while (!finished && !stream.aborted) {
        while (live.length > 0) await send(live.shift() as Event);
        if (finished || stream.aborted) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, heartbeatMs).unref();
        });
        wake = null;
        if (live.length === 0 && !stream.aborted) await stream.write(': keep-alive\n\n');
      }
      if (!stream.aborted)
        await stream.writeSSE({ event: 'end', data: JSON.stringify(await tasks.get(taskId)) });
    } finally {
      unsubscribe();
    }
  });
}

function history(events: EventLog, taskId: string, afterSeq: number): Promise<Event[]> {
  return events.query({ task_id: taskId, after_seq: afterSeq, limit: 500, order: 'asc' });
}
