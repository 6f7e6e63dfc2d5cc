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
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { SqlParams, type PgDb, type Queryable } from './db.js';

const passDecisions = `('pass', 'complete', 'allow')`;
const warnDecisions = `('warn', 'prompt')`;
const blockDecisions = `('block', 'gate', 'forbidden')`;

/** The channel every committed append notifies (see `PgStore.onEventsCommitted`). */
export const eventsChannel = 'harness_events';

/**
 * Appends hold this transaction lock from before the insert to the commit. Seqs come from an
 * identity column, handed out when the row is inserted; without the lock a transaction that took
 * seq 8 could commit after one that took seq 9, and a reader that had already read up to 9 would
 * never see 8. Under it, seqs are committed in order.
 */
const eventsAppendLock = 0x48455654; // "HEVT"

/**
 * The whole append in one statement, so one round trip and the shortest hold of the lock: the
 * insert reads its row from the CTE that takes the lock (so the seq is drawn after it), the
 * notification is sent for the row inserted (delivered at commit, and not for a duplicate), and
 * the statement's own transaction commits before the lock is released.
 * An event of a task belongs to the task's project unless the writer names one.
 */
const appendEvent = `
  WITH locked AS (SELECT pg_advisory_xact_lock(${eventsAppendLock})),
  inserted AS (
    INSERT INTO events (id, ts, kind, thread_id, turn_id, task_id, session_id, tool, decision, reason,
      duration_ms, data, project)
    SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::text,
      $10::text, $11::double precision, $12::text,
      COALESCE($13::text, (SELECT project FROM tasks WHERE id = $6::text))
    FROM locked
    ON CONFLICT (id) DO NOTHING
    RETURNING *)
  SELECT inserted.*, pg_notify('${eventsChannel}', '') AS notified FROM inserted`;

/**
 * Appends `event` with `appendEvent` on `db` (the pool, or a transaction's client: the event is
 * then committed, and notified, with the rest of it). Null when an event of its id was stored already.
 */
export async function appendEventOn(db: Queryable, event: NewEvent): Promise<Event | null> {
  const { rows } = await db.query<EventRow & { notified?: unknown }>(appendEvent, [
    event.id,
    event.ts,
    event.kind,
    event.thread_id ?? null,
    event.turn_id ?? null,
    event.task_id ?? null,
    event.session_id ?? null,
    event.tool ?? null,
    event.decision ?? null,
    event.reason ?? null,
    event.duration_ms ?? null,
    event.data === undefined ? null : JSON.stringify(event.data),
    event.project ?? null,
  ]);
  const inserted = rows[0];
  if (inserted === undefined) return null;
  delete inserted.notified;
  return eventFromRow(inserted);
}

export class PgEventRepository implements EventRepository {
  constructor(private readonly db: PgDb) {}

  async append(event: NewEvent): Promise<{ event: Event; duplicate: boolean }> {
    const inserted = await appendEventOn(this.db, event);
    if (inserted) return { event: inserted, duplicate: false };
    const stored = await this.db.one<EventRow>('SELECT * FROM events WHERE id = $1', [event.id]);
    if (!stored) {
      // Stored once, then purged before it could be read back: as if it had never been.
      throw new HarnessError(
        ErrorCodes.storage,
        `event ${event.id} was stored and purged before being read back`,
      );
    }
    return { event: eventFromRow(stored), duplicate: true };
  }

  async query(filter: EventFilter): Promise<Event[]> {
    const params = new SqlParams();
    const where: string[] = [];
    for (const key of ['thread_id', 'turn_id', 'task_id', 'session_id', 'decision', 'project'] as const) {
      if (filter[key] === undefined) continue;
      where.push(`${key} = ${params.add(filter[key])}`);
    }
    if (filter.kinds && filter.kinds.length > 0)
      where.push(`kind = ANY(${params.add(filter.kinds)}::text[])`);
    if (filter.since !== undefined) where.push(`ts >= ${params.add(filter.since)}`);
    if (filter.until !== undefined) where.push(`ts <= ${params.add(filter.until)}`);
    if (filter.after_seq !== undefined) {
      where.push(`seq ${filter.order === 'asc' ? '>' : '<'} ${params.add(filter.after_seq)}`);
    }
    const sql = `SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY seq ${filter.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ${params.add(filter.limit)}`;
    return (await this.db.rows<EventRow>(sql, params.values)).map(eventFromRow);
  }

  async aggregate(range: EventScope, slowMs: number): Promise<EventAggregate> {
    const byKind = scoped(range);
    const byDecision = scoped(range);
    const totals = scoped(range);
    const slow = totals.params.add(slowMs);
    const [kinds, decisions, sums] = await Promise.all([
      this.db.rows<EventKindCounts>(
        `SELECT kind, COUNT(*) AS total,
           COUNT(*) FILTER (WHERE decision IN ${passDecisions}) AS pass,
           COUNT(*) FILTER (WHERE decision IN ${warnDecisions}) AS warn,
           COUNT(*) FILTER (WHERE decision IN ${blockDecisions}) AS block
         FROM events ${byKind.where} GROUP BY kind ORDER BY total DESC, kind`,
        byKind.params.values,
      ),
      this.db.rows<{ decision: string; n: number }>(
        `SELECT COALESCE(decision, 'none') AS decision, COUNT(*) AS n FROM events ${byDecision.where} GROUP BY 1`,
        byDecision.params.values,
      ),
      this.db.one<{ total: number; security_blocks: number; instability: number; slow: number }>(
        // ILIKE: SQLite's LIKE ignores ASCII case, and both backends must count alike.
        `SELECT COUNT(*) AS total,
           COUNT(*) FILTER (WHERE decision IN ${blockDecisions}
             AND (kind ILIKE '%security%' OR kind ILIKE '%policy%' OR kind = 'agent.command_gate'
               OR tool ILIKE '%security%')) AS security_blocks,
           COUNT(*) FILTER (WHERE decision IN ('block', 'forbidden', 'escalate')) AS instability,
           COUNT(*) FILTER (WHERE duration_ms > ${slow}) AS slow
         FROM events ${totals.where}`,
        totals.params.values,
      ),
    ]);
    return {
      total: sums?.total ?? 0,
      security_blocks: sums?.security_blocks ?? 0,
      instability: sums?.instability ?? 0,
      slow: sums?.slow ?? 0,
      by_decision: Object.fromEntries(decisions.map((row) => [row.decision, row.n])),
      by_kind: kinds,
    };
  }

  async toolCounts(range: EventScope, limit: number): Promise<EventToolCounts[]> {
    const { params, where } = scoped(range);
    // NULLS FIRST: where SQLite puts a missing tool, so both backends list groups alike.
    return this.db.rows<EventToolCounts>(
      `SELECT kind, tool, COUNT(*) AS total,
         COUNT(*) FILTER (WHERE decision IN ${passDecisions}) AS pass,
         COUNT(*) FILTER (WHERE decision IN ${warnDecisions}) AS warn,
         COUNT(*) FILTER (WHERE decision IN ${blockDecisions}) AS block,
         MAX(ts) AS last_seen
       FROM events ${where} GROUP BY kind, tool ORDER BY total DESC, kind, tool NULLS FIRST
       LIMIT ${params.add(limit)}`,
      params.values,
    );
  }

  async purgeBefore(before: string): Promise<number> {
    return this.db.transaction(async (client) => {
      const purged = (await client.query('DELETE FROM events WHERE ts < $1', [before])).rowCount ?? 0;
      // Signal counts were summed over events that are gone: they are recounted from what is kept.
      if (purged > 0) await client.query('DELETE FROM signal_state; DELETE FROM signal_aggregates;');
      return purged;
    });
  }
}

/** The WHERE clause of a scope and the parameters holding its values (more may be added after). */
function scoped(scope: EventScope): { params: SqlParams; where: string } {
  const params = new SqlParams();
  const where: string[] = [];
  if (scope.since !== undefined) where.push(`ts >= ${params.add(scope.since)}`);
  if (scope.until !== undefined) where.push(`ts <= ${params.add(scope.until)}`);
  if (scope.project !== undefined) where.push(`project = ${params.add(scope.project)}`);
  if (scope.kinds !== undefined) {
    where.push(scope.kinds.length === 0 ? 'false' : `kind = ANY(${params.add([...scope.kinds])}::text[])`);
  }
  return { params, where: where.length ? `WHERE ${where.join(' AND ')}` : '' };
}
