import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../index.js';

const dirs: string[] = [];
const tempDataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-triggers-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const key = 'issue_comment:4242:9001';
const at = '2026-01-01T00:00:00.000Z';

describe('webhook triggers (SQLite)', () => {
  it('lets one claim win; the loser sees who holds the key', async () => {
    const store = SqliteStore.open(tempDataDir());
    const claims = await Promise.all(
      ['d1', 'd2', 'd3'].map((delivery_id) =>
        store.webhookTriggers.claim({ key, delivery_id, claimed_at: at }),
      ),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    expect(claims[1]).toEqual({
      claimed: false,
      holder: { key, delivery_id: 'd1', task_id: null, refused: false, claimed_at: at },
    });
    await store.close();
  });

  it('releases only a claim that started no task, and only for its own delivery', async () => {
    const store = SqliteStore.open(tempDataDir());
    await store.webhookTriggers.claim({ key, delivery_id: 'd1', claimed_at: at });
    expect(await store.webhookTriggers.release(key, 'd2')).toBe(false);
    expect(await store.webhookTriggers.unsettled()).toHaveLength(1);
    await store.webhookTriggers.setTask(key, 'task_1');
    expect(await store.webhookTriggers.release(key, 'd1')).toBe(false);
    expect(await store.webhookTriggers.unsettled()).toEqual([]);
    expect((await store.webhookTriggers.claim({ key, delivery_id: 'd3', claimed_at: at })).claimed).toBe(
      false,
    );
    await store.close();
  });

  it('keeps a refusal: not released, not unsettled, and the holder says so', async () => {
    const store = SqliteStore.open(tempDataDir());
    await store.webhookTriggers.claim({ key, delivery_id: 'd1', claimed_at: at });
    await store.webhookTriggers.setRefused(key);
    expect(await store.webhookTriggers.release(key, 'd1')).toBe(false);
    expect(await store.webhookTriggers.unsettled()).toEqual([]);
    expect(await store.webhookTriggers.claim({ key, delivery_id: 'd2', claimed_at: at })).toMatchObject({
      claimed: false,
      holder: { refused: true, task_id: null },
    });
    await store.close();
  });

  it('keeps claims across a reopen, and purges old ones', async () => {
    const dir = tempDataDir();
    const store = SqliteStore.open(dir);
    await store.webhookTriggers.claim({ key, delivery_id: 'd1', claimed_at: at });
    await store.webhookTriggers.setTask(key, 'task_1');
    await store.close();
    const again = SqliteStore.open(dir);
    expect(await again.webhookTriggers.get(key)).toMatchObject({ task_id: 'task_1', delivery_id: 'd1' });
    expect(await again.webhookTriggers.purgeBefore('2025-12-31T00:00:00.000Z')).toBe(0);
    expect(await again.webhookTriggers.purgeBefore('2026-01-02T00:00:00.000Z')).toBe(1);
    expect(await again.webhookTriggers.get(key)).toBeNull();
    await again.close();
  });
});
