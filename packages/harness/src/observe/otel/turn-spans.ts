import { type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { addUsage, zeroUsage, type Event, type TokenUsage } from '@harness/protocol';
import { ErrorType, GenAi, Harness, providerOf } from './attributes.js';
import { clip, dataOf, errorOf, obj, str, timeOf, usageBeyond, usageOf } from './event-data.js';
import { type EntryTable, type TurnEntry, entryOf, keys, takeOf } from './entries.js';
import type { HarnessMetrics } from './metrics.js';
import type { TaskSpans } from './task-spans.js';
import { ToolSpans } from './tool-spans.js';

/**
 * A span per agent turn (GenAI `invoke_agent`), under the current stage of its task, with its tool
 * calls as children. `turn.started` carries no task id, so the span itself is started by the first
 * event that does (with the turn's start time), which is the one that knows the right parent.
 */
export class TurnSpans {
  private readonly tools: ToolSpans;

  constructor(
    private readonly tracer: Tracer,
    private readonly table: EntryTable,
    private readonly metrics: HarnessMetrics,
    private readonly tasks: TaskSpans,
    private readonly logUserPrompt: boolean,
  ) {
    this.tools = new ToolSpans(tracer, table, logUserPrompt);
  }

  handle(event: Event): void {
    const turnId = event.turn_id;
    if (turnId === null) return;
    if (event.kind === 'turn.started') {
      const entry = this.track(event, turnId, str(dataOf(event), 'agent'));
      if (event.task_id !== null) this.spanOf(entry, event, turnId);
      return;
    }
    if (event.kind === 'turn.completed' || event.kind === 'turn.failed') {
      this.finish(event, turnId);
      return;
    }
    if (!event.kind.startsWith('agent.')) return;
    const entry = entryOf(this.table, keys.turn(turnId), 'turn') ?? this.track(event, turnId, undefined);
    this.agentEvent(entry, this.spanOf(entry, event, turnId), event, turnId);
  }

  private agentEvent(entry: TurnEntry, span: Span, event: Event, turnId: string): void {
    const data = dataOf(event);
    switch (event.kind) {
      case 'agent.tool_result':
        return this.tools.result(entry, event, turnId);
      case 'agent.command':
        return this.tools.command(entry, span, event, turnId);
      default:
        this.tools.flushClosing(entry);
    }
    switch (event.kind) {
      case 'agent.turn_started': {
        const model = str(data, 'model');
        if (model !== undefined) span.setAttribute(GenAi.requestModel, model);
        return;
      }
      case 'agent.tool_call':
        return this.tools.call(entry, span, event, turnId);
      case 'agent.usage': {
        const delta = usageOf(obj(data, 'usage'));
        if (delta === undefined) return;
        entry.seen = addUsage(entry.seen, delta);
        this.metrics.usage(entry.agent, delta);
        return;
      }
      case 'agent.command_gate':
        return this.gate(span, event);
      case 'agent.error':
        span.addEvent(
          'harness.agent.error',
          { [ErrorType]: str(data, 'code') ?? 'unknown', retryable: data.retryable === true },
          timeOf(event),
        );
        return;
      default:
        return;
    }
  }

  private gate(span: Span, event: Event): void {
    const data = dataOf(event);
    const decision = event.decision ?? str(data, 'decision') ?? 'unknown';
    const command = str(data, 'command');
    const reason = str(data, 'reason');
    span.addEvent(
      'harness.policy.decision',
      {
        [Harness.decision]: decision,
        ...(reason === undefined ? {} : { reason: clip(reason, 512) }),
        ...(this.logUserPrompt && command !== undefined ? { [Harness.command]: clip(command, 4096) } : {}),
      },
      timeOf(event),
    );
  }

  private track(event: Event, turnId: string, agent: string | undefined): TurnEntry {
    const startMs = timeOf(event);
    const entry: TurnEntry = {
      kind: 'turn',
      span: undefined,
      startMs,
      threadId: event.thread_id,
      taskId: event.task_id,
      agent,
      seen: zeroUsage,
      tools: new Set(),
      closing: new Set(),
    };
    this.table.add(keys.turn(turnId), entry, startMs);
    return entry;
  }

  private spanOf(entry: TurnEntry, event: Event, turnId: string): Span {
    if (entry.span) return entry.span;
    entry.taskId ??= event.task_id;
    const agent = entry.agent;
    const provider = providerOf(agent);
    const project = this.tasks.projectOf(entry.taskId);
    entry.span = this.tracer.startSpan(
      `invoke_agent ${agent ?? 'agent'}`,
      {
        kind: SpanKind.CLIENT,
        startTime: entry.startMs,
        attributes: {
          [GenAi.operationName]: 'invoke_agent',
          ...(agent === undefined ? {} : { [GenAi.agentName]: agent, [Harness.agent]: agent }),
          ...(provider === undefined ? {} : { [GenAi.system]: provider, [GenAi.providerName]: provider }),
          ...(entry.threadId === null
            ? {}
            : { [GenAi.conversationId]: entry.threadId, [Harness.threadId]: entry.threadId }),
          [Harness.turnId]: turnId,
          ...(entry.taskId === null ? {} : { [Harness.taskId]: entry.taskId }),
          ...(project === undefined ? {} : { [Harness.project]: project }),
        },
      },
      this.tasks.parentOf(entry.taskId),
    );
    return entry.span;
  }

  private finish(event: Event, turnId: string): void {
    const entry = takeOf(this.table, keys.turn(turnId), 'turn') ?? this.untracked(event, turnId);
    const span = this.spanOf(entry, event, turnId);
    const nowMs = Math.max(timeOf(event), entry.startMs);
    this.tools.endTurn(entry, nowMs);
    const data = dataOf(event);
    const status = str(data, 'status') ?? (event.kind === 'turn.completed' ? 'completed' : 'failed');
    const total = usageOf(obj(data, 'usage'));
    if (total) this.metrics.usage(entry.agent, usageBeyond(total, entry.seen));
    setUsage(span, total ?? entry.seen);
    span.setAttribute(Harness.turnStatus, status);
    if (status === 'failed') {
      const error = errorOf(data);
      if (error.type !== undefined) span.setAttribute(ErrorType, error.type);
      // Agents quote commands and model output in error messages, so they are prompt text too.
      const message = this.logUserPrompt ? error.message : undefined;
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: message ?? `turn failed: ${error.type ?? 'unknown'}`,
      });
    }
    span.end(nowMs);
    this.metrics.turnEnded(status, entry.agent, (nowMs - entry.startMs) / 1000);
  }

  /** A turn that ended without our seeing it start: a zero-length span still records the outcome. */
  private untracked(event: Event, turnId: string): TurnEntry {
    const entry = this.track(event, turnId, undefined);
    this.table.take(keys.turn(turnId));
    return entry;
  }
}

function setUsage(span: Span, usage: TokenUsage): void {
  span.setAttribute(GenAi.inputTokens, usage.input_tokens);
  span.setAttribute(GenAi.outputTokens, usage.output_tokens);
  span.setAttribute(GenAi.cacheReadTokens, usage.cache_read_tokens);
  span.setAttribute(GenAi.cacheWriteTokens, usage.cache_write_tokens);
  span.setAttribute(Harness.costUsd, usage.cost_usd);
}
