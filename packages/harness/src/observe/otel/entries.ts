import type { Span } from '@opentelemetry/api';
import type { TokenUsage } from '@harness/protocol';
import type { SpanTable, Tracked } from './span-table.js';

export interface TaskEntry extends Tracked {
  kind: 'task';
  span: Span;
  project: string | undefined;
  /** Opened by a later event (after a restart, or an evicted span): its duration is not the task's. */
  resumed: boolean;
}

export interface StageEntry extends Tracked {
  kind: 'stage';
  span: Span;
  stage: string;
}

export interface TurnEntry extends Tracked {
  kind: 'turn';
  threadId: string | null;
  taskId: string | null;
  agent: string | undefined;
  /** Usage streamed so far (deltas), so the final total adds only what the deltas missed. */
  seen: TokenUsage;
  /** Keys of this turn's open tool spans. */
  tools: Set<string>;
  /** Tool spans that got one closing event and may still get the other (see ToolSpans). */
  closing: Set<string>;
}

export interface ToolEntry extends Tracked {
  kind: 'tool';
  span: Span;
  closedMs: number | undefined;
}

/** A GC run (observe/otel/gc-spans.ts). */
export interface GcRunEntry extends Tracked {
  kind: 'gc';
  span: Span;
}

export type Entry = TaskEntry | StageEntry | TurnEntry | ToolEntry | GcRunEntry;
export type EntryTable = SpanTable<Entry>;

export const keys = {
  task: (taskId: string) => `task:${taskId}`,
  stage: (taskId: string) => `stage:${taskId}`,
  turn: (turnId: string) => `turn:${turnId}`,
  tool: (turnId: string, callId: string) => `tool:${turnId}:${callId}`,
  gc: (runId: string) => `gc:${runId}`,
};

export function entryOf<K extends Entry['kind']>(
  table: EntryTable,
  key: string,
  kind: K,
): Extract<Entry, { kind: K }> | undefined {
  const entry = table.get(key);
  return entry?.kind === kind ? (entry as Extract<Entry, { kind: K }>) : undefined;
}

export function takeOf<K extends Entry['kind']>(
  table: EntryTable,
  key: string,
  kind: K,
): Extract<Entry, { kind: K }> | undefined {
  return entryOf(table, key, kind) ? (table.take(key) as Extract<Entry, { kind: K }>) : undefined;
}
