/**
 * server: what speaks to the outside — the JSON-RPC router and its handlers, the REST app, the
 * transports (stdio, HTTP, WebSocket, MCP, in-process) and the GitHub webhooks — plus `Harness`,
 * which assembles the domain services (threads, tasks, projects) behind them from the ports the
 * composition root hands in. May depend on every module below the CLI.
 */
export { Harness, type HarnessOptions, type HarnessPorts } from './harness.js';
export type { GcParts, GcWiring } from './gc-wiring.js';
export { Connection, type TransportKind } from './rpc/connection.js';
export { RpcRouter } from './rpc/router.js';
export { serveStdio, type StdioTransport } from './transports/stdio.js';
export { serveHttp, type HttpTransport, type HttpTransportOptions } from './transports/http.js';
export { InProcessClient } from './transports/in-process.js';
export { serveMcp, type McpTransport } from './transports/mcp.js';
export { isLoopbackHost } from './transports/auth.js';
export { sessionHeader } from './transports/http-sessions.js';
export { toHttpError } from './http-errors.js';
