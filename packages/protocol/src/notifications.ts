import { z } from 'zod';
import {
  eventSchema,
  itemSchema,
  threadSchema,
  threadStatusSchema,
  tokenUsageSchema,
  turnErrorSchema,
  turnStatusSchema,
} from './types.js';

/** Server → client notifications, delivered on the connections subscribed to the thread they concern. */
export const notifications = {
  'thread/started': z.object({ thread: threadSchema }),
  'thread/status_changed': z.object({ thread_id: z.string(), status: threadStatusSchema }),
  'thread/deleted': z.object({ thread_id: z.string() }),
  'event/logged': z.object({ event: eventSchema }),
  'turn/started': z.object({ thread_id: z.string(), turn_id: z.string(), agent: z.string() }),
  'item/completed': z.object({ thread_id: z.string(), turn_id: z.string(), item: itemSchema }),
  'message/delta': z.object({ thread_id: z.string(), turn_id: z.string(), text: z.string() }),
  'turn/completed': z.object({
    thread_id: z.string(),
    turn_id: z.string(),
    status: turnStatusSchema,
    usage: tokenUsageSchema.nullable(),
    error: turnErrorSchema.nullable(),
  }),
} as const;

export type NotificationName = keyof typeof notifications;
export type NotificationParams<N extends NotificationName> = z.infer<(typeof notifications)[N]>;
