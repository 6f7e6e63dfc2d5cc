import { describe, expect, it } from 'vitest';
import { defaultLimits, execModule, StarlarkError } from './index.js';

function limitError(src: string, limits = {}): StarlarkError {
  try {
    execModule(src, { dialect: 'relaxed', limits });
  } catch (e) {
    if (e instanceof StarlarkError) return e;
    throw e;
  }
  throw new Error('expected a limit error');
}

describe('resource limits', () => {
  it('stops runaway loops with a step budget error', () => {
    const e = limitError('n = 0\nfor a in range(100000):\n    for b in range(100000):\n        n += 1\n');
    expect(e.kind).toBe('limit');
    expect(e.reason).toMatch(/step budget/);
    expect(limitError('x = [i for i in range(1 << 40)]\n', { maxSteps: 1000 }).reason).toMatch(/step budget/);
  });

  it('stops memory growth by value size and allocation budgets', () => {
    expect(limitError('x = "x" * (1 << 40)\n').kind).toBe('limit');
    expect(limitError('s = "x"\nfor i in range(64):\n    s = s + s\n').kind).toBe('limit');
    expect(limitError('x = list(range(1 << 40))\n').kind).toBe('limit');
    expect(
      limitError('x = [0] * 1000\ny = [x * 1000 for _ in range(1000)]\n', { maxAllocations: 100_000 }).reason,
    ).toMatch(/allocation budget/);
  });

  it('bounds the size of ints', () => {
    expect(limitError('x = 1 << 100000\n').kind).toBe('limit');
    expect(limitError('x = 3\nfor i in range(100):\n    x = x * x\n').kind).toBe('limit');
  });

  it('charges linear-time builtins by operand size', () => {
    const src = 's = "a" * 1000000\nn = [s.find("b") for _ in range(10000)]\n';
    expect(limitError(src).reason).toMatch(/step budget/);
  });

  it('keeps range lazy', () => {
    const r = execModule('r = range(1 << 62)\nn = len(r)\nok = r[5] == 5\n');
    expect(r.globals.get('ok')).toBe(true);
    expect(r.steps).toBeLessThan(100);
  });

  it('limits nesting of values at run time without overflowing the host stack', () => {
    const e = limitError('x = []\nfor i in range(100000):\n    x = [x]\ns = str(x)\n');
    expect(['runtime', 'limit']).toContain(e.kind);
  });

  it('exposes defaults that callers can override per field', () => {
    expect(defaultLimits.maxSteps).toBeGreaterThan(0);
    expect(Object.isFrozen(defaultLimits)).toBe(true);
  });
});
