/**
 * @harness/testkit: the test doubles and fixtures of Harness, kept out of the product. Scripted
 * model servers that speak the Anthropic Messages and OpenAI Responses APIs (the real CLIs run
 * against them), an in-memory GitHub REST stand-in, an agent that answers at once (benchmarks), the
 * disguised-command corpus of the policy tests, and fixtures: git repositories with a bare origin,
 * isolated temporary homes, a `harness serve` process, JSON-RPC clients for every transport, a
 * whole task server. Only tests, benchmarks and `harness demo` (by a dynamic import, from a
 * checkout) use it; it reaches Harness only through its public facade, @harness/harness.
 */
export {
  ScriptTurnSchema,
  ScriptSchema,
  ScriptQueue,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  scriptedClaudeEnv,
  SCRIPTED_CODEX_KEY_ENV,
  writeScriptedCodexHome,
  writeGatewayCodexHome,
  GATEWAY_CODEX_NO_RETRIES,
  type ScriptToolCall,
  type ScriptTurn,
  type RecordedRequest,
  type ScriptedServer,
  type ScriptedAnthropicServer,
  type ScriptedOpenAiServer,
} from './scripted/index.js';
export {
  GithubStandIn,
  startGithubStandIn,
  type GithubStandInOptions,
  type FaultOptions,
  type StandInRequest,
  type StandInRoute,
  type RepoPermission,
  type InspectedPullRequest,
  type InspectedComment,
  type InspectedReview,
} from './github-stand-in/index.js';
export { instantAgent } from './instant-agent.js';
export { DISGUISED, HARMLESS, type CorpusEntry } from './disguise-corpus.js';
export {
  testIdentity,
  git,
  makeRepo,
  writeFiles,
  addBareOrigin,
  githubLikeRemotePath,
} from './fixtures/repos.js';
export { tempDir, isolatedEnv } from './fixtures/temp-home.js';
export {
  repoRoot,
  harnessBin,
  startHttpHarness,
  runHarness,
  type HarnessRun,
  parseJson,
  type RunningHarness,
} from './fixtures/harness-process.js';
export {
  StdioClient,
  WsClient,
  HttpClient,
  InProcessTestClient,
  type RpcTestClient,
} from './fixtures/clients.js';
export { processesIn, stillRunning, eventually, type ProcessInfo } from './fixtures/processes.js';
export {
  viewOf,
  approve,
  requestChanges,
  makeProject,
  type ConversationView,
} from './fixtures/pipeline-fixture.js';
export {
  claudeWithApiReviewer,
  githubStandInConfig,
  type HarnessUnderTest,
  projectEntry,
  startHarnessUnderTest,
  startTaskServer,
  type TaskServer,
  type TaskView,
} from './fixtures/task-server.js';
export {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  launchBrowser,
  type LaunchOptions,
  type TestBrowser,
} from './fixtures/browser.js';
export { sampleDraft } from './fixtures/drafts.js';
export {
  startPostgres,
  postgresBinDir,
  type RunningPostgres,
  type PostgresOptions,
} from './fixtures/postgres.js';
export { claimTask } from './fixtures/claims.js';
export {
  startFleet,
  recordClaims,
  claimPeaks,
  type Fleet,
  type FleetHost,
  type FleetOptions,
} from './fixtures/fleet.js';
