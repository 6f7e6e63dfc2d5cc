import type { LeaseToken, TaskCheckpoint, TaskCheckpointRepository } from '../store.js';
import type { PgDb } from './db.js';

type CheckpointRow = Omit<TaskCheckpoint, 'data'> & { data: string };

/** The finished stages of each task, in the order they were recorded (an identity seq). */
export class PgTaskCheckpointRepository implements TaskCheckpointRepository {
  constructor(private readonly db: PgDb) {}

  async add(checkpoint: TaskCheckpoint, guard: { lease?: LeaseToken } = {}): Promise<boolean> {
    const values = [
      checkpoint.task_id,
      checkpoint.stage,
      checkpoint.round,
      checkpoint.sha,
      JSON.stringify(checkpoint.data),
      checkpoint.recorded_at,
    ];
    if (guard.lease === undefined) {
      await this.db.query(
        `INSERT INTO task_checkpoints (task_id, stage, round, sha, data, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        values,
      );
      return true;
    }
    // One statement, so the lease cannot pass to another owner between the check and the insert:
    // the row lock FOR SHARE holds off a concurrent claim until this insert commits.
    const inserted = await this.db.query(
      `INSERT INTO task_checkpoints (task_id, stage, round, sha, data, recorded_at)
       SELECT $1, $2, $3::bigint, $4, $5, $6
       WHERE EXISTS (SELECT 1 FROM tasks WHERE id = $1 AND lease_owner = $7 AND lease_generation = $8
         FOR SHARE)`,
      [...values, guard.lease.owner, guard.lease.generation],
    );
    return inserted.rowCount === 1;
  }

  async list(taskId: string): Promise<TaskCheckpoint[]> {
    const rows = await this.db.rows<CheckpointRow>(
      `SELECT task_id, stage, round, sha, data, recorded_at FROM task_checkpoints WHERE task_id = $1
       ORDER BY seq`,
      [taskId],
    );
    return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
  }
}
