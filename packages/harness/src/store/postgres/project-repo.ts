import type { ProjectRecord, ProjectRepository } from '../store.js';
import type { PgDb } from './db.js';

export class PgProjectRepository implements ProjectRepository {
  constructor(private readonly db: PgDb) {}

  async upsert(project: ProjectRecord): Promise<void> {
    await this.db.query(
      `INSERT INTO projects (name, root, is_default, max_concurrent, default_agent, reviewer_agent, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (name) DO UPDATE SET root = excluded.root, is_default = excluded.is_default,
         max_concurrent = excluded.max_concurrent, default_agent = excluded.default_agent,
         reviewer_agent = excluded.reviewer_agent`,
      [
        project.name,
        project.root,
        project.is_default,
        project.max_concurrent,
        project.default_agent,
        project.reviewer_agent,
        project.created_at,
      ],
    );
  }

  async list(): Promise<ProjectRecord[]> {
    return this.db.rows<ProjectRecord>('SELECT * FROM projects ORDER BY created_at, name');
  }

  async delete(name: string): Promise<boolean> {
    return ((await this.db.query('DELETE FROM projects WHERE name = $1', [name])).rowCount ?? 0) > 0;
  }
}
