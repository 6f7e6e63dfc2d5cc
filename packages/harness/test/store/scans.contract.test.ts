import { describe, expect, it } from 'vitest';
import type { ScanRecord } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { minutesAfter } from './fixtures.js';

const scan = (id: string, minute: number, fields: Partial<ScanRecord> = {}): ScanRecord => ({
  id,
  project: 'app',
  root: '/srv/app',
  trigger: 'cli',
  task_id: null,
  files: null,
  started_at: minutesAfter(minute),
  duration_ms: 12.5,
  finding_count: 3,
  by_severity: { critical: 0, high: 1, medium: 2, low: 0 },
  by_rule: { 'no-todo': 2, 'max-lines': 1 },
  ...fields,
});

describe.each(backends)('rule scans ($name)', (backend) => {
  const db = useStore(backend);

  it('stores a scan whole, its files and counts included', async () => {
    const partial = scan('s1', 1, { trigger: 'pipeline', task_id: 't1', files: ['src/a.ts', 'ü/b.ts'] });
    await db.store.scans.insert(partial);
    expect(await db.store.scans.list({ limit: 5 })).toEqual([partial]);
  });

  it('refuses a second scan with the same id', async () => {
    await db.store.scans.insert(scan('s1', 1));
    await expect(db.store.scans.insert(scan('s1', 2))).rejects.toThrow();
  });

  it("gives a project's latest scan of the whole project, never one of a few files", async () => {
    expect(await db.store.scans.latestFull('app')).toBeNull();
    await db.store.scans.insert(scan('full-old', 1));
    await db.store.scans.insert(scan('full', 2));
    await db.store.scans.insert(scan('partial', 3, { files: ['a.ts'] }));
    await db.store.scans.insert(scan('other', 4, { project: 'web' }));
    expect((await db.store.scans.latestFull('app'))?.id).toBe('full');
    expect((await db.store.scans.latestFull('web'))?.id).toBe('other');
    // Two full scans started in the same instant: the one stored last.
    await db.store.scans.insert(scan('same-a', 9));
    await db.store.scans.insert(scan('same-b', 9));
    expect((await db.store.scans.latestFull('app'))?.id).toBe('same-b');
  });

  it('lists newest first, by project and time range, at most `limit`', async () => {
    for (let i = 1; i <= 4; i++) await db.store.scans.insert(scan(`a${i}`, i));
    await db.store.scans.insert(scan('w1', 2, { project: 'web' }));
    const ids = async (filter: { project?: string; since?: string; until?: string; limit?: number }) =>
      (await db.store.scans.list({ limit: 10, ...filter })).map((s) => s.id);
    expect(await ids({ project: 'app' })).toEqual(['a4', 'a3', 'a2', 'a1']);
    expect(await ids({ project: 'app', limit: 2 })).toEqual(['a4', 'a3']);
    expect(await ids({ since: minutesAfter(2), until: minutesAfter(3) })).toEqual(['a3', 'w1', 'a2']);
    expect(await ids({ project: 'none' })).toEqual([]);
  });
});
