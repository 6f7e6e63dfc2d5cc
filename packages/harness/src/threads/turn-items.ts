import type { Item } from '@harness/protocol';
import type { AgentEvent } from '../agents/index.js';

/**
 * What a turn's agent events leave in the turn's item list. Text deltas are folded into one
 * agent message; bookkeeping events (usage, session, the terminal event) leave no item.
 */
export function itemFor(event: AgentEvent): Item | null {
  switch (event.type) {
    case 'text':
      return { type: 'agent_message', text: event.text };
    case 'reasoning':
      return { type: 'reasoning', text: event.text };
    case 'tool_call':
      return { type: 'tool_call', call_id: event.call_id, name: event.name, input: event.input };
    case 'tool_result':
      return { type: 'tool_result', call_id: event.call_id, is_error: event.is_error, output: event.output };
    case 'command':
      return {
        type: 'command',
        command: event.command,
        exit_code: event.exit_code,
        output: event.output,
        status: event.status,
      };
    case 'command_gate':
      return { type: 'command_gate', command: event.command, decision: event.decision, reason: event.reason };
    case 'file_change':
      return { type: 'file_change', path: event.path, kind: event.kind };
    case 'warning':
      return { type: 'warning', message: event.message };
    case 'skill_used':
      return { type: 'skill_used', skill: event.skill, file: event.file, activation: event.activation };
    case 'api_retry':
      return {
        type: 'api_retry',
        message: event.message,
        attempt: event.attempt,
        max_retries: event.max_retries,
        delay_ms: event.delay_ms,
        status: event.status,
      };
    case 'error':
      return { type: 'error', code: event.code, message: event.message };
    default:
      return null;
  }
}

/** Appends an item, merging consecutive agent text into one message. */
export function appendItem(items: Item[], item: Item): void {
  const last = items.at(-1);
  if (item.type === 'agent_message' && last?.type === 'agent_message') {
    last.text = `${String(last.text)}${String(item.text)}`;
    return;
  }
  items.push(item);
}
