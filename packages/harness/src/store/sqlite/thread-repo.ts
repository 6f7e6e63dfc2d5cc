import type Database from 'better-sqlite3';
import type { Thread } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type { ThreadListFilter, ThreadPage, ThreadPatch, ThreadRepository } from '../store.js';
import { threadFromRow, turnFromRow, turnToRow, type ThreadRow, type TurnRow } from '../rows.js';

const patchableColumns = new Set(['status', 'title', 'native_session_id', 'agent', 'metadata']);
const selectThread = `SELECT t.*, (SELECT COUNT(*) FROM turns WHERE thread_id = t.id) AS turn_count FROM threads t`;

export class SqliteThreadRepository implements ThreadRepository {
  constructor(private readonly db: Database.Database) {}

  async create(thread: Thread): Promise<void> {
    this.insert(thread);
  }

  private insert(thread: Thread): void {
    this.db
      .prepare(
        `INSERT INTO threads (id, project_root, agent, title, status, native_session_id, parent_thread_id,
           metadata, created_at, updated_at)
         VALUES (@id, @project_root, @agent, @title, @status, @native_session_id, @parent_thread_id,
           @metadata, @created_at, @updated_at)`,
      )
      .run({ ...thread, metadata: JSON.stringify(thread.metadata) });
  }

  async get(id: string): Promise<Thread | null> {
    const row = this.db.prepare(`${selectThread} WHERE t.id = ?`).get(id) as ThreadRow | undefined;
    return row ? threadFromRow(row) : null;
  }

  async list(filter: ThreadListFilter): Promise<ThreadPage> {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: filter.limit + 1 };
    if (filter.status) {
      where.push('t.status = @status');
      args.status = filter.status;
    }
    if (filter.project_root) {
      where.push('t.project_root = @project_root');
      args.project_root = filter.project_root;
    }
    if (filter.cursor) {
      [args.cursor_created, args.cursor_id] = decodeCursor(filter.cursor, 'thread/list');
      where.push(
        '(t.created_at < @cursor_created OR (t.created_at = @cursor_created AND t.id < @cursor_id))',
      );
    }
    const sql = `${selectThread} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY t.created_at DESC, t.id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all(args) as ThreadRow[];
    const threads = rows.slice(0, filter.limit).map(threadFromRow);
    const last = threads.at(-1);
    return {
      threads,
      next_cursor: rows.length > filter.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  async update(id: string, patch: ThreadPatch, updatedAt: string): Promise<Thread | null> {
    const sets = ['updated_at = @updated_at'];
    const args: Record<string, unknown> = { id, updated_at: updatedAt };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || !patchableColumns.has(key)) continue;
      sets.push(`${key} = @${key}`);
      args[key] = key === 'metadata' ? JSON.stringify(value) : value;
    }
    const result = this.db.prepare(`UPDATE threads SET ${sets.join(', ')} WHERE id = @id`).run(args);
    return result.changes === 0 ? null : this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM threads WHERE id = ?').run(id).changes > 0;
  }

  async fork(
    sourceId: string,
    fork: Thread,
    fromTurnId: string | undefined,
    newTurnId: () => string,
  ): Promise<Thread> {
    const copy = this.db.transaction(() => {
      const turns = (
        this.db.prepare('SELECT * FROM turns WHERE thread_id = ? ORDER BY seq').all(sourceId) as TurnRow[]
      ).map(turnFromRow);
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
      this.insert(fork);
      const insertTurn = this.db.prepare(
        `INSERT INTO turns (id, thread_id, seq, status, input, agent, items, usage, error, started_at, completed_at)
         VALUES (@id, @thread_id, @seq, @status, @input, @agent, @items, @usage, @error, @started_at, @completed_at)`,
      );
      for (const turn of keep) insertTurn.run(turnToRow({ ...turn, id: newTurnId(), thread_id: fork.id }));
    });
    copy();
    const created = await this.get(fork.id);
    if (!created) throw new HarnessError(ErrorCodes.storage, `forked thread ${fork.id} vanished`);
    return created;
  }

  async counts(): Promise<Record<string, number>> {
    const rows = this.db.prepare('SELECT status, COUNT(*) AS n FROM threads GROUP BY status').all() as {
      status: string;
      n: number;
    }[];
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  }
}
