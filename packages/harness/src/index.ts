/**
 * The stable facade of @harness/harness: embed Harness in a program without depending on its
 * internal layout — open a store, start the platform, serve it or call it in-process, and read the
 * wire shapes it answers with. Everything else may move between releases; the whole wire contract
 * (schemas, envelopes, limits) is @harness/protocol's own.
 */
export {
  PROTOCOL_VERSION,
  methods,
  notifications,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type NotificationName,
  type NotificationParams,
  type RpcRequest,
  type RpcResponse,
  type RpcNotification,
  type Thread,
  type Turn,
  type Item,
  type Event,
  type Task,
  type TaskState,
  type Project,
  RpcErrorCodes,
  type RpcErrorCode,
  type ExecPlanData,
  type PlanStatus,
} from '@harness/protocol';
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
  newId,
  type IdKind,
} from './core/index.js';
// ExecPlans (PLANS.md) and the sandbox's shape, as the README's embedding example uses them.
export { ExecPlan, lintPlan, type PlanLint, type PlanProblem } from './plans/index.js';
export { sandboxSpec, type SandboxMode, type SandboxSpec, type SandboxSpecInput } from './sandbox/index.js';
export { type Store, type LeaseToken, SqliteStore } from './store/index.js';
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
