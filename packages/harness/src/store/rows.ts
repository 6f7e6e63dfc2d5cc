import type { Decision, Event, SignalType, Thread, Turn } from '@harness/protocol';
import type { RunningTurn, ScanRecord, SignalAggregate } from './store.js';

/**
 * Row ⇄ wire-object mapping shared by both backends (they store the same columns, JSON as text);
 * JSON columns are parsed here and nowhere else.
 */

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
  /** Stored, never part of a turn as read (see `runningTurnFromRow`). */
  owner?: string | null;
  lease_expires_at?: string | null;
}

export function turnFromRow(row: TurnRow): Turn {
  const turn = { ...row };
  delete turn.owner;
  delete turn.lease_expires_at;
  return {
    ...turn,
    items: JSON.parse(row.items) as Turn['items'],
    usage: row.usage === null ? null : (JSON.parse(row.usage) as Turn['usage']),
    error: row.error === null ? null : (JSON.parse(row.error) as Turn['error']),
  };
}

export function runningTurnFromRow(row: TurnRow): RunningTurn {
  return { ...turnFromRow(row), owner: row.owner ?? null, lease_expires_at: row.lease_expires_at ?? null };
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

export interface ScanRow extends Omit<ScanRecord, 'files' | 'by_severity' | 'by_rule'> {
  files: string | null;
  by_severity: string;
  by_rule: string;
}

export function scanFromRow(row: ScanRow): ScanRecord {
  return {
    ...row,
    files: row.files === null ? null : (JSON.parse(row.files) as string[]),
    by_severity: JSON.parse(row.by_severity) as ScanRecord['by_severity'],
    by_rule: JSON.parse(row.by_rule) as ScanRecord['by_rule'],
  };
}

/** A signal aggregate's row: its lists and counters as JSON text. */
export interface AggregateRow {
  type: string;
  key: string;
  count: number;
  event_ids: string;
  files: string;
  task_ids: string;
  first_seen: string | null;
  last_seen: string | null;
  extra: string;
}

export function aggregateFromRow(row: AggregateRow): SignalAggregate {
  return {
    type: row.type as SignalType,
    key: row.key,
    count: row.count,
    event_ids: JSON.parse(row.event_ids) as string[],
    files: JSON.parse(row.files) as string[],
    task_ids: JSON.parse(row.task_ids) as string[],
    first_seen: row.first_seen,
    last_seen: row.last_seen,
    extra: JSON.parse(row.extra) as Record<string, unknown>,
  };
}
