import type Database from 'better-sqlite3';
import type { Turn } from '@harness/protocol';
import type { RunningTurn, TurnEnding, TurnLease, TurnRepository } from '../store.js';
import { runningTurnFromRow, turnFromRow, turnToRow, type TurnRow } from '../rows.js';

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

export class SqliteTurnRepository implements TurnRepository {
  constructor(private readonly db: Database.Database) {}

  async create(turn: Turn, lease?: TurnLease): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO turns (id, thread_id, seq, status, input, agent, items, usage, error, started_at, completed_at,
           owner, lease_expires_at)
         VALUES (@id, @thread_id, @seq, @status, @input, @agent, @items, @usage, @error, @started_at, @completed_at,
           @owner, @lease_expires_at)`,
      )
      .run({ ...turnToRow(turn), owner: lease?.owner ?? null, lease_expires_at: lease?.expires_at ?? null });
  }

  async renewLeases(owner: string, expiresAt: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE turns SET lease_expires_at = @expires_at WHERE owner = @owner
           AND status IN ('running', 'queued')
           AND (lease_expires_at IS NULL OR lease_expires_at < @expires_at)`,
      )
      .run({ owner, expires_at: expiresAt });
  }

  async get(id: string): Promise<Turn | null> {
    const row = this.db.prepare('SELECT * FROM turns WHERE id = ?').get(id) as TurnRow | undefined;
    return row ? turnFromRow(row) : null;
  }

  async listForThread(threadId: string): Promise<Turn[]> {
    const rows = this.db
      .prepare('SELECT * FROM turns WHERE thread_id = ? ORDER BY seq')
      .all(threadId) as TurnRow[];
    return rows.map(turnFromRow);
  }

  async listRunning(): Promise<RunningTurn[]> {
    const rows = this.db
      .prepare(`SELECT * FROM turns WHERE status IN ('running', 'queued') ORDER BY started_at`)
      .all() as TurnRow[];
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
    const row = turnToRow({ ...current, ...patch });
    const keys = Object.keys(patch).filter((key) => patchableColumns.has(key));
    const sets = keys.length > 0 ? keys.map((k) => `${k} = @${k}`).join(', ') : 'id = id';
    const { changes } = this.db.prepare(`UPDATE turns SET ${sets} WHERE id = @id${condition}`).run(row);
    return changes === 0 ? null : this.get(id);
  }

  async nextSeq(threadId: string): Promise<number> {
    const row = this.db.prepare('SELECT MAX(seq) AS seq FROM turns WHERE thread_id = ?').get(threadId) as {
      seq: number | null;
    };
    return (row.seq ?? 0) + 1;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM turns GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }
}
