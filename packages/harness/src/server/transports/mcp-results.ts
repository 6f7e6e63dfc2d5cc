import type { Event, Item, RpcErrorObject, Task, Turn } from '@harness/protocol';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isRecord } from '../../core/index.js';

/**
 * How router answers become MCP tool results: compact summaries a model can read at a glance
 * (the full objects stay one `query_events` or `thread_history` call away), and JSON-RPC errors
 * turned into tool errors whose text says what to fix.
 */

/** A failed router call, carried to the tool boundary where it becomes an `isError` result. */
export class ToolFailure extends Error {}

export function toolResult(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data, null, 2) }], structuredContent: data };
}

export function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** `task/create: project not found: web (not_found)`, plus the first field at fault for bad params. */
export function describeRpcError(method: string, error: RpcErrorObject): string {
  const data = isRecord(error.data) ? error.data : {};
  const code = typeof data.code === 'string' ? data.code : `JSON-RPC ${error.code}`;
  return `${method}: ${error.message} (${code})`;
}

export function taskSummary(task: Task): Record<string, unknown> {
  return {
    task_id: task.id,
    state: task.state,
    project: task.project,
    kind: task.kind,
    prompt: task.prompt,
    issue: task.issue,
    pr: task.pr,
    agent: task.agent,
    reviewer: task.reviewer,
    routing: task.routing,
    priority: task.priority,
    branch: task.branch,
    pr_url: task.pr_url,
    pr_number: task.pr_number,
    rounds: task.rounds.map((round) => ({
      round: round.round,
      reviewer: round.reviewer,
      verdict: round.verdict,
      summary: round.summary,
      findings: round.findings.length,
    })),
    validation_attempts: task.validation_attempts,
    pending_approval:
      task.pending_approval === null
        ? null
        : { command: task.pending_approval.command, reason: task.pending_approval.reason },
    grade: task.grade,
    score: task.score,
    cost_usd: task.cost_usd,
    error: task.error,
    created_at: task.created_at,
    updated_at: task.updated_at,
    finished_at: task.finished_at,
  };
}

export function eventSummary(event: Event): Record<string, unknown> {
  return {
    seq: event.seq,
    ts: event.ts,
    kind: event.kind,
    ...(event.decision ? { decision: event.decision } : {}),
    ...(event.reason ? { reason: event.reason } : {}),
    ...(event.turn_id ? { turn_id: event.turn_id } : {}),
  };
}

/** The agent's last message: what a caller asking "what did it answer?" wants. */
export function finalAnswer(items: readonly Item[]): string | null {
  const last = items.filter((item) => item.type === 'agent_message').at(-1);
  return last && typeof last.text === 'string' ? last.text : null;
}

export function turnSummary(turn: Turn, includeItems: boolean): Record<string, unknown> {
  return {
    turn_id: turn.id,
    seq: turn.seq,
    status: turn.status,
    agent: turn.agent,
    input: turn.input,
    answer: finalAnswer(turn.items),
    commands: turn.items
      .filter((item) => item.type === 'command')
      .map((item) => ({ command: item.command, exit_code: item.exit_code })),
    file_changes: turn.items
      .filter((item) => item.type === 'file_change')
      .map((item) => ({ path: item.path, kind: item.kind })),
    error: turn.error,
    usage: turn.usage,
    started_at: turn.started_at,
    completed_at: turn.completed_at,
    ...(includeItems ? { items: turn.items } : {}),
  };
}
