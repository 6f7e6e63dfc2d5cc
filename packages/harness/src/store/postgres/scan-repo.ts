import { type ScanRow, scanFromRow } from '../rows.js';
import type { ScanRecord, ScanRepository } from '../store.js';
import type { PgDb } from './db.js';

/** Every column but `seq`, which orders scans and is not part of one. */
const scanColumns =
  'id, project, root, trigger, task_id, files, started_at, duration_ms, finding_count, by_severity, by_rule';

/** Rule scans; ties on `started_at` go to the later arrival, as SQLite's rowid does (migrations-b.ts). */
export class PgScanRepository implements ScanRepository {
  constructor(private readonly db: PgDb) {}

  async insert(scan: ScanRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO scans (id, project, root, trigger, task_id, files, started_at, duration_ms, finding_count,
         by_severity, by_rule)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        scan.id,
        scan.project,
        scan.root,
        scan.trigger,
        scan.task_id,
        scan.files === null ? null : JSON.stringify(scan.files),
        scan.started_at,
        scan.duration_ms,
        scan.finding_count,
        JSON.stringify(scan.by_severity),
        JSON.stringify(scan.by_rule),
      ],
    );
  }

  async latestFull(project: string): Promise<ScanRecord | null> {
    const row = await this.db.one<ScanRow>(
      `SELECT ${scanColumns} FROM scans WHERE project = $1 AND files IS NULL
       ORDER BY started_at DESC, seq DESC LIMIT 1`,
      [project],
    );
    return row === null ? null : scanFromRow(row);
  }

  async list(filter: {
    project?: string;
    since?: string;
    until?: string;
    limit: number;
  }): Promise<ScanRecord[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const condition = (sql: string, value: unknown) => {
      values.push(value);
      where.push(`${sql} $${values.length}`);
    };
    if (filter.project !== undefined) condition('project =', filter.project);
    if (filter.since !== undefined) condition('started_at >=', filter.since);
    if (filter.until !== undefined) condition('started_at <=', filter.until);
    values.push(filter.limit);
    const rows = await this.db.rows<ScanRow>(
      `SELECT ${scanColumns} FROM scans ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY started_at DESC, seq DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map(scanFromRow);
  }
}
