import type { Context } from 'hono';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import type { EventLog } from '../../observe/index.js';
import { type EventScope, resumePoint, streamEvents } from './event-stream.js';

const filterNames = ['project', 'task_id'] as const;
const knownParameters = new Set<string>([...filterNames, 'after']);

/**
 * `GET /api/events/stream`: every stored event as Server-Sent Events, optionally of one project
 * (`?project=`) or task (`?task_id=`), resumable from `Last-Event-ID` or `?after=`. It never ends
 * by itself: the dashboard keeps it open and follows the whole control plane through it.
 */
export function streamAllEvents(c: Context, events: EventLog): Response {
  const query = new URL(c.req.url).searchParams;
  for (const name of new Set(query.keys())) {
    if (!knownParameters.has(name)) {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        `unknown query parameter "${name}": /api/events/stream takes project, task_id and after`,
      );
    }
    if (query.getAll(name).length > 1)
      throw new HarnessError(ErrorCodes.invalidParams, `query parameter "${name}" is given more than once`);
  }
  const scope: EventScope = {};
  for (const name of filterNames) {
    const value = query.get(name);
    if (value === null) continue;
    if (value.trim() === '')
      throw new HarnessError(ErrorCodes.invalidParams, `query parameter "${name}" is empty`);
    scope[name] = value;
  }
  return streamEvents(c, events, { scope, after: resumePoint(c) });
}
