import type { GcService } from '../../quality/index.js';
import { requireOperator } from '../operator.js';
import type { HandlerTable } from './router.js';

type GcMethod = 'gc/run' | 'gc/start' | 'gc/status' | 'gc/drafts' | 'gc/adopt' | 'gc/reject';

/**
 * The `gc/*` methods. Adopting and rejecting are for a person, like answering a task's approval:
 * agents reach this server too, and must not adopt (or clear away) drafts about their own work.
 */
export function createGcHandlers(
  gc: GcService,
  operatorKeyFile: string | null,
): Pick<HandlerTable, GcMethod> {
  return {
    'gc/run': (params) => gc.run(params.project),
    'gc/start': (params) => gc.start(params.project),
    'gc/status': (params) => gc.status(params.project),
    'gc/drafts': async (params) => ({ drafts: await gc.drafts(params) }),
    'gc/adopt': (params, { connection }) => {
      requireOperator(connection.operator, 'adopting a GC draft', operatorKeyFile);
      return gc.adopt(params.draft_id, { by: clientOf(connection) });
    },
    'gc/reject': (params, { connection }) => {
      requireOperator(connection.operator, 'rejecting a GC draft', operatorKeyFile);
      return gc.reject(params.draft_id, { by: clientOf(connection), reason: params.reason });
    },
  };
}

function clientOf(connection: { transport: string; clientName: string | null }): string {
  return `${connection.transport} client${connection.clientName === null ? '' : ` (${connection.clientName})`}`;
}
