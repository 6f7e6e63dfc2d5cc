import type { IncomingMessage } from 'node:http';
import { ErrorCodes, HarnessError } from '../core/index.js';

/** The HTTP requests the transport found to come from the operator (see OperatorCheck). */
const operatorRequests = new WeakSet<IncomingMessage>();

export function markOperatorRequest(req: IncomingMessage): void {
  operatorRequests.add(req);
}

export function isOperatorRequest(req: IncomingMessage | undefined): boolean {
  return req !== undefined && operatorRequests.has(req);
}

/**
 * Refuses an act only a person may take (answering a task's approval) to a client that may be an
 * agent, saying what proves it is not. `keyFile` is null when the API token is what proves it.
 */
export function requireOperator(operator: boolean, act: string, keyFile: string | null): void {
  if (operator) return;
  const proof =
    keyFile === null
      ? 'send the API token (server.api_token)'
      : `send the operator key as the bearer token: Authorization: Bearer $(cat ${keyFile}) ` +
        '(`harness task respond` does this for you), or set server.api_token';
  throw new HarnessError(
    ErrorCodes.forbidden,
    `${act} is for a person, and agents can reach this server: ${proof}`,
  );
}
