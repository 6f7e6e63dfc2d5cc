import type { Signal } from '@harness/protocol';
import { type AggregateRow, aggregateFromRow } from '../rows.js';
import type { SignalAggregate, SignalCheckpoint, SignalRepository } from '../store.js';
import type { PgDb } from './db.js';

/**
 * Advisory-lock class of signal saves (the two-key form; the second key is the project's hash):
 * two servers saving one project's detection at once take turns instead of interleaving their
 * deletes and inserts.
 */
const signalSaveLockClass = 0x48534947; // "HSIG"

/** Signal detection's checkpoint, running aggregates and latest signals, per project. */
export class PgSignalRepository implements SignalRepository {
  constructor(private readonly db: PgDb) {}

  async checkpoint(project: string): Promise<SignalCheckpoint | null> {
    return this.db.one<SignalCheckpoint>(
      'SELECT project, last_seq, settings, updated_at FROM signal_state WHERE project = $1',
      [project],
    );
  }

  async aggregates(project: string): Promise<SignalAggregate[]> {
    const rows = await this.db.rows<AggregateRow>(
      'SELECT * FROM signal_aggregates WHERE project = $1 ORDER BY type, key',
      [project],
    );
    return rows.map(aggregateFromRow);
  }

  async save(
    checkpoint: SignalCheckpoint,
    changed: readonly SignalAggregate[],
    signals: readonly Signal[],
    reset: boolean,
  ): Promise<void> {
    const project = checkpoint.project;
    await this.db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [signalSaveLockClass, project]);
      if (reset) await client.query('DELETE FROM signal_aggregates WHERE project = $1', [project]);
      for (const aggregate of changed) {
        await client.query(
          `INSERT INTO signal_aggregates (project, type, key, count, event_ids, files, task_ids, first_seen,
             last_seen, extra)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (project, type, key) DO UPDATE SET count = excluded.count,
             event_ids = excluded.event_ids, files = excluded.files, task_ids = excluded.task_ids,
             first_seen = excluded.first_seen, last_seen = excluded.last_seen, extra = excluded.extra`,
          [
            project,
            aggregate.type,
            aggregate.key,
            aggregate.count,
            JSON.stringify(aggregate.event_ids),
            JSON.stringify(aggregate.files),
            JSON.stringify(aggregate.task_ids),
            aggregate.first_seen,
            aggregate.last_seen,
            JSON.stringify(aggregate.extra),
          ],
        );
      }
      await client.query('DELETE FROM signals WHERE project = $1', [project]);
      for (const signal of signals) {
        await client.query(
          `INSERT INTO signals (id, project, type, strength, detected_at, body) VALUES ($1, $2, $3, $4, $5, $6)`,
          [signal.id, project, signal.type, signal.strength, signal.detected_at, JSON.stringify(signal)],
        );
      }
      await client.query(
        `INSERT INTO signal_state (project, last_seq, settings, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (project) DO UPDATE SET last_seq = excluded.last_seq, settings = excluded.settings,
           updated_at = excluded.updated_at`,
        [project, checkpoint.last_seq, checkpoint.settings, checkpoint.updated_at],
      );
    });
  }

  async list(filter: { project?: string }): Promise<Signal[]> {
    const rows =
      filter.project === undefined
        ? await this.db.rows<{ body: string }>('SELECT body FROM signals ORDER BY strength DESC, id')
        : await this.db.rows<{ body: string }>(
            'SELECT body FROM signals WHERE project = $1 ORDER BY strength DESC, id',
            [filter.project],
          );
    return rows.map((row) => JSON.parse(row.body) as Signal);
  }
}
