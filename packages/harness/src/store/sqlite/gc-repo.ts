import type Database from 'better-sqlite3';
import { type Draft, type DraftStatus, type ReplayReport, draftStatuses } from '@harness/protocol';
import type {
  DraftDecision,
  DraftListFilter,
  DraftRepository,
  GcRepositories,
  GcRunPatch,
  GcRunRecord,
  GcRunRepository,
} from '../store.js';

/**
 * A draft is stored whole as JSON (`body`) with the columns it is looked up by beside it; every
 * write that changes the status changes both in one statement's transaction.
 */
class SqliteDraftRepository implements DraftRepository {
  constructor(private readonly db: Database.Database) {}

  async insert(draft: Draft): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO gc_drafts (id, project, status, signal_id, body, cost_usd, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        draft.id,
        draft.project,
        draft.status,
        draft.signal.id,
        JSON.stringify(draft),
        draft.cost_usd,
        draft.created_at,
        draft.expires_at,
      );
  }

  async get(id: string): Promise<Draft | null> {
    return this.read(id);
  }

  private read(id: string): Draft | null {
    const row = this.db.prepare('SELECT body FROM gc_drafts WHERE id = ?').get(id) as
      { body: string } | undefined;
    return row === undefined ? null : (JSON.parse(row.body) as Draft);
  }

  private write(draft: Draft): void {
    this.db
      .prepare('UPDATE gc_drafts SET status = ?, body = ? WHERE id = ?')
      .run(draft.status, JSON.stringify(draft), draft.id);
  }

  async list(filter: DraftListFilter): Promise<Draft[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.project !== undefined) {
      where.push('project = ?');
      args.push(filter.project);
    }
    if (filter.status !== undefined) {
      where.push('status = ?');
      args.push(filter.status);
    }
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const rows = this.db
      .prepare(`SELECT body FROM gc_drafts ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...args, filter.limit) as { body: string }[];
    return rows.map((row) => JSON.parse(row.body) as Draft);
  }

  async decide(id: string, from: DraftStatus, decision: DraftDecision): Promise<Draft | null> {
    return this.db.transaction(() => {
      const draft = this.read(id);
      if (draft?.status !== from) return null;
      const decided: Draft = { ...draft, ...decision };
      this.write(decided);
      return decided;
    })();
  }

  async setReplay(id: string, replay: ReplayReport): Promise<Draft | null> {
    return this.db.transaction(() => {
      const draft = this.read(id);
      if (draft === null) return null;
      const updated: Draft = { ...draft, replay };
      this.write(updated);
      return updated;
    })();
  }

  async expire(now: string, project?: string): Promise<Draft[]> {
    return this.db.transaction(() => {
      const rows = this.db
        .prepare(
          `SELECT id FROM gc_drafts WHERE status = 'pending' AND expires_at <= ?
           ${project === undefined ? '' : 'AND project = ?'}`,
        )
        .all(...(project === undefined ? [now] : [now, project])) as { id: string }[];
      const expired: Draft[] = [];
      for (const { id } of rows) {
        const draft = this.read(id);
        if (draft === null) continue;
        const updated: Draft = { ...draft, status: 'expired', decided_at: now, decided_by: 'gc' };
        this.write(updated);
        expired.push(updated);
      }
      return expired;
    })();
  }

  async pendingSignalIds(project: string): Promise<Set<string>> {
    const rows = this.db
      .prepare(`SELECT DISTINCT signal_id FROM gc_drafts WHERE project = ? AND status = 'pending'`)
      .all(project) as { signal_id: string }[];
    return new Set(rows.map((row) => row.signal_id));
  }

  async counts(project: string): Promise<Record<DraftStatus, number>> {
    const counts = Object.fromEntries(draftStatuses.map((s) => [s, 0])) as Record<DraftStatus, number>;
    const rows = this.db
      .prepare('SELECT status, COUNT(*) AS n FROM gc_drafts WHERE project = ? GROUP BY status')
      .all(project) as { status: DraftStatus; n: number }[];
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }
}

interface RunRow extends Omit<GcRunRecord, 'errors' | 'budget_exhausted'> {
  errors: string;
  budget_exhausted: number;
}

const fromRow = (row: RunRow): GcRunRecord => ({
  ...row,
  errors: JSON.parse(row.errors) as string[],
  budget_exhausted: row.budget_exhausted === 1,
});

class SqliteGcRunRepository implements GcRunRepository {
  constructor(private readonly db: Database.Database) {}

  async start(run: GcRunRecord): Promise<boolean> {
    // The partial unique index (one `running` row per project) is the atomic check-and-set.
    const result = this.db
      .prepare(
        `INSERT INTO gc_runs (id, project, status, trigger, owner, started_at, finished_at, signals, drafts,
           spent_usd, errors, budget_exhausted)
         VALUES (@id, @project, @status, @trigger, @owner, @started_at, @finished_at, @signals, @drafts,
           @spent_usd, @errors, @budget_exhausted)
         ON CONFLICT DO NOTHING`,
      )
      .run({ ...run, errors: JSON.stringify(run.errors), budget_exhausted: run.budget_exhausted ? 1 : 0 });
    return result.changes > 0;
  }

  async update(id: string, patch: GcRunPatch): Promise<void> {
    const sets: string[] = [];
    const args: Record<string, unknown> = { id };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      sets.push(`${key} = @${key}`);
      args[key] =
        key === 'errors' ? JSON.stringify(value) : typeof value === 'boolean' ? (value ? 1 : 0) : value;
    }
    if (sets.length === 0) return;
    this.db.prepare(`UPDATE gc_runs SET ${sets.join(', ')} WHERE id = @id`).run(args);
  }

  async get(id: string): Promise<GcRunRecord | null> {
    const row = this.db.prepare('SELECT * FROM gc_runs WHERE id = ?').get(id) as RunRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  async running(project: string): Promise<GcRunRecord | null> {
    const row = this.db
      .prepare(`SELECT * FROM gc_runs WHERE project = ? AND status = 'running'`)
      .get(project) as RunRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  async last(project: string): Promise<GcRunRecord | null> {
    const row = this.db
      .prepare(
        `SELECT * FROM gc_runs WHERE project = ? AND status <> 'running' ORDER BY started_at DESC LIMIT 1`,
      )
      .get(project) as RunRow | undefined;
    return row === undefined ? null : fromRow(row);
  }

  async listRunning(): Promise<GcRunRecord[]> {
    const rows = this.db.prepare(`SELECT * FROM gc_runs WHERE status = 'running'`).all() as RunRow[];
    return rows.map(fromRow);
  }

  async abandon(id: string, at: string): Promise<boolean> {
    const result = this.db
      .prepare(
        `UPDATE gc_runs SET status = 'abandoned', finished_at = ?,
           errors = json_insert(errors, '$[#]', 'the server running it stopped before it finished')
         WHERE id = ? AND status = 'running'`,
      )
      .run(at, id);
    return result.changes > 0;
  }

  async spentSince(since: string): Promise<number> {
    const row = this.db
      .prepare('SELECT COALESCE(SUM(spent_usd), 0) AS spent FROM gc_runs WHERE started_at >= ?')
      .get(since) as { spent: number };
    return row.spent;
  }
}

export function sqliteGcRepositories(db: Database.Database): GcRepositories {
  return { drafts: new SqliteDraftRepository(db), runs: new SqliteGcRunRepository(db) };
}
