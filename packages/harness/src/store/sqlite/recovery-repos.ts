import type Database from 'better-sqlite3';
import type {
  LeaseToken,
  ProcessGroupRecord,
  ProcessGroupRepository,
  TaskCheckpoint,
  TaskCheckpointRepository,
} from '../store.js';

export class SqliteProcessGroupRepository implements ProcessGroupRepository {
  constructor(private readonly db: Database.Database) {}

  async add(record: ProcessGroupRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO process_groups (pgid, start_time, owner, command, task_id, turn_id, started_at)
         VALUES (@pgid, @start_time, @owner, @command, @task_id, @turn_id, @started_at)
         ON CONFLICT (pgid, start_time) DO NOTHING`,
      )
      .run(record);
  }

  async remove(pgid: number, startTime: string): Promise<void> {
    this.db.prepare('DELETE FROM process_groups WHERE pgid = ? AND start_time = ?').run(pgid, startTime);
  }

  async list(): Promise<ProcessGroupRecord[]> {
    return this.db.prepare('SELECT * FROM process_groups ORDER BY started_at').all() as ProcessGroupRecord[];
  }
}

type CheckpointRow = Omit<TaskCheckpoint, 'data'> & { data: string };

export class SqliteTaskCheckpointRepository implements TaskCheckpointRepository {
  constructor(private readonly db: Database.Database) {}

  async add(checkpoint: TaskCheckpoint, guard: { lease?: LeaseToken } = {}): Promise<boolean> {
    const row = { ...checkpoint, data: JSON.stringify(checkpoint.data) };
    if (guard.lease === undefined) {
      this.db
        .prepare(
          `INSERT INTO task_checkpoints (task_id, stage, round, sha, data, recorded_at)
           VALUES (@task_id, @stage, @round, @sha, @data, @recorded_at)`,
        )
        .run(row);
      return true;
    }
    // One statement, so the lease cannot pass to another owner between the check and the insert.
    const inserted = this.db
      .prepare(
        `INSERT INTO task_checkpoints (task_id, stage, round, sha, data, recorded_at)
         SELECT @task_id, @stage, @round, @sha, @data, @recorded_at
         WHERE EXISTS (SELECT 1 FROM tasks WHERE id = @task_id AND lease_owner = @lease_owner
             AND lease_generation = @lease_generation)`,
      )
      .run({ ...row, lease_owner: guard.lease.owner, lease_generation: guard.lease.generation });
    return inserted.changes === 1;
  }

  async list(taskId: string): Promise<TaskCheckpoint[]> {
    const rows = this.db
      .prepare(
        'SELECT task_id, stage, round, sha, data, recorded_at FROM task_checkpoints WHERE task_id = ? ORDER BY seq',
      )
      .all(taskId) as CheckpointRow[];
    return rows.map((row) => ({ ...row, data: JSON.parse(row.data) as Record<string, unknown> }));
  }
}
