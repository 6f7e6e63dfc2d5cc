import type pg from 'pg';
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
import type { PgDb } from './db.js';

/**
 * A draft is stored whole as JSON (`body`) with the columns it is looked up by beside it. A change
 * reads the draft FOR UPDATE and writes it back in one transaction, so two servers deciding the
 * same draft at once take turns and the second sees the first's decision.
 */
class PgDraftRepository implements DraftRepository {
  constructor(private readonly db: PgDb) {}

  async insert(draft: Draft): Promise<void> {
    await this.db.query(
      `INSERT INTO gc_drafts (id, project, status, signal_id, body, cost_usd, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        draft.id,
        draft.project,
        draft.status,
        draft.signal.id,
        JSON.stringify(draft),
        draft.cost_usd,
        draft.created_at,
        draft.expires_at,
      ],
    );
  }

  async get(id: string): Promise<Draft | null> {
    const row = await this.db.one<{ body: string }>('SELECT body FROM gc_drafts WHERE id = $1', [id]);
    return row === null ? null : (JSON.parse(row.body) as Draft);
  }

  async list(filter: DraftListFilter): Promise<Draft[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (filter.project !== undefined) {
      values.push(filter.project);
      where.push(`project = $${values.length}`);
    }
    if (filter.status !== undefined) {
      values.push(filter.status);
      where.push(`status = $${values.length}`);
    }
    values.push(filter.limit);
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const rows = await this.db.rows<{ body: string }>(
      `SELECT body FROM gc_drafts ${clause} ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
      values,
    );
    return rows.map((row) => JSON.parse(row.body) as Draft);
  }

  async decide(id: string, from: DraftStatus, decision: DraftDecision): Promise<Draft | null> {
    return this.change(id, (draft) => (draft.status === from ? { ...draft, ...decision } : null));
  }

  async setReplay(id: string, replay: ReplayReport): Promise<Draft | null> {
    return this.change(id, (draft) => ({ ...draft, replay }));
  }

  async expire(now: string, project?: string): Promise<Draft[]> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ body: string }>(
        `SELECT body FROM gc_drafts WHERE status = 'pending' AND expires_at <= $1
         ${project === undefined ? '' : 'AND project = $2'} ORDER BY created_at, id FOR UPDATE`,
        project === undefined ? [now] : [now, project],
      );
      const expired: Draft[] = [];
      for (const row of rows) {
        const draft = JSON.parse(row.body) as Draft;
        const updated: Draft = { ...draft, status: 'expired', decided_at: now, decided_by: 'gc' };
        await write(client, updated);
        expired.push(updated);
      }
      return expired;
    });
  }

  async pendingSignalIds(project: string): Promise<Set<string>> {
    const rows = await this.db.rows<{ signal_id: string }>(
      `SELECT DISTINCT signal_id FROM gc_drafts WHERE project = $1 AND status = 'pending'`,
      [project],
    );
    return new Set(rows.map((row) => row.signal_id));
  }

  async counts(project: string): Promise<Record<DraftStatus, number>> {
    const counts = Object.fromEntries(draftStatuses.map((s) => [s, 0])) as Record<DraftStatus, number>;
    const rows = await this.db.rows<{ status: DraftStatus; n: number }>(
      'SELECT status, COUNT(*) AS n FROM gc_drafts WHERE project = $1 GROUP BY status',
      [project],
    );
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /** Reads the draft locked, and writes what `next` makes of it (null: leave it, and answer null). */
  private change(id: string, next: (draft: Draft) => Draft | null): Promise<Draft | null> {
    return this.db.transaction(async (client) => {
      const { rows } = await client.query<{ body: string }>(
        'SELECT body FROM gc_drafts WHERE id = $1 FOR UPDATE',
        [id],
      );
      const row = rows[0];
      if (row === undefined) return null;
      const updated = next(JSON.parse(row.body) as Draft);
      if (updated !== null) await write(client, updated);
      return updated;
    });
  }
}

async function write(client: pg.PoolClient, draft: Draft): Promise<void> {
  await client.query('UPDATE gc_drafts SET status = $1, body = $2 WHERE id = $3', [
    draft.status,
    JSON.stringify(draft),
    draft.id,
  ]);
}

interface RunRow extends Omit<GcRunRecord, 'errors'> {
  errors: string;
}

const fromRow = (row: RunRow): GcRunRecord => ({ ...row, errors: JSON.parse(row.errors) as string[] });

/** Columns a run patch may write (the rest — id, project, started_at, owner — are fixed at start). */
const runPatchColumns = new Set([
  'status',
  'trigger',
  'finished_at',
  'signals',
  'drafts',
  'spent_usd',
  'errors',
  'budget_exhausted',
]);

class PgGcRunRepository implements GcRunRepository {
  constructor(private readonly db: PgDb) {}

  async start(run: GcRunRecord): Promise<boolean> {
    // The partial unique index (one `running` row per project) is the atomic check-and-set.
    const result = await this.db.query(
      `INSERT INTO gc_runs (id, project, status, trigger, owner, started_at, finished_at, signals, drafts,
         spent_usd, errors, budget_exhausted)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT DO NOTHING`,
      [
        run.id,
        run.project,
        run.status,
        run.trigger,
        run.owner,
        run.started_at,
        run.finished_at,
        run.signals,
        run.drafts,
        run.spent_usd,
        JSON.stringify(run.errors),
        run.budget_exhausted,
      ],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async update(id: string, patch: GcRunPatch): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || !runPatchColumns.has(key)) continue;
      values.push(key === 'errors' ? JSON.stringify(value) : value);
      sets.push(`${key} = $${values.length}`);
    }
    if (sets.length === 0) return;
    await this.db.query(`UPDATE gc_runs SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  async get(id: string): Promise<GcRunRecord | null> {
    const row = await this.db.one<RunRow>('SELECT * FROM gc_runs WHERE id = $1', [id]);
    return row === null ? null : fromRow(row);
  }

  async running(project: string): Promise<GcRunRecord | null> {
    const row = await this.db.one<RunRow>(`SELECT * FROM gc_runs WHERE project = $1 AND status = 'running'`, [
      project,
    ]);
    return row === null ? null : fromRow(row);
  }

  async last(project: string): Promise<GcRunRecord | null> {
    const row = await this.db.one<RunRow>(
      `SELECT * FROM gc_runs WHERE project = $1 AND status <> 'running' ORDER BY started_at DESC LIMIT 1`,
      [project],
    );
    return row === null ? null : fromRow(row);
  }

  async listRunning(): Promise<GcRunRecord[]> {
    const rows = await this.db.rows<RunRow>(`SELECT * FROM gc_runs WHERE status = 'running'`);
    return rows.map(fromRow);
  }

  async abandon(id: string, at: string): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE gc_runs SET status = 'abandoned', finished_at = $1,
         errors = (errors::jsonb || to_jsonb($3::text))::text
       WHERE id = $2 AND status = 'running'`,
      [at, id, 'the server running it stopped before it finished'],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async spentSince(since: string): Promise<number> {
    const row = await this.db.one<{ spent: number }>(
      'SELECT COALESCE(SUM(spent_usd), 0) AS spent FROM gc_runs WHERE started_at >= $1',
      [since],
    );
    return row?.spent ?? 0;
  }
}

export function pgGcRepositories(db: PgDb): GcRepositories {
  return { drafts: new PgDraftRepository(db), runs: new PgGcRunRepository(db) };
}
