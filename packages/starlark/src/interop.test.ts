import { describe, expect, it } from 'vitest';
import { builtin, execModule, fromJs, None, StarlarkError, toJs } from './index.js';

describe('host interop', () => {
  it('calls native builtins with positional and keyword arguments', () => {
    const calls: unknown[] = [];
    const rule = builtin('rule', ({ args, kwargs, position }) => {
      calls.push([
        args.map(toJs),
        Object.fromEntries([...kwargs].map(([k, v]) => [k, toJs(v)])),
        position.line,
      ]);
      return None;
    });
    execModule('x = 1\nrule("a", pattern = ["git", "status"], n = x)\n', { predeclared: { rule } });
    expect(calls).toEqual([[['a'], { pattern: ['git', 'status'], n: 1 }, 2]]);
  });

  it('turns errors thrown by natives into runtime errors at the call site', () => {
    const boom = builtin('boom', () => {
      throw new Error('bad decision');
    });
    try {
      execModule('a = 1\nb = [\n  boom(),\n]\n', { filename: 'p.rules', predeclared: { boom } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StarlarkError);
      const err = e as StarlarkError;
      expect([err.kind, err.line, err.column]).toEqual(['runtime', 3, 7]);
      expect(err.message).toBe('p.rules:3:7: boom: bad decision');
    }
  });

  it('round-trips plain data through fromJs and toJs', () => {
    const data = {
      name: 'grüß',
      n: 3,
      big: 1n << 70n,
      f: 1.5,
      list: [1, [2, null]],
      flag: true,
      m: new Map([['k', 'v']]),
    };
    const back = toJs(fromJs(data)) as Map<string, unknown>;
    expect(back.get('name')).toBe('grüß');
    expect(back.get('n')).toBe(3);
    expect(back.get('big')).toBe(1n << 70n);
    expect(back.get('f')).toBe(1.5);
    expect(back.get('list')).toEqual([1, [2, null]]);
    expect(back.get('flag')).toBe(true);
    expect(back.get('m')).toEqual(new Map([['k', 'v']]));
  });

  it('is deterministic: the same program gives the same globals and step count', () => {
    const src =
      'd = {str(i): i for i in range(50)}\ns = set([i % 7 for i in range(50)])\nk = sorted(d.keys())\n';
    const a = execModule(src);
    const b = execModule(src);
    expect(a.steps).toBe(b.steps);
    expect([...a.globals].map(([k, v]) => [k, toJs(v)])).toEqual(
      [...b.globals].map(([k, v]) => [k, toJs(v)]),
    );
  });
});
