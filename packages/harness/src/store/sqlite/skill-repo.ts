import type Database from 'better-sqlite3';
import type { SkillRecord, SkillRepository, SkillUsage, SkillUse } from '../store.js';

/**
 * Skill files Harness has seen (keyed by path, versioned by content hash) and the uses of skills
 * (keyed by name: a use is of the skill an agent was given, wherever it lived then). A task's
 * outcome is read from the tasks table when asked, so a score always follows the tasks' states.
 */
export class SqliteSkillRepository implements SkillRepository {
  constructor(private readonly db: Database.Database) {}

  async observe(
    seen: Pick<SkillRecord, 'path' | 'name' | 'scope' | 'content_hash'>,
    at: string,
  ): Promise<SkillRecord> {
    return this.db.transaction(() => {
      const known = this.read(seen.path);
      if (known === null) {
        this.db
          .prepare(
            `INSERT INTO skills (path, name, scope, content_hash, version, created_at, updated_at)
             VALUES (?, ?, ?, ?, 1, ?, ?)`,
          )
          .run(seen.path, seen.name, seen.scope, seen.content_hash, at, at);
      } else if (
        known.content_hash !== seen.content_hash ||
        known.name !== seen.name ||
        known.scope !== seen.scope
      ) {
        const bump = known.content_hash === seen.content_hash ? 0 : 1;
        this.db
          .prepare(
            `UPDATE skills SET name = ?, scope = ?, content_hash = ?, version = version + ?, updated_at = ?
             WHERE path = ?`,
          )
          .run(seen.name, seen.scope, seen.content_hash, bump, at, seen.path);
      }
      return this.read(seen.path) as SkillRecord;
    })();
  }

  async get(path: string): Promise<SkillRecord | null> {
    return this.read(path);
  }

  private read(path: string): SkillRecord | null {
    const row = this.db.prepare('SELECT * FROM skills WHERE path = ?').get(path) as SkillRecord | undefined;
    return row ?? null;
  }

  async remove(path: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM skills WHERE path = ?').run(path).changes > 0;
  }

  async recordUse(use: SkillUse): Promise<void> {
    this.db
      .prepare('INSERT INTO skill_uses (skill, task_id, thread_id, at) VALUES (?, ?, ?, ?)')
      .run(use.skill, use.task_id, use.thread_id, use.at);
  }

  async usage(names: readonly string[]): Promise<Map<string, SkillUsage>> {
    const usage = new Map<string, SkillUsage>(names.map((name) => [name, { uses: 0, outcomes: [] }]));
    if (names.length === 0) return usage;
    const list = `(${names.map(() => '?').join(', ')})`;
    const counts = this.db
      .prepare(`SELECT skill, COUNT(*) AS uses FROM skill_uses WHERE skill IN ${list} GROUP BY skill`)
      .all(...names) as { skill: string; uses: number }[];
    for (const row of counts) (usage.get(row.skill) as SkillUsage).uses = row.uses;
    // A finished task is a success when done, a failure when failed; cancelled and running ones say nothing.
    const outcomes = this.db
      .prepare(
        `SELECT u.skill AS skill, t.state AS state
         FROM (SELECT DISTINCT skill, task_id FROM skill_uses WHERE task_id IS NOT NULL AND skill IN ${list}) u
         JOIN tasks t ON t.id = u.task_id
         WHERE t.state IN ('done', 'failed')
         ORDER BY COALESCE(t.finished_at, t.updated_at), t.id`,
      )
      .all(...names) as { skill: string; state: string }[];
    for (const row of outcomes) {
      (usage.get(row.skill) as SkillUsage).outcomes.push(row.state === 'done' ? 'succeeded' : 'failed');
    }
    return usage;
  }
}
