import { describe, expect, it } from 'vitest';
import { execModule, toJs } from './index.js';

function value(expr: string): unknown {
  return toJs(execModule(`v = ${expr}\n`).globals.get('v')!);
}

describe('value formatting', () => {
  it('prints floats the way starlark-go does', () => {
    expect(value('str(1.0)')).toBe('1.0');
    expect(value('str(1e6)')).toBe('1e+06');
    expect(value('str(123456.0)')).toBe('123456.0');
    expect(value('str(1.5e-7)')).toBe('1.5e-07');
    expect(value('str(float("nan"))')).toBe('nan');
    expect(value('"%e|%f|%g" % (-0.0, 1.5, 1e20)')).toBe('-0.000000e+00|1.500000|1e+20');
  });

  it('prints containers, cycles and bytes', () => {
    expect(value('str([1, (2,), {"a": None}, set([3])])')).toBe('[1, (2,), {"a": None}, set([3])]');
    expect(value('repr(b"\\x00a")')).toBe('b"\\x00a"');
    expect(value('str(range(3))')).toBe('range(3)');
    expect(value('repr("tab\\there")')).toBe('"tab\\there"');
  });

  it('implements str.format and % with starlark-go errors', () => {
    expect(value('"{0}{1}{0}".format("a", "b")')).toBe('aba');
    expect(value('"%x %o %c" % (255, 8, 65)')).toBe('ff 10 A');
    expect(() => execModule('v = "{}{1}".format(1, 2)\n')).toThrow(
      /cannot switch from automatic field numbering/,
    );
    expect(() => execModule('v = "%d %d" % (1,)\n')).toThrow(/not enough arguments/);
  });

  it('orders NaN above every number and treats int and float keys alike', () => {
    expect(value('sorted([3, float("nan"), 1])')).toEqual([1, 3, NaN]);
    expect(value('{1: "int"}[1.0]')).toBe('int');
    expect(value('1 == 1.0')).toBe(true);
  });
});
