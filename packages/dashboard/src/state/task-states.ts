import type { TaskState } from '@harness/protocol';

/**
 * The task states, in pipeline order. Spelled out here because the dashboard imports protocol
 * types only (its zod schemas would add the validator to the bundle); the `satisfies` check and
 * the test keep the list equal to the protocol's.
 */
export const taskStateSchemaValues = [
  'queued',
  'preparing',
  'implementing',
  'validating',
  'fixing',
  'pr_open',
  'reviewing',
  'needs_input',
  'done',
  'failed',
  'cancelled',
] as const satisfies readonly TaskState[];

export const terminalStates: ReadonlySet<TaskState> = new Set(['done', 'failed', 'cancelled']);
