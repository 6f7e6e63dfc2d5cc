import { describe, expect, it } from 'vitest';
import { execModule, StarlarkError, toJs, type ExecOptions } from './index.js';

function run(src: string, options: ExecOptions = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of execModule(src, options).globals) out[k] = toJs(v);
  return out;
}

function error(src: string, options: ExecOptions = {}): StarlarkError {
  try {
    execModule(src, options);
  } catch (e) {
    if (e instanceof StarlarkError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('evaluation', () => {
  it('computes with ints of any size, floats and strings', () => {
    const g = run(
      'a = 1 << 100\nb = 7 // -2\nc = 7 % -2\nd = 1 / 4\ne = "%s-%d-%r" % ("x", 3, "y")\nf = "{}{x}".format(1, x = 2)\ng = 0.1 + 0.2\n',
    );
    expect(g).toEqual({
      a: 1n << 100n,
      b: -4,
      c: -1,
      d: 0.25,
      e: 'x-3-"y"',
      f: '12',
      g: 0.30000000000000004,
    });
  });

  it('keeps dicts and sets in insertion order', () => {
    const g = run(
      'd = {"b": 1, "a": 2}\nd["c"] = 3\nd.pop("b")\nd["b"] = 4\nk = list(d.keys())\ns = set([3, 1, 2, 1])\n',
    );
    expect(g['k']).toEqual(['a', 'c', 'b']);
    expect([...(g['s'] as Set<unknown>)]).toEqual([3, 1, 2]);
  });

  it('supports slicing, comprehensions, unpacking and conditional expressions', () => {
    const g = run(
      'x = "hello"[::-1]\ny = [i * j for i in range(3) for j in range(2) if j]\na, (b, c) = 1, [2, 3]\nz = "yes" if b > a else "no"\nl = [1, 2, 3]\nl.extend([4])\n',
    );
    expect(g).toMatchObject({ x: 'olleh', y: [0, 1, 2], a: 1, b: 2, c: 3, z: 'yes', l: [1, 2, 3, 4] });
  });

  it('counts string length in UTF-8 bytes, as starlark-go does, and converts back losslessly', () => {
    expect(run('n = len("héllo")\ns = "héllo".upper()\n')).toEqual({ n: 6, s: 'HÉLLO' });
  });

  it('freezes globals after the module runs', () => {
    const r = execModule('x = [1]\n');
    const list = r.globals.get('x')!;
    expect(() => execModule('x.append(2)\n', { predeclared: { x: list } })).toThrow(/frozen list/);
  });

  it('reports runtime errors with the position of the failing operation', () => {
    const e = error('x = 1\ny = [1, 2]\nz = y[5]\n', { filename: 'm.star' });
    expect(e.kind).toBe('runtime');
    expect([e.line, e.column]).toEqual([3, 6]);
    expect(e.message).toBe('m.star:3:6: list index 5 out of range [-2:1]');
  });

  it('refuses to mutate a list while iterating over it', () => {
    expect(error('x = [1, 2]\ny = [x.append(3) for e in x]\n').reason).toMatch(/during iteration/);
  });

  it('extends lists in place with += (relaxed dialect, where reassignment is allowed)', () => {
    const g = run('l = [1]\nm = l\nl += [2]\n', { dialect: 'relaxed' });
    expect(g['m']).toEqual([1, 2]);
  });

  it('handles cyclic values without crashing the host', () => {
    expect(run('x = [1]\nx.append(x)\ns = str(x)\n')['s']).toBe('[1, [...]]');
    expect(error('x = []\nx.append(x)\ny = (x == x)\n').reason).toMatch(/maximum recursion/);
  });

  it('names that are Object.prototype members are ordinary names', () => {
    expect(run('toString = 1\nconstructor = toString + 1\nf = "{valueOf}".format(valueOf = 3)\n')).toEqual({
      toString: 1,
      constructor: 2,
      f: '3',
    });
    expect(error('x = "abc".toString\n').reason).toMatch(/^string has no .toString field or method/);
  });

  it('fail() is a runtime error carrying its message', () => {
    const e = error('fail("policy error: %s" % "bad")\n');
    expect(e.kind).toBe('runtime');
    expect(e.reason).toBe('fail: policy error: bad');
  });
});

describe('dialects', () => {
  it('strict rejects top-level if/for and global reassignment; relaxed allows them', () => {
    const src = 'n = 0\nfor i in range(4):\n    if i % 2:\n        n += i\n';
    expect(error(src).kind).toBe('resolve');
    expect(error(src).reason).toBe('for loop not within a function');
    expect(run(src, { dialect: 'relaxed' })).toEqual({ n: 4, i: 3 });
    expect(error('x = 1\nx = 2\n').reason).toMatch(/cannot reassign global x/);
  });

  it('reports every resolve error, not only the first', () => {
    const e = error('break\ncontinue\n_ = undefined_name\n');
    expect(e.all.map((d) => [d.line, d.message])).toEqual([
      [1, 'break not in a loop'],
      [2, 'continue not in a loop'],
      [3, 'undefined: undefined_name'],
    ]);
  });

  it('rejects statically, before any statement runs', () => {
    const printed: string[] = [];
    expect(error('print("side effect")\ndef f(): pass\n', { print: (m) => printed.push(m) }).kind).toBe(
      'syntax',
    );
    expect(printed).toEqual([]);
  });
});
