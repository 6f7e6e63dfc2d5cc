import type Database from 'better-sqlite3';
import { type ScanRow, scanFromRow } from '../rows.js';
import type { ScanRecord, ScanRepository } from '../store.js';

export class SqliteScanRepository implements ScanRepository {
  constructor(private readonly db: Database.Database) {}

  async insert(scan: ScanRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO scans (id, project, root, trigger, task_id, files, started_at, duration_ms, finding_count,
           by_severity, by_rule)
         VALUES (@id, @project, @root, @trigger, @task_id, @files, @started_at, @duration_ms, @finding_count,
           @by_severity, @by_rule)`,
      )
      .run({
        ...scan,
        files: scan.files === null ? null : JSON.stringify(scan.files),
        by_severity: JSON.stringify(scan.by_severity),
        by_rule: JSON.stringify(scan.by_rule),
      });
  }

  async latestFull(project: string): Promise<ScanRecord | null> {
    const row = this.db
      .prepare(
        `SELECT * FROM scans WHERE project = ? AND files IS NULL ORDER BY started_at DESC, rowid DESC LIMIT 1`,
      )
      .get(project) as ScanRow | undefined;
    return row === undefined ? null : scanFromRow(row);
  }

  async list(filter: {
    project?: string;
    since?: string;
    until?: string;
    limit: number;
  }): Promise<ScanRecord[]> {
    const where: string[] = [];
    if (filter.project !== undefined) where.push('project = @project');
    if (filter.since !== undefined) where.push('started_at >= @since');
    if (filter.until !== undefined) where.push('started_at <= @until');
    const sql = `SELECT * FROM scans ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY started_at DESC, rowid DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(filter) as ScanRow[]).map(scanFromRow);
  }
}
