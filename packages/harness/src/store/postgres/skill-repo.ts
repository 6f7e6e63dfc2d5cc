import type { SkillRecord, SkillRepository, SkillUsage, SkillUse } from '../store.js';
import type { PgDb } from './db.js';

/**
 * Skill files Harness has seen (keyed by path, versioned by content hash) and the uses of skills
 * (keyed by name: a use is of the skill an agent was given, wherever it lived then). A task's
 * outcome is read from the tasks table when asked, so a score always follows the tasks' states.
 */
export class PgSkillRepository implements SkillRepository {
  constructor(private readonly db: PgDb) {}

  async observe(
    seen: Pick<SkillRecord, 'path' | 'name' | 'scope' | 'content_hash'>,
    at: string,
  ): Promise<SkillRecord> {
    // One statement, so servers observing the same file at once never both insert it or both bump
    // its version: the conflicting insert waits for the first and then sees its row. An unchanged
    // file keeps its version and updated_at.
    const changed =
      's.content_hash <> excluded.content_hash OR s.name <> excluded.name OR s.scope <> excluded.scope';
    const record = await this.db.one<SkillRecord>(
      `INSERT INTO skills AS s (path, name, scope, content_hash, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 1, $5, $5)
       ON CONFLICT (path) DO UPDATE SET name = excluded.name, scope = excluded.scope,
         content_hash = excluded.content_hash,
         version = s.version + CASE WHEN s.content_hash = excluded.content_hash THEN 0 ELSE 1 END,
         updated_at = CASE WHEN ${changed} THEN excluded.updated_at ELSE s.updated_at END
       RETURNING *`,
      [seen.path, seen.name, seen.scope, seen.content_hash, at],
    );
    return record as SkillRecord;
  }

  async get(path: string): Promise<SkillRecord | null> {
    return this.db.one<SkillRecord>('SELECT * FROM skills WHERE path = $1', [path]);
  }

  async remove(path: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM skills WHERE path = $1', [path]);
    return (result.rowCount ?? 0) > 0;
  }

  async recordUse(use: SkillUse): Promise<void> {
    await this.db.query('INSERT INTO skill_uses (skill, task_id, thread_id, at) VALUES ($1, $2, $3, $4)', [
      use.skill,
      use.task_id,
      use.thread_id,
      use.at,
    ]);
  }

  async usage(names: readonly string[]): Promise<Map<string, SkillUsage>> {
    const usage = new Map<string, SkillUsage>(names.map((name) => [name, { uses: 0, outcomes: [] }]));
    if (names.length === 0) return usage;
    const counts = await this.db.rows<{ skill: string; uses: number }>(
      'SELECT skill, COUNT(*) AS uses FROM skill_uses WHERE skill = ANY($1::text[]) GROUP BY skill',
      [names],
    );
    for (const row of counts) (usage.get(row.skill) as SkillUsage).uses = row.uses;
    // A finished task is a success when done, a failure when failed; cancelled and running ones say nothing.
    const outcomes = await this.db.rows<{ skill: string; state: string }>(
      `SELECT u.skill AS skill, t.state AS state
       FROM (SELECT DISTINCT skill, task_id FROM skill_uses
             WHERE task_id IS NOT NULL AND skill = ANY($1::text[])) u
       JOIN tasks t ON t.id = u.task_id
       WHERE t.state IN ('done', 'failed')
       ORDER BY COALESCE(t.finished_at, t.updated_at), t.id`,
      [names],
    );
    for (const row of outcomes) {
      (usage.get(row.skill) as SkillUsage).outcomes.push(row.state === 'done' ? 'succeeded' : 'failed');
    }
    return usage;
  }
}
