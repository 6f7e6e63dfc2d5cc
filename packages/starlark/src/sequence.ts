import { fail, limitExceeded } from './errors.js';
import type { Budget } from './limits.js';
import { reprForMessage } from './repr.js';
import { decodeUtf8, runes } from './utf8.js';
import {
  Bytes,
  Dict,
  ElemsView,
  hashKey,
  RangeValue,
  StarList,
  StarSet,
  Tuple,
  type Value,
  typeName,
} from './values.js';

/** Converts an int index argument, rejecting other types with starlark-go's wording. */
export function asIndex(v: Value, what: string): number {
  if (typeof v !== 'bigint') return fail(`${what}: got ${typeName(v)}, want int`);
  if (v > TWO_53) return Number.MAX_SAFE_INTEGER;
  if (v < -TWO_53) return Number.MIN_SAFE_INTEGER;
  return Number(v);
}

// A constant: `2n ** 53n` in asIndex computed a new bigint on every index operation.
const TWO_53 = 2n ** 53n;

/** asIndex for `x[key]`; the message naming x's type is built only for a key that is no int. */
function subscript(x: Value, key: Value): number {
  return asIndex(key, typeof key === 'bigint' ? 'index' : `${typeName(x)} index`);
}

function outOfRange(x: Value, i: number, n: number): never {
  const t = typeName(x);
  if (n === 0) return fail(`index ${i} out of range: empty ${t}`);
  return fail(`${t} index ${i} out of range [${-n}:${n - 1}]`);
}

export function getIndex(x: Value, key: Value): Value {
  if (x instanceof Dict) {
    const e = x.map.get(hashKey(key));
    if (e === undefined) return fail(`key ${reprForMessage(key)} not in dict`);
    return e[1];
  }
  if (x instanceof StarList || x instanceof Tuple) {
    const n = x.elems.length;
    let i = subscript(x, key);
    const orig = i;
    if (i < 0) i += n;
    if (i < 0 || i >= n) outOfRange(x, orig, n);
    return x.elems[i]!;
  }
  if (typeof x === 'string' || x instanceof Bytes) {
    const s = typeof x === 'string' ? x : x.data;
    let i = subscript(x, key);
    const orig = i;
    if (i < 0) i += s.length;
    if (i < 0 || i >= s.length) outOfRange(x, orig, s.length);
    return typeof x === 'string' ? s[i]! : new Bytes(s[i]!);
  }
  if (x instanceof ElemsView && (x.method === 'elems' || x.method === 'elem_ords')) {
    const s = x.src;
    let i = subscript(x, key);
    const orig = i;
    if (i < 0) i += s.length;
    if (i < 0 || i >= s.length) outOfRange(x, orig, s.length);
    return x.method === 'elems' && !x.bytes ? s[i]! : BigInt(s.charCodeAt(i));
  }
  if (x instanceof RangeValue) {
    if (typeof key !== 'bigint') return fail(`range index: got ${typeName(key)}, want int`);
    const n = x.length;
    const i = key < 0n ? key + n : key;
    if (i < 0n || i >= n) {
      if (n === 0n) return fail(`index ${key} out of range: empty range`);
      return fail(`range index ${key} out of range [${-n}:${n - 1n}]`);
    }
    return x.at(i);
  }
  return fail(`unhandled index operation ${typeName(x)}[${typeName(key)}]`);
}

/** Resolves slice bounds following the Starlark spec (and Python) for any step sign. */
export function sliceIndices(
  n: number,
  lo: Value | undefined,
  hi: Value | undefined,
  stepV: Value | undefined,
): [number, number, number] {
  let step = 1;
  if (stepV !== undefined) {
    step = asIndex(stepV, 'invalid slice step');
    if (step === 0) fail('zero is not a valid slice step');
  }
  const clamp = (v: Value | undefined, what: string, dflt: number): number => {
    if (v === undefined) return dflt;
    let i = asIndex(v, what);
    if (i < 0) i += n;
    if (step > 0) return i < 0 ? 0 : i > n ? n : i;
    return i < -1 ? -1 : i >= n ? n - 1 : i;
  };
  const start = clamp(lo, 'invalid start index', step > 0 ? 0 : n - 1);
  const end = clamp(hi, 'invalid end index', step > 0 ? n : -1);
  return [start, end, step];
}

export function slice(
  x: Value,
  lo: Value | undefined,
  hi: Value | undefined,
  step: Value | undefined,
  budget: Budget,
): Value {
  if (x instanceof RangeValue) return sliceRange(x, lo, hi, step);
  const seq =
    x instanceof StarList || x instanceof Tuple
      ? x.elems
      : typeof x === 'string'
        ? x
        : x instanceof Bytes
          ? x.data
          : null;
  if (seq === null) return fail(`invalid slice operand ${typeName(x)}`);
  const [start, end, st] = sliceIndices(seq.length, lo, hi, step);
  if (typeof seq === 'string') {
    let s: string;
    if (st === 1) s = start < end ? seq.slice(start, end) : '';
    else {
      s = '';
      for (let i = start; st > 0 ? i < end : i > end; i += st) s += seq[i];
    }
    budget.alloc(s.length);
    return typeof x === 'string' ? s : new Bytes(s);
  }
  let out: Value[];
  if (st === 1) out = start < end ? seq.slice(start, end) : [];
  else {
    out = [];
    for (let i = start; st > 0 ? i < end : i > end; i += st) out.push(seq[i]!);
  }
  budget.alloc(out.length);
  return x instanceof StarList ? new StarList(out) : new Tuple(out);
}

function sliceRange(
  r: RangeValue,
  lo: Value | undefined,
  hi: Value | undefined,
  stepV: Value | undefined,
): Value {
  const n = r.length;
  if (n > 2n ** 53n) limitExceeded('range too large to slice');
  const [start, end, st] = sliceIndices(Number(n), lo, hi, stepV);
  const s = BigInt(st);
  return new RangeValue(r.at(BigInt(start)), r.at(BigInt(end)), r.step * s);
}

/**
 * Materialises the elements of an iterable value, charging the budget. Lists are copied only
 * when the caller asks (`copy`), so loops see a snapshot only where mutation is possible.
 */
export function elements(x: Value, budget: Budget, what?: string): readonly Value[] {
  if (x instanceof StarList || x instanceof Tuple) return x.elems;
  if (x instanceof Dict) {
    const out: Value[] = [];
    for (const [k] of x.map.values()) out.push(k);
    return out;
  }
  if (x instanceof StarSet) return Array.from(x.map.values());
  if (x instanceof ElemsView) return viewElements(x);
  if (x instanceof RangeValue) {
    const n = x.length;
    if (n > BigInt(budget.limits.maxValueSize))
      limitExceeded(`range of ${n} elements exceeds the value size limit`);
    budget.alloc(Number(n));
    const out: Value[] = new Array(Number(n));
    for (let i = 0; i < out.length; i++) out[i] = x.start + BigInt(i) * x.step;
    return out;
  }
  return notIterable(x, what);
}

function viewElements(v: ElemsView): Value[] {
  switch (v.method) {
    case 'elems':
      return v.bytes ? Array.from(v.src, (c) => BigInt(c.charCodeAt(0))) : Array.from(v.src);
    case 'elem_ords':
      return Array.from(v.src, (c) => BigInt(c.charCodeAt(0)));
    case 'codepoints':
      return runes(v.src);
    case 'codepoint_ords':
      return Array.from(decodeUtf8(v.src), (c) => BigInt(c.codePointAt(0)!));
  }
}

export function notIterable(x: Value, what?: string): never {
  if (what !== undefined) return fail(`${what}: got ${typeName(x)}, want iterable`);
  return fail(`${typeName(x)} value is not iterable`);
}

export function isIterable(x: Value): boolean {
  return (
    x instanceof StarList ||
    x instanceof Tuple ||
    x instanceof Dict ||
    x instanceof StarSet ||
    x instanceof RangeValue ||
    x instanceof ElemsView
  );
}

/**
 * Runs `body` over each element without materialising ranges; mutation of the iterated list,
 * dict or set during the loop is refused (see checkMutable).
 */
export function forEach(x: Value, budget: Budget, body: (v: Value) => boolean | void): void {
  if (x instanceof RangeValue) {
    const { start, step } = x;
    const n = x.length;
    for (let i = 0n; i < n; i++) {
      budget.step();
      if (body(start + i * step) === true) return;
    }
    return;
  }
  if (!(x instanceof StarList || x instanceof Dict || x instanceof StarSet)) {
    for (const v of elements(x, budget)) {
      budget.step();
      if (body(v) === true) return;
    }
    return;
  }
  x.iterating++;
  try {
    for (const v of elements(x, budget)) {
      budget.step();
      if (body(v) === true) return;
    }
  } finally {
    x.iterating--;
  }
}
