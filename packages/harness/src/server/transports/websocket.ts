import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { RpcErrorCodes, failure } from '@harness/protocol';
import type { Harness } from '../harness.js';
import type { BearerAuth, OperatorCheck } from './auth.js';
import { pathAndQuery } from './http-util.js';
import type { RequestGuard } from './request-guard.js';

/** A client that lets this much pile up unsent is too slow; it is closed and can replay from the event log. */
const maxBufferedBytes = 16 * 1024 * 1024;

export interface WebSocketEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Waits for the requests in flight, then closes every socket with 1001 (going away). */
  close(): Promise<void>;
}

/** JSON-RPC over WebSocket at `/ws`: one message per text frame, notifications pushed as frames. */
export function createWebSocketEndpoint(
  harness: Harness,
  auth: BearerAuth,
  operators: OperatorCheck,
  guard: RequestGuard,
  options: { maxMessageBytes: number; heartbeatMs: number },
): WebSocketEndpoint {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
  const inFlight = new Set<Promise<void>>();
  const alive = new WeakMap<WebSocket, boolean>();

  const heartbeat = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, options.heartbeatMs);
  heartbeat.unref();

  const onSocket = (socket: WebSocket, operator: boolean): void => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    const send = (text: string): void => {
      if (socket.readyState !== socket.OPEN) return;
      if (socket.bufferedAmount > maxBufferedBytes) {
        socket.close(1013, 'client too slow: reconnect and replay with event/query');
        return;
      }
      socket.send(text);
    };
    const connection = harness.openConnection('ws', (message) => send(JSON.stringify(message)), operator);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        send(
          JSON.stringify(
            failure(null, RpcErrorCodes.invalidRequest, 'invalid request: send JSON as text frames'),
          ),
        );
        return;
      }
      const work = harness.router
        .handleText(connection, rawToString(data))
        .then((reply) => {
          if (reply !== null) send(reply);
        })
        .catch((error: unknown) => harness.logger.error({ err: error }, 'websocket request failed'))
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    });
    socket.on('close', () => connection.close());
    socket.on('error', (error) => harness.logger.warn({ err: error }, 'websocket error'));
  };

  return {
    handleUpgrade(req, socket, head) {
      const { query } = pathAndQuery(req.url);
      const refused = guard.hostProblem(req.headers) ?? guard.webSocketOriginProblem(req.headers);
      if (refused) return reject(socket, 403, refused.message);
      // Browsers cannot set headers on a WebSocket, so /ws also takes the token as ?token=.
      if (!auth.allows(req.headers.authorization, query.get('token')))
        return reject(socket, 401, 'unauthorized');
      const operator = operators.isOperator(req.headers.authorization, query.get('token'));
      wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, operator));
    },
    async close() {
      clearInterval(heartbeat);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      for (const socket of wss.clients) socket.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function reject(socket: Duplex, status: 401 | 403, message: string): void {
  const body = JSON.stringify({ error: { code: status === 401 ? 'unauthorized' : 'forbidden', message } });
  const reason = status === 401 ? 'Unauthorized' : 'Forbidden';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
