import type { Event } from '@harness/protocol';

/**
 * A task's events, folded into what the task view shows: the transcript (the agents' messages,
 * tool calls and commands with the policy's decision on each) and the timeline of the task's own
 * steps. A pure fold, so a replayed or streamed event is applied the same way, and an event seen
 * twice (same seq) changes nothing.
 */

export type TranscriptItem =
  | { key: string; type: 'turn'; agent: string; seq: number }
  | { key: string; type: 'message'; text: string; seq: number }
  | { key: string; type: 'reasoning'; text: string; seq: number }
  | {
      key: string;
      type: 'tool';
      name: string;
      input: string;
      output: string | null;
      isError: boolean;
      callId: string;
      seq: number;
    }
  | {
      key: string;
      type: 'command';
      command: string;
      /** The policy's decision (allow, prompt, forbidden), when a gate saw it. */
      decision: string | null;
      reason: string | null;
      exitCode: number | null;
      status: string | null;
      output: string;
      seq: number;
    }
  | { key: string; type: 'notice'; level: 'warning' | 'error'; text: string; seq: number };

export interface TimelineEntry {
  seq: number;
  ts: string;
  kind: string;
  summary: string;
  decision: string | null;
}

export interface ValidationRun {
  seq: number;
  attempt: number;
  passed: boolean;
  commands: {
    command: string;
    passed: boolean;
    exit_code: number | null;
    output: string;
    duration_ms: number;
  }[];
}

export interface TaskActivity {
  lastSeq: number;
  transcript: TranscriptItem[];
  timeline: TimelineEntry[];
  validations: ValidationRun[];
  tokens: { input: number; output: number };
}

export const emptyActivity: TaskActivity = {
  lastSeq: 0,
  transcript: [],
  timeline: [],
  validations: [],
  tokens: { input: 0, output: 0 },
};

type Data = Record<string, unknown>;
const dataOf = (event: Event): Data =>
  typeof event.data === 'object' && event.data !== null ? (event.data as Data) : {};
const str = (data: Data, key: string): string | null =>
  typeof data[key] === 'string' ? (data[key] as string) : null;
const num = (data: Data, key: string): number | null =>
  typeof data[key] === 'number' ? (data[key] as number) : null;

/** Applies events in seq order; those at or below `lastSeq` are skipped. */
export function applyEvents(activity: TaskActivity, events: readonly Event[]): TaskActivity {
  let next = activity;
  for (const event of [...events].sort((a, b) => a.seq - b.seq)) next = applyEvent(next, event);
  return next;
}

export function applyEvent(activity: TaskActivity, event: Event): TaskActivity {
  if (event.seq <= activity.lastSeq) return activity;
  const next: TaskActivity = { ...activity, lastSeq: event.seq };
  const data = dataOf(event);
  const key = `e${event.seq}`;
  const seq = event.seq;
  switch (event.kind) {
    case 'turn.started':
      return push(next, { key, type: 'turn', agent: str(data, 'agent') ?? 'agent', seq });
    case 'agent.text':
    case 'agent.message':
      return push(next, { key, type: 'message', text: str(data, 'text') ?? '', seq });
    case 'agent.reasoning':
      return push(next, { key, type: 'reasoning', text: str(data, 'text') ?? '', seq });
    case 'agent.tool_call':
      return push(next, {
        key,
        type: 'tool',
        name: str(data, 'name') ?? 'tool',
        input: stringify(data.input),
        output: null,
        isError: false,
        callId: str(data, 'call_id') ?? key,
        seq,
      });
    case 'agent.tool_result':
      return toolResult(next, str(data, 'call_id'), str(data, 'output') ?? '', data.is_error === true);
    case 'agent.command_gate':
      return push(next, {
        key,
        type: 'command',
        command: str(data, 'command') ?? '',
        decision: event.decision ?? str(data, 'decision'),
        reason: event.reason ?? str(data, 'reason'),
        exitCode: null,
        status: null,
        output: '',
        seq,
      });
    case 'agent.command':
      return commandResult(next, event, data);
    case 'agent.warning':
    case 'agent.api_retry':
      return push(next, {
        key,
        type: 'notice',
        level: 'warning',
        text: str(data, 'message') ?? event.kind,
        seq,
      });
    case 'agent.error':
      return push(next, {
        key,
        type: 'notice',
        level: 'error',
        text: str(data, 'message') ?? 'agent error',
        seq,
      });
    case 'agent.usage':
      return { ...next, tokens: addTokens(next.tokens, data) };
    case 'task.validation':
      return withTimeline({ ...next, validations: [...next.validations, validationRun(seq, data)] }, event);
    default:
      return event.kind.startsWith('task.') ? withTimeline(next, event) : next;
  }
}

function push(activity: TaskActivity, item: TranscriptItem): TaskActivity {
  return { ...activity, transcript: [...activity.transcript, item] };
}

function toolResult(
  activity: TaskActivity,
  callId: string | null,
  output: string,
  isError: boolean,
): TaskActivity {
  const index = findLastIndex(activity.transcript, (item) => item.type === 'tool' && item.callId === callId);
  if (index === -1) return activity;
  const transcript = [...activity.transcript];
  transcript[index] = {
    ...(transcript[index] as Extract<TranscriptItem, { type: 'tool' }>),
    output,
    isError,
  };
  return { ...activity, transcript };
}

/** A command's result fills the gate item of the same command that has no result yet, or adds one. */
function commandResult(activity: TaskActivity, event: Event, data: Data): TaskActivity {
  const command = str(data, 'command') ?? '';
  const result = {
    exitCode: num(data, 'exit_code'),
    status: str(data, 'status') ?? 'completed',
    output: str(data, 'output') ?? '',
  };
  const index = findLastIndex(
    activity.transcript,
    (item) => item.type === 'command' && item.command === command && item.status === null,
  );
  if (index === -1) {
    const item: TranscriptItem = {
      key: `e${event.seq}`,
      type: 'command',
      command,
      decision: null,
      reason: null,
      ...result,
      seq: event.seq,
    };
    return push(activity, item);
  }
  const transcript = [...activity.transcript];
  transcript[index] = { ...(transcript[index] as Extract<TranscriptItem, { type: 'command' }>), ...result };
  return { ...activity, transcript };
}

function addTokens(tokens: TaskActivity['tokens'], data: Data): TaskActivity['tokens'] {
  const usage = typeof data.usage === 'object' && data.usage !== null ? (data.usage as Data) : {};
  return {
    input: tokens.input + (num(usage, 'input_tokens') ?? 0),
    output: tokens.output + (num(usage, 'output_tokens') ?? 0),
  };
}

function validationRun(seq: number, data: Data): ValidationRun {
  const commands = Array.isArray(data.commands) ? (data.commands as Data[]) : [];
  return {
    seq,
    attempt: num(data, 'attempt') ?? 1,
    passed: data.passed === true,
    commands: commands.map((command) => ({
      command: str(command, 'command') ?? '',
      passed: command.passed === true,
      exit_code: num(command, 'exit_code'),
      output: str(command, 'output') ?? '',
      duration_ms: num(command, 'duration_ms') ?? 0,
    })),
  };
}

function withTimeline(activity: TaskActivity, event: Event): TaskActivity {
  const entry: TimelineEntry = {
    seq: event.seq,
    ts: event.ts,
    kind: event.kind,
    summary: summarize(event),
    decision: event.decision,
  };
  return { ...activity, timeline: [...activity.timeline, entry] };
}

/** One line for a task event, in words. */
export function summarize(event: Event): string {
  const data = dataOf(event);
  switch (event.kind) {
    case 'task.stage':
      return `→ ${str(data, 'stage') ?? '?'}${event.reason ? ` (${event.reason})` : ''}`;
    case 'task.queued':
      return 'queued';
    case 'task.validation':
      return `validation attempt ${num(data, 'attempt') ?? '?'} ${data.passed === true ? 'passed' : 'failed'}`;
    case 'task.pr':
      return `pull request ${str(data, 'url') ?? ''}`.trim();
    case 'task.delivery':
      return `delivery: ${str(data, 'delivery') ?? '?'}`;
    case 'task.review':
      return `review round ${num(data, 'round') ?? '?'}: ${str(data, 'verdict') ?? '?'}`;
    case 'task.finished':
      return `finished: ${str(data, 'state') ?? '?'}${str(data, 'grade') ? `, grade ${str(data, 'grade')}` : ''}`;
    case 'task.responded':
      return `answered: ${str(data, 'decision') ?? '?'}`;
    default:
      return event.reason ?? event.kind.replace(/^task\./, '').replaceAll('_', ' ');
  }
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (predicate(items[i] as T)) return i;
  return -1;
}

/** Tokens a usage event adds, for the board's per-task totals. */
export function tokensOf(event: Event): number {
  if (event.kind !== 'agent.usage') return 0;
  const usage = dataOf(event).usage;
  if (typeof usage !== 'object' || usage === null) return 0;
  const u = usage as Data;
  return (num(u, 'input_tokens') ?? 0) + (num(u, 'output_tokens') ?? 0);
}
