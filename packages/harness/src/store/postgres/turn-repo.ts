import type { Turn } from '@harness/protocol';
import type { RunningTurn, TurnEnding, TurnLease, TurnRepository } from '../store.js';
import { runningTurnFromRow, turnFromRow, turnToRow, type TurnRow } from '../rows.js';
import { SqlParams, type PgDb } from './db.js';

const patchableColumns = new Set([
  'status',
  'input',
  'agent',
  'items',
  'usage',
  'error',
  'started_at',
  'completed_at',
]);

/** Inserts one turn; its values come from `turnValues`. Forking a thread copies turns with it too. */
export const insertTurn = `INSERT INTO turns (id, thread_id, seq, status, input, agent, items, usage, error,
    started_at, completed_at, owner, lease_expires_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;

export function turnValues(row: TurnRow): unknown[] {
  return [
    row.id,
    row.thread_id,
    row.seq,
    row.status,
    row.input,
    row.agent,
    row.items,
    row.usage,
    row.error,
    row.started_at,
    row.completed_at,
    row.owner ?? null,
    row.lease_expires_at ?? null,
  ];
}

export class PgTurnRepository implements TurnRepository {
  constructor(private readonly db: PgDb) {}

  async create(turn: Turn, lease?: TurnLease): Promise<void> {
    await this.db.query(
      insertTurn,
      turnValues({
        ...turnToRow(turn),
        owner: lease?.owner ?? null,
        lease_expires_at: lease?.expires_at ?? null,
      }),
    );
  }

  async renewLeases(owner: string, expiresAt: string): Promise<void> {
    await this.db.query(
      `UPDATE turns SET lease_expires_at = $2 WHERE owner = $1
         AND status IN ('running', 'queued')
         AND (lease_expires_at IS NULL OR lease_expires_at < $2)`,
      [owner, expiresAt],
    );
  }

  async get(id: string): Promise<Turn | null> {
    const row = await this.db.one<TurnRow>('SELECT * FROM turns WHERE id = $1', [id]);
    return row ? turnFromRow(row) : null;
  }

  async listForThread(threadId: string): Promise<Turn[]> {
    const rows = await this.db.rows<TurnRow>('SELECT * FROM turns WHERE thread_id = $1 ORDER BY seq', [
      threadId,
    ]);
    return rows.map(turnFromRow);
  }

  async listRunning(): Promise<RunningTurn[]> {
    const rows = await this.db.rows<TurnRow>(
      `SELECT * FROM turns WHERE status IN ('running', 'queued') ORDER BY started_at`,
    );
    return rows.map(runningTurnFromRow);
  }

  async update(id: string, patch: Partial<Omit<Turn, 'id' | 'thread_id' | 'seq'>>): Promise<Turn | null> {
    return this.write(id, patch, '');
  }

  async end(id: string, patch: TurnEnding): Promise<Turn | null> {
    return this.write(id, patch, ` AND status IN ('running', 'queued')`);
  }

  /** Null for an unknown turn, or one `condition` (an SQL suffix) leaves alone. */
  private async write(id: string, patch: Partial<Turn>, condition: string): Promise<Turn | null> {
    const current = await this.get(id);
    if (!current) return null;
    const row = turnToRow({ ...current, ...patch }) as unknown as Record<string, unknown>;
    const keys = Object.keys(patch).filter((key) => patchableColumns.has(key));
    const params = new SqlParams();
    const sets =
      keys.length > 0 ? keys.map((key) => `${key} = ${params.add(row[key])}`).join(', ') : 'id = id';
    const { rowCount } = await this.db.query(
      `UPDATE turns SET ${sets} WHERE id = ${params.add(id)}${condition}`,
      params.values,
    );
    return rowCount === 0 ? null : this.get(id);
  }

  async nextSeq(threadId: string): Promise<number> {
    const row = await this.db.one<{ seq: number | null }>(
      'SELECT MAX(seq) AS seq FROM turns WHERE thread_id = $1',
      [threadId],
    );
    return (row?.seq ?? 0) + 1;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.rows<{ status: string; n: number }>(
      'SELECT status, COUNT(*) AS n FROM turns GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }
}
