import { describe, expect, it } from 'vitest';
import type { ClaimedTask } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { at, claimRequest, minutesAfter, task } from './fixtures.js';

/**
 * Two stores on one database, as two servers sharing it: what one commits the other sees, and the
 * database — not either process — decides every race between them.
 */
describe.each(backends)('two stores on one database ($name)', (backend) => {
  const db = useStore(backend);

  it('never hands a task out twice nor lets two claimers together exceed a limit', async () => {
    const other = await db.another();
    const stores = [db.store, other];
    const projects = ['app', 'web'];
    for (let i = 0; i < 24; i++)
      await db.store.tasks.enqueue(task(`t${i}`, { project: projects[i % 2] }), 100);
    const limits = { globalLimit: 3, projectLimits: { app: 2 }, defaultProjectLimit: 2 };
    const claimedOnce = new Set<string>();
    let mostRunning = 0;
    for (let round = 0; claimedOnce.size < 24; round++) {
      expect(round, 'rounds needed to drain 24 tasks three at a time').toBeLessThan(24);
      // Each store asks for more than there is room for, all at once.
      const attempts = stores.flatMap((store, s) =>
        [0, 1, 2].map(() =>
          store.tasks.claimNext(claimRequest(`server-${s}`, { ...limits, now: minutesAfter(round) })),
        ),
      );
      const claimed = (await Promise.all(attempts)).filter((c): c is ClaimedTask => c !== null);
      const running = await other.tasks.inFlight();
      mostRunning = Math.max(mostRunning, running.length);
      expect(running.length).toBeLessThanOrEqual(3);
      for (const project of projects)
        expect(running.filter((t) => t.project === project).length).toBeLessThanOrEqual(2);
      for (const { task: each } of claimed) {
        expect(claimedOnce.has(each.id), `${each.id} claimed twice`).toBe(false);
        claimedOnce.add(each.id);
      }
      // Finish them from the other store than the one that claimed them: the lease is the database's.
      for (const [i, { task: each, lease }] of claimed.entries()) {
        const moved = await stores[(i + 1) % 2]!.tasks.transition(each.id, {
          from: 'preparing',
          to: 'done',
          lease,
        });
        expect(moved?.state).toBe('done');
      }
    }
    expect(mostRunning).toBe(3);
    expect((await db.store.tasks.list({ limit: 100, state: 'done' })).tasks).toHaveLength(24);
  });

  it("refuses, through either store, the writes of a lease the other store's claim took over", async () => {
    const other = await db.another();
    await db.store.tasks.enqueue(task('t1'), 10);
    const first = (await db.store.tasks.claimNext(claimRequest('a')))!.lease;
    await other.tasks.transition('t1', { from: 'preparing', to: 'queued' });
    const second = (await other.tasks.claimNext(claimRequest('b')))!.lease;
    expect(second).toEqual({ owner: 'b', generation: 2 });
    const checkpoint = {
      task_id: 't1',
      stage: 'implemented' as const,
      round: null,
      sha: 'x',
      data: {},
      recorded_at: at,
    };
    expect(await db.store.tasks.update('t1', { cost_usd: 5 }, { lease: first })).toBeNull();
    expect(await db.store.checkpoints.add(checkpoint, { lease: first })).toBe(false);
    expect(
      await db.store.tasks.transition('t1', { from: 'preparing', to: 'failed', lease: first }),
    ).toBeNull();
    expect(await db.store.tasks.update('t1', { cost_usd: 5 }, { lease: second })).toMatchObject({
      cost_usd: 5,
    });
    await db.store.tasks.renewLeases('a', minutesAfter(99));
    expect((await other.tasks.inFlight())[0]).toMatchObject({
      lease_owner: 'b',
      lease_expires_at: minutesAfter(10),
    });
  });

  it('records each webhook delivery and claims each trigger exactly once between them', async () => {
    const other = await db.another();
    const stores = [db.store, other];
    const ids = Array.from({ length: 20 }, (_, i) => `d${i}`);
    const inserts = await Promise.all(
      ids.flatMap((id) =>
        stores.map((store) => store.webhookDeliveries.insert({ id, event: 'issues', received_at: at })),
      ),
    );
    for (let i = 0; i < ids.length; i++)
      expect([inserts[2 * i], inserts[2 * i + 1]].filter(Boolean)).toHaveLength(1);

    const claims = await Promise.all(
      ids.flatMap((id) =>
        stores.map((store, s) =>
          store.webhookTriggers.claim({ key: `k-${id}`, delivery_id: `${id}-${s}`, claimed_at: at }),
        ),
      ),
    );
    for (let i = 0; i < ids.length; i++) {
      const pair = [claims[2 * i]!, claims[2 * i + 1]!];
      expect(pair.filter((c) => c.claimed)).toHaveLength(1);
      const winner = pair.findIndex((c) => c.claimed);
      expect(pair[1 - winner]).toEqual({
        claimed: false,
        holder: {
          key: `k-${ids[i]}`,
          delivery_id: `${ids[i]}-${winner}`,
          task_id: null,
          refused: false,
          claimed_at: at,
        },
      });
    }
  });

  it('stores every event appended from both once, with strictly increasing seqs', async () => {
    const other = await db.another();
    const stores = [db.store, other];
    const appends = Array.from({ length: 60 }, (_, i) =>
      stores[i % 2]!.events.append({ id: `e${i % 50}`, ts: at, kind: 'note', data: { from: i % 2 } }),
    );
    const results = await Promise.all(appends);
    // Ids e0..e9 were appended twice (once per store): one of each pair is the duplicate.
    expect(
      results
        .filter((r) => r.duplicate)
        .map((r) => r.event.id)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
    const stored = await other.events.query({ limit: 1000, order: 'asc' });
    expect(new Set(stored.map((e) => e.id)).size).toBe(50);
    expect(stored).toHaveLength(50);
    for (let i = 1; i < stored.length; i++) expect(stored[i]!.seq).toBeGreaterThan(stored[i - 1]!.seq);
    for (const result of results) expect(stored).toContainEqual(result.event);
  });

  it('lets a reader following by seq see every event written meanwhile from both stores, none skipped', async () => {
    const reader = await db.another();
    const writers = [db.store, await db.another()];
    const seen: string[] = [];
    let last = 0;
    const readMore = async () => {
      const page = await reader.events.query({ after_seq: last, limit: 1000, order: 'asc' });
      for (const event of page) seen.push(event.id);
      last = page.at(-1)?.seq ?? last;
    };
    const writing = Promise.all(
      writers.map(async (store, w) => {
        for (let batch = 0; batch < 10; batch++) {
          await Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              store.events.append({ id: `w${w}-${batch}-${i}`, ts: at, kind: 'note' }),
            ),
          );
        }
      }),
    );
    let done = false;
    void writing.then(() => (done = true));
    while (!done) await readMore();
    await writing;
    await readMore();
    expect(seen).toHaveLength(160);
    expect(new Set(seen).size).toBe(160);
  });

  it('bumps a skill version once when both stores see the same change', async () => {
    const other = await db.another();
    const seen = { path: '/srv/s/SKILL.md', name: 's', scope: 'project', content_hash: 'h1' };
    await db.store.skills.observe(seen, at);
    const both = await Promise.all(
      [db.store, other, db.store, other].map((store) =>
        store.skills.observe({ ...seen, content_hash: 'h2' }, at),
      ),
    );
    expect(both.map((r) => r.version)).toEqual([2, 2, 2, 2]);
  });

  it('tells a listener on one store when the other commits events, where the backend notifies', async (context) => {
    if (db.store.onEventsCommitted === undefined)
      context.skip(`the ${backend.name} store has no event notifications`);
    const other = await db.another();
    let heard!: () => void;
    const notified = new Promise<void>((resolve) => (heard = resolve));
    const stop = await db.store.onEventsCommitted!(() => heard());
    try {
      await other.events.append({ id: 'e1', ts: at, kind: 'note' });
      await notified;
      expect((await db.store.events.query({ limit: 5, order: 'asc' })).map((e) => e.id)).toEqual(['e1']);
    } finally {
      await stop();
    }
  });
});
