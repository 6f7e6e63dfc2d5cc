import type Database from 'better-sqlite3';
import type { Event } from '@harness/protocol';
import type {
  EventAggregate,
  EventFilter,
  EventKindCounts,
  EventRepository,
  EventScope,
  EventToolCounts,
  NewEvent,
} from '../store.js';
import { eventFromRow, type EventRow } from '../rows.js';

const passDecisions = `('pass', 'complete', 'allow')`;
const warnDecisions = `('warn', 'prompt')`;
const blockDecisions = `('block', 'gate', 'forbidden')`;

export class SqliteEventRepository implements EventRepository {
  private readonly insert: Database.Statement;
  private readonly byId: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      // An event of a task belongs to the task's project unless the writer names one.
      `INSERT OR IGNORE INTO events (id, ts, kind, thread_id, turn_id, task_id, session_id, tool, decision, reason,
         duration_ms, data, project)
       VALUES (@id, @ts, @kind, @thread_id, @turn_id, @task_id, @session_id, @tool, @decision, @reason,
         @duration_ms, @data, COALESCE(@project, (SELECT project FROM tasks WHERE id = @task_id)))`,
    );
    this.byId = db.prepare('SELECT * FROM events WHERE id = ?');
  }

  async append(event: NewEvent): Promise<{ event: Event; duplicate: boolean }> {
    return this.appendNow(event);
  }

  /** `append` at once, for a transaction that stores the event with another write. */
  appendNow(event: NewEvent): { event: Event; duplicate: boolean } {
    const result = this.insert.run({
      id: event.id,
      ts: event.ts,
      kind: event.kind,
      thread_id: event.thread_id ?? null,
      turn_id: event.turn_id ?? null,
      task_id: event.task_id ?? null,
      session_id: event.session_id ?? null,
      tool: event.tool ?? null,
      decision: event.decision ?? null,
      reason: event.reason ?? null,
      duration_ms: event.duration_ms ?? null,
      data: event.data === undefined ? null : JSON.stringify(event.data),
      project: event.project ?? null,
    });
    const row = this.byId.get(event.id) as EventRow;
    return { event: eventFromRow(row), duplicate: result.changes === 0 };
  }

  async query(filter: EventFilter): Promise<Event[]> {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: filter.limit };
    for (const key of ['thread_id', 'turn_id', 'task_id', 'session_id', 'decision', 'project'] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${key} = @${key}`);
      args[key] = filter[key];
    }
    if (filter.kinds && filter.kinds.length > 0) {
      const names = filter.kinds.map((kind, i) => {
        args[`kind${i}`] = kind;
        return `@kind${i}`;
      });
      where.push(`kind IN (${names.join(', ')})`);
    }
    if (filter.since !== undefined) {
      where.push('ts >= @since');
      args.since = filter.since;
    }
    if (filter.until !== undefined) {
      where.push('ts <= @until');
      args.until = filter.until;
    }
    if (filter.after_seq !== undefined) {
      where.push(filter.order === 'asc' ? 'seq > @after_seq' : 'seq < @after_seq');
      args.after_seq = filter.after_seq;
    }
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq ${filter.order === 'asc' ? 'ASC' : 'DESC'} LIMIT @limit`;
    return (this.db.prepare(sql).all(args) as EventRow[]).map(eventFromRow);
  }

  async aggregate(range: EventScope, slowMs: number): Promise<EventAggregate> {
    const args: Record<string, unknown> = { slow: slowMs };
    const scope = scopeClause(range, args);
    const byKind = this.db
      .prepare(
        `SELECT kind, COUNT(*) AS total,
           SUM(decision IN ${passDecisions}) AS pass,
           SUM(decision IN ${warnDecisions}) AS warn,
           SUM(decision IN ${blockDecisions}) AS block
         FROM events ${scope} GROUP BY kind ORDER BY total DESC, kind`,
      )
      .all(args) as EventKindCounts[];
    const byDecision = this.db
      .prepare(`SELECT COALESCE(decision, 'none') AS decision, COUNT(*) AS n FROM events ${scope} GROUP BY 1`)
      .all(args) as { decision: string; n: number }[];
    const totals = this.db
      .prepare(
        `SELECT COUNT(*) AS total,
           COALESCE(SUM(decision IN ${blockDecisions}
             AND (kind LIKE '%security%' OR kind LIKE '%policy%' OR kind = 'agent.command_gate'
               OR tool LIKE '%security%')), 0) AS security_blocks,
           COALESCE(SUM(decision IN ('block', 'forbidden', 'escalate')), 0) AS instability,
           COALESCE(SUM(duration_ms > @slow), 0) AS slow
         FROM events ${scope}`,
      )
      .get(args) as { total: number; security_blocks: number; instability: number; slow: number };
    return {
      ...totals,
      by_decision: Object.fromEntries(byDecision.map((row) => [row.decision, row.n])),
      by_kind: byKind.map((row) => ({
        ...row,
        pass: row.pass ?? 0,
        warn: row.warn ?? 0,
        block: row.block ?? 0,
      })),
    };
  }

  async toolCounts(range: EventScope, limit: number): Promise<EventToolCounts[]> {
    const args: Record<string, unknown> = { limit };
    const rows = this.db
      .prepare(
        `SELECT kind, tool, COUNT(*) AS total,
           COALESCE(SUM(decision IN ${passDecisions}), 0) AS pass,
           COALESCE(SUM(decision IN ${warnDecisions}), 0) AS warn,
           COALESCE(SUM(decision IN ${blockDecisions}), 0) AS block,
           MAX(ts) AS last_seen
         FROM events ${scopeClause(range, args)} GROUP BY kind, tool ORDER BY total DESC, kind, tool LIMIT @limit`,
      )
      .all(args) as EventToolCounts[];
    return rows;
  }

  async purgeBefore(before: string): Promise<number> {
    return this.db.transaction(() => {
      const purged = this.db.prepare('DELETE FROM events WHERE ts < ?').run(before).changes;
      // Signal counts were summed over events that are gone: they are recounted from what is kept.
      if (purged > 0) this.db.exec('DELETE FROM signal_state; DELETE FROM signal_aggregates;');
      return purged;
    })();
  }
}

/** The WHERE clause of a scope, its values put in `args`. */
function scopeClause(scope: EventScope, args: Record<string, unknown>): string {
  const where: string[] = [];
  if (scope.since !== undefined) {
    where.push('ts >= @since');
    args.since = scope.since;
  }
  if (scope.until !== undefined) {
    where.push('ts <= @until');
    args.until = scope.until;
  }
  if (scope.project !== undefined) {
    where.push('project = @project');
    args.project = scope.project;
  }
  if (scope.kinds !== undefined) {
    const names = scope.kinds.map((kind, i) => {
      args[`scope_kind${i}`] = kind;
      return `@scope_kind${i}`;
    });
    where.push(names.length === 0 ? '0' : `kind IN (${names.join(', ')})`);
  }
  return where.length ? `WHERE ${where.join(' AND ')}` : '';
}
