import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Event } from '@harness/protocol';
import { GenAi, Harness } from './attributes.js';
import { type Data, clip, dataOf, num, str, timeOf } from './event-data.js';
import { type EntryTable, type ToolEntry, type TurnEntry, keys, takeOf } from './entries.js';
import { forceEnd } from './span-table.js';

/**
 * A span per tool call, keyed by call id. Adapters close a call differently: Claude sends
 * tool_result then (for Bash) command; the API loop sends command then tool_result; Codex sends
 * only command. So the first closing event only marks the span closing; the second for the same
 * call, or any other event of the turn, ends it — at the time of the first.
 */
export class ToolSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly table: EntryTable,
    private readonly logUserPrompt: boolean,
  ) {}

  call(turn: TurnEntry, turnSpan: Span, event: Event, turnId: string): void {
    const data = dataOf(event);
    const callId = str(data, 'call_id');
    if (callId === undefined) return;
    const name = clip(str(data, 'name') ?? 'tool', 64);
    const startMs = timeOf(event);
    const span = this.tracer.startSpan(
      `execute_tool ${name}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: startMs,
        attributes: {
          [GenAi.operationName]: 'execute_tool',
          [GenAi.toolName]: name,
          [GenAi.toolCallId]: callId,
          [Harness.turnId]: turnId,
          ...(this.logUserPrompt ? { [GenAi.toolArguments]: clip(jsonOf(data.input), 4096) } : {}),
        },
      },
      trace.setSpan(ROOT_CONTEXT, turnSpan),
    );
    const key = keys.tool(turnId, callId);
    this.table.add(key, { kind: 'tool', span, startMs, closedMs: undefined }, startMs);
    turn.tools.add(key);
  }

  result(turn: TurnEntry, event: Event, turnId: string): void {
    const data = dataOf(event);
    const entry = this.closing(turn, turnId, str(data, 'call_id'));
    if (!entry) return;
    const isError = data.is_error === true;
    entry.span.setAttribute(Harness.toolError, isError);
    if (isError) entry.span.setStatus({ code: SpanStatusCode.ERROR, message: 'tool reported an error' });
    this.closeOrDefer(turn, entry, keys.tool(turnId, str(data, 'call_id') ?? ''), timeOf(event));
  }

  /** A command with no open call (no call id, or one we never saw) becomes a span of its own. */
  command(turn: TurnEntry, turnSpan: Span, event: Event, turnId: string): void {
    const data = dataOf(event);
    const callId = str(data, 'call_id');
    const entry = this.closing(turn, turnId, callId);
    const endMs = timeOf(event);
    if (entry) {
      this.describeCommand(entry.span, data);
      this.closeOrDefer(turn, entry, keys.tool(turnId, callId ?? ''), endMs);
      return;
    }
    const startMs = endMs - (event.duration_ms ?? 0);
    const span = this.tracer.startSpan(
      'execute_tool command',
      {
        kind: SpanKind.INTERNAL,
        startTime: startMs,
        attributes: {
          [GenAi.operationName]: 'execute_tool',
          [GenAi.toolName]: 'command',
          ...(callId === undefined ? {} : { [GenAi.toolCallId]: callId }),
          [Harness.turnId]: turnId,
        },
      },
      trace.setSpan(ROOT_CONTEXT, turnSpan),
    );
    this.describeCommand(span, data);
    span.end(endMs);
  }

  /** Ends the turn's tool spans that are only waiting for a second closing event that isn't coming. */
  flushClosing(turn: TurnEntry, except?: string): void {
    for (const key of turn.closing) {
      if (key === except) continue;
      turn.closing.delete(key);
      turn.tools.delete(key);
      const entry = takeOf(this.table, key, 'tool');
      if (entry) entry.span.end(entry.closedMs ?? entry.startMs);
    }
  }

  /** The turn ended: calls still open never got a result. */
  endTurn(turn: TurnEntry, nowMs: number): void {
    this.flushClosing(turn);
    for (const key of turn.tools) {
      const entry = takeOf(this.table, key, 'tool');
      if (entry) forceEnd(entry, 'turn_end', nowMs);
    }
    turn.tools.clear();
  }

  private closing(turn: TurnEntry, turnId: string, callId: string | undefined): ToolEntry | undefined {
    if (callId === undefined) return undefined;
    const key = keys.tool(turnId, callId);
    this.flushClosing(turn, key);
    const entry = this.table.get(key);
    return entry?.kind === 'tool' ? entry : undefined;
  }

  private closeOrDefer(turn: TurnEntry, entry: ToolEntry, key: string, atMs: number): void {
    if (entry.closedMs === undefined) {
      entry.closedMs = Math.max(atMs, entry.startMs);
      turn.closing.add(key);
      return;
    }
    turn.closing.delete(key);
    turn.tools.delete(key);
    this.table.take(key);
    entry.span.end(Math.max(atMs, entry.closedMs));
  }

  private describeCommand(span: Span, data: Data): void {
    const status = str(data, 'status');
    const exitCode = num(data, 'exit_code');
    if (status !== undefined) span.setAttribute(Harness.commandStatus, status);
    if (exitCode !== undefined) span.setAttribute(Harness.commandExitCode, exitCode);
    const command = str(data, 'command');
    if (this.logUserPrompt && command !== undefined) span.setAttribute(Harness.command, clip(command, 4096));
    if (status === 'failed' || status === 'declined') {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `command ${status}` });
    }
  }
}

function jsonOf(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  } catch {
    return '';
  }
}
