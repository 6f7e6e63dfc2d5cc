import { fail, limitExceeded } from './errors.js';
import { interpolate } from './format.js';
import type { Budget } from './limits.js';
import { checkIntSize, compareOp, contains, MAX_INT_BITS, repeat, stringRepeatCount } from './ops.js';
import { Bytes, Dict, StarList, StarSet, Tuple, type Value, typeName } from './values.js';

export function toFloat(v: bigint): number {
  const f = Number(v);
  if (!Number.isFinite(f)) fail('int too large to convert to float');
  return f;
}

const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const FLOAT_OPS: ReadonlySet<string> = new Set(['+', '-', '*', '/', '//', '%']);

function unknown(op: string, x: Value, y: Value): never {
  return fail(`unknown binary op: ${typeName(x)} ${op} ${typeName(y)}`);
}

/** Every binary operator except `and`/`or`, which the evaluator short-circuits. */
export function binary(op: string, x: Value, y: Value, budget: Budget): Value {
  const tx = typeof x;
  const ty = typeof y;
  if (tx === 'bigint' && ty === 'bigint') return intOp(op, x as bigint, y as bigint, budget);
  if ((tx === 'number' || tx === 'bigint') && (ty === 'number' || ty === 'bigint')) {
    if (COMPARISONS.has(op)) return compareOp(op, x, y);
    if (!FLOAT_OPS.has(op)) return unknown(op, x, y);
    const a = tx === 'number' ? (x as number) : toFloat(x as bigint);
    const b = ty === 'number' ? (y as number) : toFloat(y as bigint);
    return floatOp(op, a, b, x, y);
  }
  switch (op) {
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compareOp(op, x, y);
    case 'in':
      return contains(y, x);
    case 'not in':
      return !contains(y, x);
    case '+':
      return add(x, y, budget);
    case '*':
      return mul(x, y, budget);
    case '%':
      if (typeof x === 'string') return interpolate(x, y, budget);
      if (x instanceof Bytes) return unknown(op, x, y);
      return unknown(op, x, y);
    case '|':
    case '&':
    case '^':
    case '-':
      return setOp(op, x, y, budget);
  }
  return unknown(op, x, y);
}

function intOp(op: string, a: bigint, b: bigint, budget: Budget): Value {
  switch (op) {
    case '+':
      return checkIntSize(a + b);
    case '-':
      return checkIntSize(a - b);
    case '*': {
      if ((a > 4294967296n || a < -4294967296n) && (b > 4294967296n || b < -4294967296n)) {
        if (bits(a) + bits(b) > MAX_INT_BITS + 1)
          limitExceeded(`int too large (more than ${MAX_INT_BITS} bits)`);
      }
      return checkIntSize(a * b);
    }
    case '/':
      if (b === 0n) fail('floating-point division by zero');
      return trueDivide(a, b);
    case '//': {
      if (b === 0n) fail('floored division by zero');
      const q = a / b;
      return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
    }
    case '%': {
      if (b === 0n) fail('integer modulo by zero');
      const r = a % b;
      return r !== 0n && r < 0n !== b < 0n ? r + b : r;
    }
    case '&':
      return a & b;
    case '|':
      return a | b;
    case '^':
      return a ^ b;
    case '<<':
      if (b < 0n) fail('negative shift count');
      if (b >= 512n || (a !== 0n && bits(a) + Number(b) > MAX_INT_BITS)) {
        if (b >= 512n && a !== 0n && b < BigInt(MAX_INT_BITS)) fail(`shift count too large: ${b}`);
        limitExceeded(`shift count too large: ${b} (ints are limited to ${MAX_INT_BITS} bits)`);
      }
      return a << b;
    case '>>':
      if (b < 0n) fail('negative shift count');
      return b > 100000n ? (a < 0n ? -1n : 0n) : a >> b;
  }
  void budget;
  if (COMPARISONS.has(op)) return compareOp(op, a, b);
  return unknown(op, a, b);
}

function bits(a: bigint): number {
  return (a < 0n ? -a : a).toString(2).length;
}

function trueDivide(a: bigint, b: bigint): number {
  const fa = Number(a);
  const fb = Number(b);
  if (Number.isFinite(fa) && Number.isFinite(fb) && Math.abs(fa) < 2 ** 53 && Math.abs(fb) < 2 ** 53)
    return fa / fb;
  // Scale so both operands fit a double without overflow, keeping the quotient's precision.
  const shift = BigInt(Math.max(0, bits(a) - bits(b) - 60));
  const q = (a << 64n) / (b << shift);
  const r = Number(q) * 2 ** (Number(shift) - 64);
  if (!Number.isFinite(r)) fail('floating-point number too large');
  return r;
}

function floatOp(op: string, a: number, b: number, x: Value, y: Value): Value {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) fail('floating-point division by zero');
      return a / b;
    case '//':
      if (b === 0) fail('floating-point floored division by zero');
      return Math.floor(a / b);
    case '%': {
      if (b === 0) fail('floating-point modulo by zero');
      const r = a % b;
      return r !== 0 && r < 0 !== b < 0 ? r + b : r;
    }
  }
  return unknown(op, x, y);
}

function add(x: Value, y: Value, budget: Budget): Value {
  if (typeof x === 'string' && typeof y === 'string') {
    budget.string(x.length + y.length);
    return x + y;
  }
  if (x instanceof StarList && y instanceof StarList) {
    budget.alloc(x.elems.length + y.elems.length);
    return new StarList(x.elems.concat(y.elems));
  }
  if (x instanceof Tuple && y instanceof Tuple) {
    budget.alloc(x.elems.length + y.elems.length);
    return new Tuple(x.elems.concat(y.elems));
  }
  if (x instanceof Bytes && y instanceof Bytes) {
    budget.string(x.data.length + y.data.length);
    return new Bytes(x.data + y.data);
  }
  return unknown('+', x, y);
}

function mul(x: Value, y: Value, budget: Budget): Value {
  if (typeof x === 'bigint') [x, y] = [y, x];
  if (typeof y !== 'bigint') return unknown('*', x, y);
  if (typeof x === 'string') {
    return x.repeat(stringRepeatCount(y, x.length, budget));
  }
  if (x instanceof StarList) return new StarList(repeat(x.elems, y, budget));
  if (x instanceof Tuple) return new Tuple(repeat(x.elems, y, budget));
  if (x instanceof Bytes) return new Bytes(x.data.repeat(stringRepeatCount(y, x.data.length, budget)));
  return unknown('*', x, y);
}

function setOp(op: string, x: Value, y: Value, budget: Budget): Value {
  if (op === '|' && x instanceof Dict && y instanceof Dict) {
    const d = new Dict();
    for (const [k, e] of x.map) d.map.set(k, e);
    for (const [k, e] of y.map) d.map.set(k, e);
    budget.allocEntries(d.map.size);
    return d;
  }
  if (!(x instanceof StarSet && y instanceof StarSet)) return unknown(op, x, y);
  const s = new StarSet();
  if (op === '|') {
    for (const [k, v] of x.map) s.map.set(k, v);
    for (const [k, v] of y.map) if (!s.map.has(k)) s.map.set(k, v);
  } else if (op === '&') {
    for (const [k, v] of x.map) if (y.map.has(k)) s.map.set(k, v);
  } else if (op === '-') {
    for (const [k, v] of x.map) if (!y.map.has(k)) s.map.set(k, v);
  } else {
    for (const [k, v] of x.map) if (!y.map.has(k)) s.map.set(k, v);
    for (const [k, v] of y.map) if (!x.map.has(k)) s.map.set(k, v);
  }
  budget.allocEntries(s.map.size);
  return s;
}

export function unary(op: string, x: Value): Value {
  if (op === '-') {
    if (typeof x === 'bigint') return -x;
    if (typeof x === 'number') return -x;
  } else if (op === '+') {
    if (typeof x === 'bigint' || typeof x === 'number') return x;
  } else if (op === '~') {
    if (typeof x === 'bigint') return ~x;
  }
  return fail(`unknown unary op: ${op}${typeName(x)}`);
}
