import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcErrorCodes, failure } from '@harness/protocol';
import { ErrorCodes, HarnessError, describeError, harnessVersion } from '../../core/index.js';
import type { Harness } from '../harness.js';
import { markOperatorRequest } from '../operator.js';
import type { Connection } from '../rpc/connection.js';
import { BearerAuth, OperatorCheck, requireTokenForExposure } from './auth.js';
import { HttpSessions, sessionHeader } from './http-sessions.js';
import { pathAndQuery, readBody, sendError, sendJson } from './http-util.js';
import { RequestGuard, isStateChanging } from './request-guard.js';
import { DashboardFiles, defaultDashboardDir } from './dashboard-files.js';
import { createWebSocketEndpoint } from './websocket.js';

export interface HttpTransportOptions {
  host: string;
  port: number;
  token: string | null;
  /** Without a token: the key that marks the operator's requests (core/operator-key.ts). */
  operatorKey: string | null;
  maxBodyBytes: number;
  wsHeartbeatMs: number;
  /** False for `--transport ws`: only /ws and /health are served. */
  serveRpc: boolean;
  /** Further routes (REST, webhooks, dashboard), reached after authentication. */
  rest?: RequestListener;
  sessionIdleMs?: number;
  /** `server.allowed_origins`: browser pages on other origins that may drive the server. */
  allowedOrigins?: readonly string[];
  /** The built dashboard served at `/` (default: packages/dashboard/dist of this checkout). */
  dashboardDir?: string;
}

export interface HttpTransport {
  readonly url: string;
  /** Stops accepting, lets requests in flight finish (up to `timeoutMs`), then drops what is left. */
  close(timeoutMs: number): Promise<void>;
}

const unauthorizedHeaders = { 'www-authenticate': 'Bearer realm="harness"' };

/** HTTP transport: `POST /rpc`, `GET /ws`, `GET /health`, the REST routes handed in, and the dashboard at `/`. */
export async function serveHttp(harness: Harness, options: HttpTransportOptions): Promise<HttpTransport> {
  requireTokenForExposure(options.host, options.token);
  const webhooks = harness.webhooks;
  if (options.serveRpc && webhooks.configProblem !== null)
    throw new HarnessError(ErrorCodes.config, webhooks.configProblem);
  const auth = new BearerAuth(options.token);
  const operators = new OperatorCheck(auth, options.operatorKey);
  const guard = new RequestGuard({ bindHost: options.host, allowedOrigins: options.allowedOrigins ?? [] });
  const sessions = new HttpSessions(options.sessionIdleMs ?? 3_600_000, 10_000);
  const sweep = setInterval(() => sessions.sweep(), 60_000);
  sweep.unref();
  const ws = createWebSocketEndpoint(harness, auth, operators, guard, {
    maxMessageBytes: options.maxBodyBytes,
    heartbeatMs: options.wsHeartbeatMs,
  });
  const health = JSON.stringify({ status: 'ok', version: harnessVersion, store: harness.store.backend });
  const handleRpc = rpcHandler(harness, sessions, options.maxBodyBytes);
  const dashboard = new DashboardFiles(options.dashboardDir ?? defaultDashboardDir());
  // Event streams stay open as long as their clients do; shutdown cuts them (see close()).
  const eventStreams = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    const { path } = pathAndQuery(req.url);
    if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD'))
      return sendJson(res, 200, health);
    // Exactly POST /webhook skips bearer auth: GitHub cannot send the token; the HMAC authenticates it.
    if (path === '/webhook' && req.method === 'POST' && options.serveRpc)
      return answerFailures(harness, res, webhooks.endpoint.handle(req, res));
    if (!admitBrowser(guard, req, res)) return;
    // The page and its scripts carry no data: served without the token, which the page asks for.
    if (options.serveRpc && dashboard.wants(req, path))
      return answerFailures(harness, res, dashboard.serve(req, res, path));
    if (!auth.allows(req.headers.authorization)) {
      return sendError(
        res,
        new HarnessError(ErrorCodes.unauthorized, 'missing or wrong bearer token'),
        unauthorizedHeaders,
      );
    }
    const wrongType = isStateChanging(req.method) ? guard.contentTypeProblem(req.headers) : null;
    if (wrongType) return sendError(res, wrongType, { connection: 'close' });
    if (path === '/rpc' && options.serveRpc) {
      if (req.method !== 'POST') {
        return sendError(res, new HarnessError(ErrorCodes.invalidRequest, 'use POST for /rpc'), {
          allow: 'POST',
        });
      }
      return answerFailures(
        harness,
        res,
        handleRpc(req, res, operators.isOperator(req.headers.authorization)),
      );
    }
    if (options.rest && options.serveRpc) {
      if (operators.isOperator(req.headers.authorization)) markOperatorRequest(req);
      if (req.method === 'GET' && isEventStreamPath(path)) {
        eventStreams.add(res);
        res.once('close', () => eventStreams.delete(res));
      }
      return options.rest(req, res);
    }
    sendError(res, new HarnessError(ErrorCodes.notFound, `no route for ${req.method} ${path}`));
  });
  server.on('upgrade', (req, socket, head) => {
    if (pathAndQuery(req.url).path === '/ws') return ws.handleUpgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    async close(timeoutMs) {
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // A dashboard's event stream never ends by itself: waiting for it would hold every shutdown
      // for the whole grace period. Its client resumes from Last-Event-ID on the next server.
      for (const stream of eventStreams) stream.destroy();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([Promise.all([closed, ws.close()]), deadline]);
      server.closeAllConnections();
      sessions.closeAll();
    },
  };
}

/** `GET /api/events/stream` and `GET /tasks/{id}/stream` (rest/rest-app.ts). */
function isEventStreamPath(path: string): boolean {
  return path === '/api/events/stream' || /^\/tasks\/[^/]+\/stream$/.test(path);
}

/**
 * The browser checks that come before authentication: the Host (DNS rebinding), CORS preflights,
 * and the origin of state-changing requests. Answers and returns false when the request is refused.
 */
function admitBrowser(guard: RequestGuard, req: IncomingMessage, res: ServerResponse): boolean {
  const problem =
    guard.hostProblem(req.headers) ??
    (isStateChanging(req.method) ? guard.crossSiteProblem(req.headers) : null);
  if (problem) {
    sendError(res, problem, { connection: 'close' });
    return false;
  }
  if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
    const preflight = guard.preflightHeaders(req.headers);
    if (preflight === null) {
      sendError(
        res,
        new HarnessError(
          ErrorCodes.forbidden,
          'CORS preflight refused: the Origin is not in server.allowed_origins',
        ),
      );
    } else {
      res.writeHead(204, preflight);
      res.end();
    }
    return false;
  }
  const cors = guard.corsHeaders(req.headers);
  if (cors) for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
  return true;
}

/**
 * Lets a route run on while the listener returns. A failure the route did not answer itself is
 * logged and answered with a 500 (or the socket dropped, if the answer had begun): an unhandled
 * rejection would end the whole server.
 */
function answerFailures(harness: Harness, res: ServerResponse, route: Promise<void>): void {
  route.catch((error: unknown) => {
    harness.logger.error({ err: describeError(error) }, 'an HTTP route failed unanswered');
    if (res.headersSent) res.destroy();
    else sendError(res, new HarnessError(ErrorCodes.internal, 'the request failed inside Harness'));
  });
}

function rpcHandler(harness: Harness, sessions: HttpSessions, maxBodyBytes: number) {
  return async (req: IncomingMessage, res: ServerResponse, operator: boolean): Promise<void> => {
    let body: string;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof HarnessError) return sendError(res, error, { connection: 'close' });
      throw error;
    }
    const sessionId = req.headers[sessionHeader];
    let connection: Connection | undefined;
    if (typeof sessionId === 'string') {
      connection = sessions.get(sessionId);
      if (!connection) {
        const message = `not initialized: session ${sessionId} is unknown or expired; send initialize without the ${sessionHeader} header`;
        return sendJson(res, 200, JSON.stringify(failure(null, RpcErrorCodes.notInitialized, message)));
      }
    }
    const ephemeral = connection === undefined;
    connection ??= harness.openConnection('http', null, operator);
    const reply = await harness.router.handleText(connection, body);
    const headers: Record<string, string> = {};
    if (ephemeral) {
      // A request that began a handshake becomes a session the client can come back to.
      if (connection.state !== 'new') {
        sessions.add(connection);
        headers[sessionHeader] = connection.id;
      } else connection.close();
    }
    if (reply === null) {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    sendJson(res, 200, reply, headers);
  };
}
