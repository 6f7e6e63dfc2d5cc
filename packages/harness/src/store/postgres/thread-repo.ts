import type { Thread } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import type { ThreadListFilter, ThreadPage, ThreadPatch, ThreadRepository } from '../store.js';
// Same row mapping and cursor encoding as SQLite: a cursor means the same thing on both backends.
import { decodeCursor, encodeCursor } from '../cursor.js';
import { threadFromRow, turnFromRow, turnToRow, type ThreadRow, type TurnRow } from '../rows.js';
import { SqlParams, type PgDb, type Queryable } from './db.js';
import { insertTurn, turnValues } from './turn-repo.js';

const patchableColumns = new Set(['status', 'title', 'native_session_id', 'agent', 'metadata']);
const selectThread = `SELECT t.*, (SELECT COUNT(*) FROM turns WHERE thread_id = t.id) AS turn_count FROM threads t`;

export class PgThreadRepository implements ThreadRepository {
  constructor(private readonly db: PgDb) {}

  async create(thread: Thread): Promise<void> {
    await insertThread(this.db, thread);
  }

  async get(id: string): Promise<Thread | null> {
    const row = await this.db.one<ThreadRow>(`${selectThread} WHERE t.id = $1`, [id]);
    return row ? threadFromRow(row) : null;
  }

  async list(filter: ThreadListFilter): Promise<ThreadPage> {
    const params = new SqlParams();
    const where: string[] = [];
    if (filter.status) where.push(`t.status = ${params.add(filter.status)}`);
    if (filter.project_root) where.push(`t.project_root = ${params.add(filter.project_root)}`);
    if (filter.cursor) {
      const [createdAt, id] = decodeCursor(filter.cursor, 'thread/list');
      const created = params.add(createdAt);
      where.push(`(t.created_at < ${created} OR (t.created_at = ${created} AND t.id < ${params.add(id)}))`);
    }
    const sql = `${selectThread} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY t.created_at DESC, t.id DESC LIMIT ${params.add(filter.limit + 1)}`;
    const rows = await this.db.rows<ThreadRow>(sql, params.values);
    const threads = rows.slice(0, filter.limit).map(threadFromRow);
    const last = threads.at(-1);
    return {
      threads,
      next_cursor: rows.length > filter.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  async update(id: string, patch: ThreadPatch, updatedAt: string): Promise<Thread | null> {
    const params = new SqlParams();
    const sets = [`updated_at = ${params.add(updatedAt)}`];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || !patchableColumns.has(key)) continue;
      sets.push(`${key} = ${params.add(key === 'metadata' ? JSON.stringify(value) : value)}`);
    }
    const result = await this.db.query(
      `UPDATE threads SET ${sets.join(', ')} WHERE id = ${params.add(id)}`,
      params.values,
    );
    return result.rowCount === 0 ? null : this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM threads WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }

  async fork(
    sourceId: string,
    fork: Thread,
    fromTurnId: string | undefined,
    newTurnId: () => string,
  ): Promise<Thread> {
    await this.db.transaction(async (client) => {
      const turns = (
        await client.query<TurnRow>('SELECT * FROM turns WHERE thread_id = $1 ORDER BY seq', [sourceId])
      ).rows.map(turnFromRow);
      let keep = turns;
      if (fromTurnId !== undefined) {
        const index = turns.findIndex((turn) => turn.id === fromTurnId);
        if (index < 0) {
          throw new HarnessError(
            ErrorCodes.notFound,
            `turn ${fromTurnId} is not a turn of thread ${sourceId}`,
          );
        }
        keep = turns.slice(0, index + 1);
      }
      await insertThread(client, fork);
      for (const turn of keep) {
        await client.query(
          insertTurn,
          turnValues(turnToRow({ ...turn, id: newTurnId(), thread_id: fork.id })),
        );
      }
    });
    const created = await this.get(fork.id);
    if (!created) throw new HarnessError(ErrorCodes.storage, `forked thread ${fork.id} vanished`);
    return created;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = await this.db.rows<{ status: string; n: number }>(
      'SELECT status, COUNT(*) AS n FROM threads GROUP BY status',
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }
}

async function insertThread(db: Queryable, thread: Thread): Promise<void> {
  await db.query(
    `INSERT INTO threads (id, project_root, agent, title, status, native_session_id, parent_thread_id,
       metadata, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      thread.id,
      thread.project_root,
      thread.agent,
      thread.title,
      thread.status,
      thread.native_session_id,
      thread.parent_thread_id,
      JSON.stringify(thread.metadata),
      thread.created_at,
      thread.updated_at,
    ],
  );
}
