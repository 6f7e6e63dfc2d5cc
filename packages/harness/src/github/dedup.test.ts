import { describe, expect, it } from 'vitest';
import { MemoryDeliveryDeduplicator } from './index.js';

function clockAt(start: number) {
  const clock = { ms: start, now: () => new Date(clock.ms) };
  return clock;
}

describe('MemoryDeliveryDeduplicator', () => {
  it('says a delivery id is new once, then recognises redeliveries', async () => {
    const dedup = new MemoryDeliveryDeduplicator();
    expect(await dedup.remember('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe(true);
    expect(await dedup.remember('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe(false);
    expect(await dedup.remember('72d3162e-cc78-11e3-81ab-4c9367dc0959')).toBe(true);
  });

  it('stays within its bound, evicting the least recently seen id', async () => {
    const dedup = new MemoryDeliveryDeduplicator({ capacity: 3 });
    for (const id of ['a', 'b', 'c']) await dedup.remember(id);
    expect(await dedup.remember('a')).toBe(false); // touches a: b is now the oldest
    expect(await dedup.remember('d')).toBe(true);
    expect(dedup.size).toBe(3);
    expect(await dedup.remember('a')).toBe(false);
    expect(await dedup.remember('b')).toBe(true); // evicted, so new again
  });

  it('forgets ids whose processing failed, and ids past their time to live', async () => {
    const clock = clockAt(Date.UTC(2025, 0, 1));
    const dedup = new MemoryDeliveryDeduplicator({ ttl_ms: 60_000, clock });
    await dedup.remember('x');
    await dedup.forget('x');
    expect(await dedup.remember('x')).toBe(true);
    clock.ms += 30_000;
    expect(await dedup.remember('x')).toBe(false);
    clock.ms += 31_000;
    expect(await dedup.remember('x')).toBe(true);
  });
});
