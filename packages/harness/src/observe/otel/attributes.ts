/**
 * Attribute and instrument names. The GenAI names are copied from the (still incubating) semantic
 * conventions rather than imported from `semantic-conventions/incubating`, as that package advises:
 * incubating exports may change in a minor release, and a rename must not break this exporter.
 */
export const GenAi = {
  operationName: 'gen_ai.operation.name',
  system: 'gen_ai.system',
  providerName: 'gen_ai.provider.name',
  agentName: 'gen_ai.agent.name',
  conversationId: 'gen_ai.conversation.id',
  requestModel: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheWriteTokens: 'gen_ai.usage.cache_creation.input_tokens',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  toolArguments: 'gen_ai.tool.call.arguments',
  tokenType: 'gen_ai.token.type',
} as const;

export const ErrorType = 'error.type';

export const Harness = {
  taskId: 'harness.task.id',
  taskState: 'harness.task.state',
  taskScore: 'harness.task.score',
  taskGrade: 'harness.task.grade',
  taskPriority: 'harness.task.priority',
  taskResumed: 'harness.task.resumed',
  stage: 'harness.task.stage',
  project: 'harness.project',
  threadId: 'harness.thread.id',
  turnId: 'harness.turn.id',
  turnStatus: 'harness.turn.status',
  agent: 'harness.agent',
  costUsd: 'harness.cost_usd',
  command: 'harness.command',
  commandExitCode: 'harness.command.exit_code',
  commandStatus: 'harness.command.status',
  toolError: 'harness.tool.is_error',
  decision: 'harness.policy.decision',
  eventId: 'harness.event.id',
  gcStep: 'harness.gc.step',
  gcRunId: 'harness.gc.run_id',
  gcTrigger: 'harness.gc.trigger',
  gcSignals: 'harness.gc.signals',
  gcBudgetExhausted: 'harness.gc.budget_exhausted',
  /** Set on spans ended by the exporter rather than by their closing event. */
  endedBy: 'harness.span.ended_by',
} as const;

export const Metrics = {
  tasks: 'harness.tasks',
  turns: 'harness.turns',
  policyDecisions: 'harness.policy.decisions',
  tokens: 'harness.tokens',
  costUsd: 'harness.cost_usd',
  taskDuration: 'harness.task.duration',
  turnDuration: 'harness.turn.duration',
  gcSteps: 'harness.gc.steps',
  gcCostUsd: 'harness.gc.cost_usd',
} as const;

/** Which provider's models an agent runs; the GenAI conventions key spans on the provider. */
export function providerOf(agent: string | undefined): string | undefined {
  switch (agent) {
    case 'claude':
    case 'anthropic_api':
      return 'anthropic';
    case 'codex':
      return 'openai';
    default:
      return undefined;
  }
}
