/**
 * server: the running platform — the JSON-RPC router and its handlers, the services behind them
 * (threads now; turns, tasks and projects as they come), the notification hub and the transports
 * (stdio, HTTP, WebSocket, in-process). May depend on every module below the CLI.
 */
export { Harness, type HarnessOptions } from './harness.js';
export { Connection, type TransportKind } from './rpc/connection.js';
export { RpcRouter } from './rpc/router.js';
export { serveStdio, type StdioTransport } from './transports/stdio.js';
export { serveHttp, type HttpTransport, type HttpTransportOptions } from './transports/http.js';
export { InProcessClient } from './transports/in-process.js';
export { serveMcp, type McpTransport } from './transports/mcp.js';
export { isLoopbackHost } from './transports/auth.js';
export { sessionHeader } from './transports/http-sessions.js';
export { toHttpError } from './http-errors.js';
