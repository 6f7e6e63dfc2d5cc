import type Database from 'better-sqlite3';
import type { Signal } from '@harness/protocol';
import { type AggregateRow, aggregateFromRow } from '../rows.js';
import type { SignalAggregate, SignalCheckpoint, SignalRepository } from '../store.js';

/** Signal detection's checkpoint, running aggregates and latest signals, per project. */
export class SqliteSignalRepository implements SignalRepository {
  private readonly upsertAggregate: Database.Statement;
  private readonly upsertCheckpoint: Database.Statement;
  private readonly insertSignal: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.upsertAggregate = db.prepare(
      `INSERT INTO signal_aggregates (project, type, key, count, event_ids, files, task_ids, first_seen, last_seen, extra)
       VALUES (@project, @type, @key, @count, @event_ids, @files, @task_ids, @first_seen, @last_seen, @extra)
       ON CONFLICT (project, type, key) DO UPDATE SET count = excluded.count, event_ids = excluded.event_ids,
         files = excluded.files, task_ids = excluded.task_ids, first_seen = excluded.first_seen,
         last_seen = excluded.last_seen, extra = excluded.extra`,
    );
    this.upsertCheckpoint = db.prepare(
      `INSERT INTO signal_state (project, last_seq, settings, updated_at)
       VALUES (@project, @last_seq, @settings, @updated_at)
       ON CONFLICT (project) DO UPDATE SET last_seq = excluded.last_seq, settings = excluded.settings,
         updated_at = excluded.updated_at`,
    );
    this.insertSignal = db.prepare(
      `INSERT INTO signals (id, project, type, strength, detected_at, body)
       VALUES (@id, @project, @type, @strength, @detected_at, @body)`,
    );
  }

  async checkpoint(project: string): Promise<SignalCheckpoint | null> {
    const row = this.db.prepare('SELECT * FROM signal_state WHERE project = ?').get(project) as
      SignalCheckpoint | undefined;
    return row ?? null;
  }

  async aggregates(project: string): Promise<SignalAggregate[]> {
    const rows = this.db
      .prepare('SELECT * FROM signal_aggregates WHERE project = ? ORDER BY type, key')
      .all(project) as AggregateRow[];
    return rows.map(aggregateFromRow);
  }

  async save(
    checkpoint: SignalCheckpoint,
    changed: readonly SignalAggregate[],
    signals: readonly Signal[],
    reset: boolean,
  ): Promise<void> {
    const project = checkpoint.project;
    this.db.transaction(() => {
      if (reset) this.db.prepare('DELETE FROM signal_aggregates WHERE project = ?').run(project);
      for (const aggregate of changed) {
        this.upsertAggregate.run({
          project,
          type: aggregate.type,
          key: aggregate.key,
          count: aggregate.count,
          event_ids: JSON.stringify(aggregate.event_ids),
          files: JSON.stringify(aggregate.files),
          task_ids: JSON.stringify(aggregate.task_ids),
          first_seen: aggregate.first_seen,
          last_seen: aggregate.last_seen,
          extra: JSON.stringify(aggregate.extra),
        });
      }
      this.db.prepare('DELETE FROM signals WHERE project = ?').run(project);
      for (const signal of signals) {
        this.insertSignal.run({
          id: signal.id,
          project,
          type: signal.type,
          strength: signal.strength,
          detected_at: signal.detected_at,
          body: JSON.stringify(signal),
        });
      }
      this.upsertCheckpoint.run(checkpoint);
    })();
  }

  async list(filter: { project?: string }): Promise<Signal[]> {
    const where = filter.project === undefined ? '' : 'WHERE project = @project';
    const rows = this.db
      .prepare(`SELECT body FROM signals ${where} ORDER BY strength DESC, id`)
      .all(filter) as { body: string }[];
    return rows.map((row) => JSON.parse(row.body) as Signal);
  }
}
