import { describe, expect, it } from 'vitest';
import { backends, useStore } from './backends.js';
import { at, minutesAfter } from './fixtures.js';

const key = 'issue_comment:4242:9001';

describe.each(backends)('webhook deliveries and triggers ($name)', (backend) => {
  const db = useStore(backend);

  it('records a delivery once; a redelivery of the same id is refused', async () => {
    const deliveries = db.store.webhookDeliveries;
    expect(await deliveries.insert({ id: 'd1', event: 'issues', received_at: at })).toBe(true);
    expect(await deliveries.insert({ id: 'd1', event: 'push', received_at: minutesAfter(1) })).toBe(false);
    expect(await deliveries.get('d1')).toEqual({ id: 'd1', event: 'issues', received_at: at, outcome: null });
    await deliveries.setOutcome('d1', 'task t_1');
    expect(await deliveries.get('d1')).toMatchObject({ outcome: 'task t_1' });
    expect(await deliveries.get('d2')).toBeNull();
  });

  it('forgets a failed delivery so that it is handled again', async () => {
    const deliveries = db.store.webhookDeliveries;
    await deliveries.insert({ id: 'd1', event: 'issues', received_at: at });
    expect(await deliveries.delete('d1')).toBe(true);
    expect(await deliveries.delete('d1')).toBe(false);
    expect(await deliveries.insert({ id: 'd1', event: 'issues', received_at: at })).toBe(true);
  });

  it('forgets old deliveries never settled, and purges by age', async () => {
    const deliveries = db.store.webhookDeliveries;
    await deliveries.insert({ id: 'cut-off', event: 'issues', received_at: minutesAfter(1) });
    await deliveries.insert({ id: 'settled', event: 'issues', received_at: minutesAfter(1) });
    await deliveries.setOutcome('settled', 'ignored: not a mention');
    await deliveries.insert({ id: 'recent', event: 'issues', received_at: minutesAfter(5) });
    expect(await deliveries.deleteUnsettledBefore(minutesAfter(3))).toBe(1);
    expect(await deliveries.get('cut-off')).toBeNull();
    expect(await deliveries.get('recent')).not.toBeNull();
    expect(await deliveries.purgeBefore(minutesAfter(1))).toBe(0);
    expect(await deliveries.purgeBefore(minutesAfter(3))).toBe(1);
    expect(await deliveries.get('settled')).toBeNull();
    expect(await deliveries.get('recent')).not.toBeNull();
  });

  it('lets one trigger claim win; the losers see who holds the key', async () => {
    const claims = await Promise.all(
      ['d1', 'd2', 'd3'].map((delivery_id) =>
        db.store.webhookTriggers.claim({ key, delivery_id, claimed_at: at }),
      ),
    );
    expect(claims.filter((c) => c.claimed)).toHaveLength(1);
    const winner = ['d1', 'd2', 'd3'][claims.findIndex((c) => c.claimed)];
    const holder = { key, delivery_id: winner, task_id: null, refused: false, claimed_at: at };
    for (const claim of claims.filter((c) => !c.claimed)) expect(claim).toEqual({ claimed: false, holder });
    expect(await db.store.webhookTriggers.get(key)).toEqual(holder);
    expect(await db.store.webhookTriggers.get('other')).toBeNull();
  });

  it('releases only a claim that started no task, and only for its own delivery', async () => {
    const triggers = db.store.webhookTriggers;
    await triggers.claim({ key, delivery_id: 'd1', claimed_at: at });
    expect(await triggers.release(key, 'd2')).toBe(false);
    expect(await triggers.unsettled()).toEqual([
      { key, delivery_id: 'd1', task_id: null, refused: false, claimed_at: at },
    ]);
    await triggers.setTask(key, 'task_1');
    expect(await triggers.release(key, 'd1')).toBe(false);
    expect(await triggers.unsettled()).toEqual([]);
    expect(await triggers.claim({ key, delivery_id: 'd3', claimed_at: at })).toEqual({
      claimed: false,
      holder: { key, delivery_id: 'd1', task_id: 'task_1', refused: false, claimed_at: at },
    });
  });

  it('gives up a claim whose handling failed, so the next delivery claims it', async () => {
    const triggers = db.store.webhookTriggers;
    await triggers.claim({ key, delivery_id: 'd1', claimed_at: at });
    expect(await triggers.release(key, 'd1')).toBe(true);
    expect(await triggers.get(key)).toBeNull();
    expect(await triggers.claim({ key, delivery_id: 'd2', claimed_at: at })).toEqual({ claimed: true });
  });

  it('keeps a refusal: not released, not unsettled, and the holder says so', async () => {
    const triggers = db.store.webhookTriggers;
    await triggers.claim({ key, delivery_id: 'd1', claimed_at: at });
    await triggers.setRefused(key);
    expect(await triggers.release(key, 'd1')).toBe(false);
    expect(await triggers.unsettled()).toEqual([]);
    expect(await triggers.claim({ key, delivery_id: 'd2', claimed_at: at })).toMatchObject({
      claimed: false,
      holder: { refused: true, task_id: null },
    });
  });

  it('lists unsettled claims oldest first, and purges claims by age', async () => {
    const triggers = db.store.webhookTriggers;
    await triggers.claim({ key: 'k2', delivery_id: 'd2', claimed_at: minutesAfter(2) });
    await triggers.claim({ key: 'k1', delivery_id: 'd1', claimed_at: minutesAfter(1) });
    await triggers.claim({ key: 'k3', delivery_id: 'd3', claimed_at: minutesAfter(3) });
    await triggers.setTask('k3', 'task_3');
    expect((await triggers.unsettled()).map((t) => t.key)).toEqual(['k1', 'k2']);
    expect(await triggers.purgeBefore(minutesAfter(1))).toBe(0);
    expect(await triggers.purgeBefore(minutesAfter(3))).toBe(2);
    expect(await triggers.get('k3')).toMatchObject({ task_id: 'task_3' });
  });
});
