import type { Decision, Event, Thread, Turn } from '@harness/protocol';

/** Row ⇄ wire-object mapping for the SQLite backend; JSON columns are parsed here and nowhere else. */

export interface ThreadRow {
  id: string;
  project_root: string;
  agent: string | null;
  title: string | null;
  status: Thread['status'];
  native_session_id: string | null;
  parent_thread_id: string | null;
  metadata: string;
  created_at: string;
  updated_at: string;
  turn_count: number;
}

export function threadFromRow(row: ThreadRow): Thread {
  return { ...row, metadata: JSON.parse(row.metadata) as Record<string, unknown> };
}

export interface TurnRow {
  id: string;
  thread_id: string;
  seq: number;
  status: Turn['status'];
  input: string;
  agent: string | null;
  items: string;
  usage: string | null;
  error: string | null;
  started_at: string;
  completed_at: string | null;
}

export function turnFromRow(row: TurnRow): Turn {
  return {
    ...row,
    items: JSON.parse(row.items) as Turn['items'],
    usage: row.usage === null ? null : (JSON.parse(row.usage) as Turn['usage']),
    error: row.error === null ? null : (JSON.parse(row.error) as Turn['error']),
  };
}

export function turnToRow(turn: Turn): TurnRow {
  return {
    ...turn,
    items: JSON.stringify(turn.items),
    usage: turn.usage === null ? null : JSON.stringify(turn.usage),
    error: turn.error === null ? null : JSON.stringify(turn.error),
  };
}

export interface EventRow {
  seq: number;
  id: string;
  ts: string;
  kind: string;
  thread_id: string | null;
  turn_id: string | null;
  task_id: string | null;
  session_id: string | null;
  tool: string | null;
  decision: Decision | null;
  reason: string | null;
  duration_ms: number | null;
  data: string | null;
  project: string | null;
}

export function eventFromRow(row: EventRow): Event {
  return { ...row, data: row.data === null ? null : (JSON.parse(row.data) as unknown) };
}
