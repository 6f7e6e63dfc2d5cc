import { describe, expect, it } from 'vitest';
import { addUsage, roundUsd, zeroUsage } from './types.js';

const cost = (cost_usd: number) => ({ ...zeroUsage, cost_usd });

describe('USD amounts', () => {
  it('are rounded to the micro-dollar', () => {
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
    expect(roundUsd(0.0000014)).toBe(0.000001);
    expect(roundUsd(1.2345675)).toBe(1.234568);
    expect(roundUsd(0)).toBe(0);
  });

  it('add up without floating-point residue', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addUsage(cost(0.1), cost(0.2)).cost_usd).toBe(0.3);
    let total = zeroUsage;
    for (let i = 0; i < 10; i++) total = addUsage(total, cost(0.1));
    expect(total.cost_usd).toBe(1);
  });
});
