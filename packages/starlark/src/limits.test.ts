import { describe, expect, it } from 'vitest';
import { defaultLimits, execModule, StarlarkError } from './index.js';

function limitError(src: string, limits = {}): StarlarkError {
  try {
    execModule(src, { dialect: 'relaxed', limits, filename: 'policy.star', print: () => {} });
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

  describe('string length limit', () => {
    const max = defaultLimits.maxStringLength;
    const named = new RegExp(`string too long \\(.*; the string length limit is ${max}\\)`);

    it.each([
      ['a huge repeat', 'x = "a" * 1000000000\n', '1:9'],
      ['a repeat at the edge of 2^31', 'x = "ab" * 2147483647\n', '1:10'],
      ['bytes repeated', 'x = b"ab" * 3000000\n', '1:11'],
      ['repeated concatenation', 's = "a"\nfor i in range(64):\n    s = s + s\n', '3:11'],
      ['augmented concatenation', 's = "a" * 100\nfor i in range(100):\n    s += s\n', '3:7'],
      ['string * int in a loop', 's = "ab"\nfor i in range(100):\n    s = s * 2\n', '3:11'],
      ['% interpolation', 'x = "%s%s" % ("a" * 3000000, "b" * 3000000)\n', '1:12'],
      ['%r of a list', 'x = "%r" % [("\\x01" * 1000000)]\n', '1:10'],
      ['.format', 'x = "{}{}".format("a" * 3000000, "b" * 3000000)\n', '1:18'],
      ['.join of a huge list', 'l = ["a" * 3000000] * 200\nx = "".join(l)\n', '2:12'],
      ['.replace', 'x = ("a" * 3000000).replace("a", "bb")\n', '1:28'],
      ['.replace with a count', 'x = ("a" * 3000000).replace("a", "bb", 2000000)\n', '1:28'],
      ['.replace of the empty string', 'x = ("ab" * 1000000).replace("", "cc")\n', '1:29'],
      ['str of a list sharing one string', 'l = ["a" * 3000000] * 200\nx = str(l)\n', '2:8'],
      ['repr of escapes', 'x = repr("\\x01" * 3000000)\n', '1:9'],
      ['print of many copies', 'l = ["a" * 3000000] * 2\nprint(*l)\n', '2:6'],
    ])('stops %s with a limit error at file:line:column', (_what, src, at) => {
      const e = limitError(src);
      expect(e).toBeInstanceOf(StarlarkError);
      expect(e.kind).toBe('limit');
      expect(e.message.startsWith(`policy.star:${at}: `)).toBe(true);
      expect(e.reason).toMatch(named);
      expect(e.message).not.toMatch(/Invalid string length/);
    });

    it('refuses a dict key whose hashed form would not fit, instead of a RangeError', () => {
      const e = limitError('t = ("a" * 3000000,) * 200\nd = {}\nx = d.get(t)\n');
      expect(e.message).toMatch(/^policy\.star:3:\d+: .*hash: key too large/);
    });

    it('keeps error messages short when they quote a huge value', () => {
      const e = limitError('t = ("a" * 3000000,)\nd = {}\nx = d[t]\n');
      expect(e.kind).toBe('runtime');
      expect(e.message.length).toBeLessThan(400);
    });

    it('allows strings up to the limit, and a lower limit per execution', () => {
      const ok = execModule(`x = "a" * ${max}\ny = len("%s" % x)\n`, { dialect: 'relaxed' });
      expect(ok.globals.get('y')).toBe(BigInt(max));
      const e = limitError('x = "a" * 11\n', { maxStringLength: 10 });
      expect(e.reason).toBe('string too long (11 > 10 characters; the string length limit is 10)');
      // A host that narrows the value size alone narrows strings with it.
      expect(limitError('x = "a" * 11\n', { maxValueSize: 10 }).reason).toMatch(/limit is 10\)/);
    });
  });
});
