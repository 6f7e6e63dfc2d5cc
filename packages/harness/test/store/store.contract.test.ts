import { describe, expect, it } from 'vitest';
import { backends, useStore } from './backends.js';
import { at, task, thread } from './fixtures.js';

describe.each(backends)('the store ($name)', (backend) => {
  const db = useStore(backend);

  it('names its backend, answers a ping, and reports the schema version it migrated to', async () => {
    expect(db.store.backend).toBe(backend.name);
    expect(await db.store.ping()).toBe(true);
    const version = await db.store.schemaVersion();
    expect(Number.isInteger(version) && version > 0).toBe(true);
  });

  it('keeps what it stored across closing and opening the database again, migrating nothing twice', async () => {
    const version = await db.store.schemaVersion();
    await db.store.threads.create(thread('t1'));
    await db.store.tasks.enqueue(task('k1'), 10);
    await db.store.events.append({ id: 'e1', ts: at, kind: 'note', data: { x: [1] } });
    await db.close(db.store);
    const again = await db.another();
    expect(await again.schemaVersion()).toBe(version);
    expect(await again.threads.get('t1')).toEqual(thread('t1'));
    expect(await again.tasks.get('k1')).toEqual(task('k1'));
    expect((await again.events.query({ limit: 5, order: 'asc' }))[0]).toMatchObject({
      id: 'e1',
      data: { x: [1] },
    });
  });

  it('answers a ping with false once closed', async () => {
    const other = await db.another();
    await db.close(other);
    expect(await other.ping()).toBe(false);
  });
});
