import type { ProcessGroupRecord, ProcessGroupRepository } from '../store.js';
import type { PgDb } from './db.js';

/** Process groups of running agents: every server's, each under its owner (`host/pid/instance`). */
export class PgProcessGroupRepository implements ProcessGroupRepository {
  constructor(private readonly db: PgDb) {}

  async add(record: ProcessGroupRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO process_groups (pgid, start_time, owner, command, task_id, turn_id, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (pgid, start_time) DO NOTHING`,
      [
        record.pgid,
        record.start_time,
        record.owner,
        record.command,
        record.task_id,
        record.turn_id,
        record.started_at,
      ],
    );
  }

  async remove(pgid: number, startTime: string): Promise<void> {
    await this.db.query('DELETE FROM process_groups WHERE pgid = $1 AND start_time = $2', [pgid, startTime]);
  }

  async list(): Promise<ProcessGroupRecord[]> {
    return this.db.rows<ProcessGroupRecord>('SELECT * FROM process_groups ORDER BY started_at');
  }
}
