import { describe, expect, it } from 'vitest';
import { backends, useStore } from './backends.js';
import { minutesAfter, storedTask } from './fixtures.js';

const seen = (hash: string, fields: { name?: string; scope?: string } = {}) => ({
  path: '/srv/app/.harness/skills/lint/SKILL.md',
  name: 'lint',
  scope: 'project',
  content_hash: hash,
  ...fields,
});

describe.each(backends)('skills ($name)', (backend) => {
  const db = useStore(backend);

  it('records a skill file at version 1, keeps it while its content is the same, and bumps it when it changes', async () => {
    const skills = db.store.skills;
    const first = await skills.observe(seen('h1'), minutesAfter(1));
    expect(first).toEqual({
      ...seen('h1'),
      version: 1,
      created_at: minutesAfter(1),
      updated_at: minutesAfter(1),
    });
    expect(await skills.observe(seen('h1'), minutesAfter(2))).toEqual(first);
    const changed = await skills.observe(seen('h2'), minutesAfter(3));
    expect(changed).toEqual({
      ...seen('h2'),
      version: 2,
      created_at: minutesAfter(1),
      updated_at: minutesAfter(3),
    });
    expect(await skills.get(seen('h2').path)).toEqual(changed);
    expect(await skills.get('/elsewhere')).toBeNull();
  });

  it('renames a skill without a new version when only its name or scope changed', async () => {
    await db.store.skills.observe(seen('h1'), minutesAfter(1));
    const renamed = await db.store.skills.observe(
      seen('h1', { name: 'lint-all', scope: 'user' }),
      minutesAfter(2),
    );
    expect(renamed).toMatchObject({
      name: 'lint-all',
      scope: 'user',
      version: 1,
      updated_at: minutesAfter(2),
    });
  });

  it('bumps a version once for two readers seeing the same change at once', async () => {
    await db.store.skills.observe(seen('h1'), minutesAfter(1));
    const [a, b] = await Promise.all([
      db.store.skills.observe(seen('h2'), minutesAfter(2)),
      db.store.skills.observe(seen('h2'), minutesAfter(2)),
    ]);
    expect([a.version, b.version]).toEqual([2, 2]);
  });

  it('forgets a file once, keeping the uses of its skill', async () => {
    await db.store.skills.observe(seen('h1'), minutesAfter(1));
    await db.store.skills.recordUse({ skill: 'lint', task_id: null, thread_id: 'th1', at: minutesAfter(1) });
    expect(await db.store.skills.remove(seen('h1').path)).toBe(true);
    expect(await db.store.skills.remove(seen('h1').path)).toBe(false);
    expect(await db.store.skills.get(seen('h1').path)).toBeNull();
    expect((await db.store.skills.usage(['lint'])).get('lint')?.uses).toBe(1);
  });

  it("counts each skill's uses, and the outcome of each finished task once, oldest finish first", async () => {
    await storedTask(db.store, 'ok', 'done', { finished_at: minutesAfter(5) });
    await storedTask(db.store, 'bad', 'failed', { finished_at: minutesAfter(3) });
    await storedTask(db.store, 'gone', 'cancelled', { finished_at: minutesAfter(1) });
    await storedTask(db.store, 'busy', 'implementing');
    const use = (skill: string, task_id: string | null) =>
      db.store.skills.recordUse({ skill, task_id, thread_id: null, at: minutesAfter(0) });
    for (const task of ['ok', 'ok', 'bad', 'gone', 'busy', null]) await use('lint', task);
    await use('test', 'ok');
    const usage = await db.store.skills.usage(['lint', 'test', 'unused']);
    expect(Object.fromEntries(usage)).toEqual({
      lint: { uses: 6, outcomes: ['failed', 'succeeded'] },
      test: { uses: 1, outcomes: ['succeeded'] },
      unused: { uses: 0, outcomes: [] },
    });
    expect(await db.store.skills.usage([])).toEqual(new Map());
  });
});
