/**
 * The stable facade of @harness/harness (what the original calls harness-api): embed Harness in a
 * program without depending on its internal layout. Everything else may move between releases.
 */
export * from '@harness/protocol';
export {
  HarnessError,
  ErrorCodes,
  type ErrorCode,
  type Logger,
  createLogger,
  silentLogger,
  loadConfig,
  type HarnessConfig,
  harnessVersion,
} from './core/index.js';
export { type Store, SqliteStore } from './store/index.js';
export { Harness, type HarnessOptions, InProcessClient, serveHttp, serveStdio } from './server/index.js';
// The agent contract, for a program that brings an agent of its own (as the testkit's instant agent does).
export type {
  AgentAdapter,
  AgentEvent,
  AgentName,
  AgentTurn,
  TerminalEvent,
  TurnOptions,
} from './agents/index.js';
