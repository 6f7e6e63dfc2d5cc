import { describe, expect, it } from 'vitest';
import type { ProcessGroupRecord } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { minutesAfter } from './fixtures.js';

const group = (
  pgid: number,
  startTime: string,
  minute: number,
  fields: Partial<ProcessGroupRecord> = {},
) => ({
  pgid,
  start_time: startTime,
  owner: 'host/123/abc',
  command: 'claude -p "fix it"',
  task_id: null,
  turn_id: null,
  started_at: minutesAfter(minute),
  ...fields,
});

describe.each(backends)('process groups ($name)', (backend) => {
  const db = useStore(backend);

  it('lists the groups written down, oldest first, each whole', async () => {
    const agent = group(4242, '99001', 2, { task_id: 't1', turn_id: 'u1' });
    await db.store.processGroups.add(agent);
    await db.store.processGroups.add(group(77, '12', 1));
    expect(await db.store.processGroups.list()).toEqual([group(77, '12', 1), agent]);
  });

  it('names a group by pgid and start time: a reused pgid is another group, the same one is kept once', async () => {
    await db.store.processGroups.add(group(100, '1', 1));
    await db.store.processGroups.add(group(100, '1', 1, { command: 'again' }));
    await db.store.processGroups.add(group(100, '2', 2));
    expect((await db.store.processGroups.list()).map((g) => [g.pgid, g.start_time, g.command])).toEqual([
      [100, '1', 'claude -p "fix it"'],
      [100, '2', 'claude -p "fix it"'],
    ]);
    await db.store.processGroups.remove(100, '1');
    await db.store.processGroups.remove(100, 'never');
    expect((await db.store.processGroups.list()).map((g) => g.start_time)).toEqual(['2']);
  });
});
