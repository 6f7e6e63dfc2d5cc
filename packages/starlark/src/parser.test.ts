import { describe, expect, it } from 'vitest';
import { parse, StarlarkError } from './index.js';

function syntaxError(src: string): StarlarkError {
  try {
    parse(src, { filename: 'p.star' });
  } catch (e) {
    if (e instanceof StarlarkError) return e;
    throw e;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(src)}`);
}

describe('parse', () => {
  it('reports def, lambda, load and while with line and column wherever they appear', () => {
    const cases: [string, string, number, number][] = [
      ['def f():\n    pass\n', 'def', 1, 1],
      ['x = 1\nif False:\n    def g(): pass\n', 'def', 3, 5],
      ['x = 1; def f(): pass\n', 'def', 1, 8],
      ['y = sorted([1], key = lambda x: x)\n', 'lambda', 1, 23],
      ['fs = [lambda: i for i in range(3)]\n', 'lambda', 1, 7],
      ['x = [load("a.star", "b")]\n', 'load', 1, 6],
      ['x = dict(load = 1)\n', 'load', 1, 10],
      ['for i in []:\n    while i:\n        break\n', 'while', 2, 5],
    ];
    for (const [src, word, line, column] of cases) {
      const e = syntaxError(src);
      expect(e.kind).toBe('syntax');
      expect(e.reason).toContain(word);
      expect([e.line, e.column]).toEqual([line, column]);
      expect(e.message).toContain(`p.star:${line}:${column}:`);
    }
  });

  it('accepts the forbidden words inside strings, comments and longer identifiers', () => {
    expect(() =>
      parse('a = "def f(): pass"  # lambda: load\ndefine = 1\nlambda_ = 2\nloader = 3\n'),
    ).not.toThrow();
  });

  it('rejects Python syntax that is not Starlark', () => {
    for (const src of [
      'x = 2 ** 10\n',
      'x = {1, 2}\n',
      'x = 1 < 2 < 3\n',
      'y = f"{x}"\n',
      'x: int = 1\n',
      'a, *b = [1, 2]\n',
      'x = None is None\n',
      'class A:\n    pass\n',
      'x = 0777\n',
    ]) {
      expect(syntaxError(src).kind).toBe('syntax');
    }
  });

  it('uses starlark-go wording for common mistakes', () => {
    expect(syntaxError('x = 1 +\n2\n').reason).toBe('got newline, want primary expression');
    expect(syntaxError('_ = a if b\n').reason).toBe('conditional expression without else clause');
    expect(syntaxError('a, b, = 1, 2\n').reason).toBe('unparenthesized tuple with trailing comma');
    expect(syntaxError('print(1, 2\n').reason).toBe("got end of file, want ')'");
    expect(syntaxError('_ = 0 == 1 == 2\n').reason).toContain('== does not associate with ==');
  });

  it('accepts backslash-newline continuation outside strings', () => {
    expect(() => parse('x = 1 + \\\n    2\n')).not.toThrow();
  });

  it('bounds nesting depth and source size instead of overflowing the stack', () => {
    expect(syntaxError('x = ' + '['.repeat(5000) + ']'.repeat(5000) + '\n').reason).toMatch(
      /nested too deeply/,
    );
    expect(syntaxError('x = ' + '-'.repeat(5000) + '1\n').reason).toMatch(/nested too deeply/);
    expect(() => parse('x = 1\n', { limits: { maxSourceBytes: 3 } })).toThrow(/source too large/);
  });
});
