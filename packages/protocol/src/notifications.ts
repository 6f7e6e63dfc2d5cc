import { z } from 'zod';
import { eventSchema, threadSchema, threadStatusSchema } from './types.js';

/** Server → client notifications, delivered on the connections subscribed to the thread they concern. */
export const notifications = {
  'thread/started': z.object({ thread: threadSchema }),
  'thread/status_changed': z.object({ thread_id: z.string(), status: threadStatusSchema }),
  'thread/deleted': z.object({ thread_id: z.string() }),
  'event/logged': z.object({ event: eventSchema }),
} as const;

export type NotificationName = keyof typeof notifications;
export type NotificationParams<N extends NotificationName> = z.infer<(typeof notifications)[N]>;
