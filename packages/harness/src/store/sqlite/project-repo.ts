import type Database from 'better-sqlite3';
import type { ProjectRecord, ProjectRepository } from '../store.js';

type ProjectRow = Omit<ProjectRecord, 'is_default'> & { is_default: number };

export class SqliteProjectRepository implements ProjectRepository {
  constructor(private readonly db: Database.Database) {}

  async upsert(project: ProjectRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO projects (name, root, is_default, max_concurrent, default_agent, reviewer_agent, created_at)
         VALUES (@name, @root, @is_default, @max_concurrent, @default_agent, @reviewer_agent, @created_at)
         ON CONFLICT (name) DO UPDATE SET root = excluded.root, is_default = excluded.is_default,
           max_concurrent = excluded.max_concurrent, default_agent = excluded.default_agent,
           reviewer_agent = excluded.reviewer_agent`,
      )
      .run({ ...project, is_default: project.is_default ? 1 : 0 });
  }

  async list(): Promise<ProjectRecord[]> {
    const rows = this.db.prepare('SELECT * FROM projects ORDER BY created_at, name').all() as ProjectRow[];
    return rows.map((row) => ({ ...row, is_default: row.is_default === 1 }));
  }

  async delete(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM projects WHERE name = ?').run(name).changes > 0;
  }
}
