import { fail, limitExceeded } from './errors.js';
import type { Budget } from './limits.js';
import {
  Builtin,
  Bytes,
  Dict,
  hashKey,
  None,
  RangeValue,
  StarList,
  StarSet,
  Tuple,
  type Value,
  typeName,
} from './values.js';

/** Ints beyond this many bits are refused: unbounded bigints are a memory-exhaustion vector. */
export const MAX_INT_BITS = 8192;
const SAFE = 2n ** 53n;

export function checkIntSize(v: bigint): bigint {
  if ((v < SAFE && v > -SAFE) || v.toString(16).length * 4 <= MAX_INT_BITS + 4) return v;
  return limitExceeded(`int too large (more than ${MAX_INT_BITS} bits)`);
}

export function equals(a: Value, b: Value, depth = 0): boolean {
  // Identity implies equality except for lists and dicts, which may be cyclic: comparing those
  // recurses (and a cycle hits the depth limit), as in starlark-go.
  if (a === b && !(a instanceof StarList || a instanceof Dict)) return true;
  const ta = typeof a;
  if (ta === 'bigint' || ta === 'number') {
    const tb = typeof b;
    if (tb !== 'bigint' && tb !== 'number') return false;
    return compareNumbers(a as bigint | number, b as bigint | number) === 0;
  }
  if (ta !== 'object' || typeof b !== 'object') return false;
  if (depth > 100) fail('comparison exceeded maximum recursion depth');
  if (a instanceof StarList && b instanceof StarList) return seqEquals(a.elems, b.elems, depth);
  if (a instanceof Tuple && b instanceof Tuple) return seqEquals(a.elems, b.elems, depth);
  if (a instanceof Bytes && b instanceof Bytes) return a.data === b.data;
  if (a instanceof Dict && b instanceof Dict) {
    if (a.map.size !== b.map.size) return false;
    for (const [k, [, v]] of a.map) {
      const other = b.map.get(k);
      if (other === undefined || !equals(v, other[1], depth + 1)) return false;
    }
    return true;
  }
  if (a instanceof StarSet && b instanceof StarSet) {
    if (a.map.size !== b.map.size) return false;
    for (const k of a.map.keys()) if (!b.map.has(k)) return false;
    return true;
  }
  if (a instanceof RangeValue && b instanceof RangeValue) {
    const n = a.length;
    if (n !== b.length) return false;
    if (n === 0n) return true;
    return a.start === b.start && (n === 1n || a.step === b.step);
  }
  if (a instanceof Builtin && b instanceof Builtin)
    return a.name === b.name && a.fn === b.fn && a.self === b.self;
  return false;
}

function seqEquals(a: readonly Value[], b: readonly Value[], depth: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equals(a[i]!, b[i]!, depth + 1)) return false;
  return true;
}

/** Exact comparison of int and float values (no rounding through float for big ints). */
export function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    // Floats are totally ordered: NaN equals itself and sorts above everything (starlark-go).
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint') return -compareNumbers(b, a);
  const f = a as number;
  const i = b as bigint;
  if (Number.isNaN(f)) return 1;
  if (!Number.isFinite(f)) return f > 0 ? 1 : -1;
  const fl = BigInt(Math.floor(f));
  if (fl !== i) return fl < i ? -1 : 1;
  return f > Math.floor(f) ? 1 : 0;
}

/** Ordering for <, <=, sorted(), min(), max(); throws for unordered type pairs. */
export function compare(a: Value, b: Value, depth = 0): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    return compareNumbers(a as bigint | number, b as bigint | number);
  }
  if (ta === 'string' && tb === 'string') return a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  if (ta === 'boolean' && tb === 'boolean') return Number(a) - Number(b);
  if (depth > 100) fail('comparison exceeded maximum recursion depth');
  if ((a instanceof StarList && b instanceof StarList) || (a instanceof Tuple && b instanceof Tuple)) {
    const x = a.elems;
    const y = b.elems;
    for (let i = 0; i < x.length && i < y.length; i++) {
      if (!equals(x[i]!, y[i]!, depth + 1)) return compare(x[i]!, y[i]!, depth + 1);
    }
    return x.length - y.length;
  }
  if (a instanceof Bytes && b instanceof Bytes) return a.data === b.data ? 0 : a.data < b.data ? -1 : 1;
  return fail(`${typeName(a)} < ${typeName(b)} not implemented`);
}

export function compareOp(op: string, a: Value, b: Value): boolean {
  if (op === '==') return equals(a, b);
  if (op === '!=') return !equals(a, b);
  if (a instanceof StarSet && b instanceof StarSet) return setCompare(op, a, b);
  const c = compare(a, b);
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** Sets are partially ordered by inclusion: `<` is proper subset, `<=` subset. */
function setCompare(op: string, a: StarSet, b: StarSet): boolean {
  const subset = (x: StarSet, y: StarSet): boolean => {
    for (const k of x.map.keys()) if (!y.map.has(k)) return false;
    return true;
  };
  switch (op) {
    case '<':
      return a.map.size < b.map.size && subset(a, b);
    case '<=':
      return subset(a, b);
    case '>':
      return a.map.size > b.map.size && subset(b, a);
    default:
      return subset(b, a);
  }
}

export function contains(container: Value, x: Value): boolean {
  if (typeof container === 'string') {
    if (typeof x !== 'string') fail(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    return container.includes(x);
  }
  if (container instanceof StarList || container instanceof Tuple) {
    for (const e of container.elems) if (equals(e, x)) return true;
    return false;
  }
  if (container instanceof Dict) {
    try {
      return container.map.has(hashKey(x));
    } catch {
      return false;
    }
  }
  if (container instanceof StarSet) return container.map.has(hashKey(x));
  if (container instanceof RangeValue) {
    if (typeof x === 'number' && Number.isInteger(x)) x = BigInt(x);
    if (typeof x === 'number') return false;
    if (typeof x !== 'bigint') fail(`'in <range>' requires integer as left operand, not ${typeName(x)}`);
    const { start, stop, step } = container;
    if (step > 0n ? x < start || x >= stop : x > start || x <= stop) return false;
    return (x - start) % step === 0n;
  }
  if (container instanceof Bytes) {
    if (x instanceof Bytes) return container.data.includes(x.data);
    if (typeof x === 'bigint') {
      if (x < 0n || x > 255n) fail(`int in bytes: ${x} out of range`);
      return container.data.includes(String.fromCharCode(Number(x)));
    }
    fail(`'in bytes' requires bytes or int as left operand, not ${typeName(x)}`);
  }
  return fail(`unknown binary op: ${typeName(x)} in ${typeName(container)}`);
}

export function repeat<T>(items: readonly T[], n: Value, budget: Budget): T[] {
  const count = repeatCount(n, items.length, budget);
  const out: T[] = [];
  for (let i = 0; i < count; i++) for (const e of items) out.push(e);
  return out;
}

export function repeatCount(n: Value, unit: number, budget: Budget): number {
  const c = n as bigint;
  if (c <= 0n || unit === 0) return 0;
  if (c >= 2n ** 31n) limitExceeded(`repeat count ${c} too large`);
  const total = c * BigInt(unit);
  if (total > BigInt(budget.limits.maxValueSize)) {
    limitExceeded(`excessive repeat (${unit} * ${c} elements)`);
  }
  budget.alloc(Number(total));
  return Number(c);
}

/** `s * n` for strings and bytes: the result is checked against the string length limit first. */
export function stringRepeatCount(n: Value, unit: number, budget: Budget): number {
  const c = n as bigint;
  if (c <= 0n || unit === 0) return 0;
  const total = c * BigInt(unit);
  budget.string(total > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(total));
  return Number(c);
}

export function noneOr<T>(v: Value, f: (v: Value) => T, d: T): T {
  return v === None ? d : f(v);
}
