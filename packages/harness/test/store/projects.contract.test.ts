import { describe, expect, it } from 'vitest';
import type { ProjectRecord } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { minutesAfter } from './fixtures.js';

const project = (name: string, minute: number, fields: Partial<ProjectRecord> = {}): ProjectRecord => ({
  name,
  root: `/srv/${name}`,
  is_default: false,
  max_concurrent: 2,
  default_agent: null,
  reviewer_agent: null,
  created_at: minutesAfter(minute),
  ...fields,
});

describe.each(backends)('projects ($name)', (backend) => {
  const db = useStore(backend);

  it('lists projects by creation, then name, each whole', async () => {
    const web = project('web', 1, { is_default: true, default_agent: 'codex', reviewer_agent: 'claude' });
    await db.store.projects.upsert(web);
    await db.store.projects.upsert(project('zeta', 0));
    await db.store.projects.upsert(project('api', 1));
    expect(await db.store.projects.list()).toEqual([project('zeta', 0), project('api', 1), web]);
  });

  it('updates a project registered again, keeping when it was first registered', async () => {
    await db.store.projects.upsert(project('app', 0));
    const changed = project('app', 9, {
      root: '/srv/moved',
      is_default: true,
      max_concurrent: 5,
      default_agent: 'claude',
      reviewer_agent: 'codex',
    });
    await db.store.projects.upsert(changed);
    expect(await db.store.projects.list()).toEqual([{ ...changed, created_at: minutesAfter(0) }]);
  });

  it('deletes a project once', async () => {
    await db.store.projects.upsert(project('app', 0));
    expect(await db.store.projects.delete('app')).toBe(true);
    expect(await db.store.projects.delete('app')).toBe(false);
    expect(await db.store.projects.list()).toEqual([]);
  });
});
