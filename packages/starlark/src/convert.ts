import { toFloat } from './arith.js';
import { fail, limitExceeded } from './errors.js';
import { checkIntSize, MAX_INT_BITS } from './ops.js';
import { Bytes, type Value, typeName } from './values.js';

/** int(x, base): starlark-go's rules for prefixes, signs and bases. */
export function toInt(x: Value, base: Value | undefined): bigint {
  if (typeof x === 'string') return parseIntLiteral(x, base === undefined ? 10 : Number(asBase(base)));
  if (base !== undefined) fail("int: can't convert non-string with explicit base");
  if (typeof x === 'bigint') return x;
  if (typeof x === 'boolean') return x ? 1n : 0n;
  if (typeof x === 'number') {
    if (Number.isNaN(x)) fail('int: cannot convert float NaN to integer');
    if (!Number.isFinite(x)) fail('int: cannot convert float infinity to integer');
    return BigInt(Math.trunc(x));
  }
  return fail(`int: got ${typeName(x)}, want int or string`);
}

function asBase(b: Value): bigint {
  if (typeof b !== 'bigint') fail(`int: for parameter base: got ${typeName(b)}, want int`);
  if (b !== 0n && (b < 2n || b > 36n)) fail('int: base must be an integer >= 2 && <= 36');
  return b;
}

function parseIntLiteral(s: string, base: number): bigint {
  const orig = s;
  const bad = (): never => fail(`int: invalid literal with base ${base}: ${orig}`);
  let neg = false;
  let t = s;
  if (t.startsWith('+') || t.startsWith('-')) {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  const prefix = /^0[xob]/i.exec(t)?.[0]?.toLowerCase();
  const prefixBase = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : 0;
  let b = base;
  if (prefixBase !== 0 && (base === 0 || base === prefixBase)) {
    b = prefixBase;
    t = t.slice(2);
  } else if (base === 0) {
    if (t.length > 1 && t[0] === '0' && !/^0+$/.test(t)) bad();
    b = 10;
  }
  if (t === '') bad();
  if (t.length > MAX_INT_BITS) limitExceeded(`int: literal too long (${t.length} digits)`);
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  let v = 0n;
  const bb = BigInt(b);
  for (const c of t.toLowerCase()) {
    const d = digits.indexOf(c);
    if (d < 0) bad();
    v = v * bb + BigInt(d);
  }
  return checkIntSize(neg ? -v : v);
}

export function toFloatValue(x: Value): number {
  if (typeof x === 'number') return x;
  if (typeof x === 'bigint') return toFloat(x);
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (typeof x === 'string') return parseFloatLiteral(x);
  return fail(`float: got ${typeName(x)}, want number or string`);
}

function parseFloatLiteral(s: string): number {
  const t = s.toLowerCase();
  const m = /^([+-]?)(inf|infinity|nan)$/.exec(t);
  if (m) return m[2] === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) fail(`float: invalid float literal: ${s}`);
  const f = Number(t);
  if (!Number.isFinite(f)) fail('float: floating-point number too large');
  return f;
}

export function bytesOf(data: string): Bytes {
  return new Bytes(data);
}
