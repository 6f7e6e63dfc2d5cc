import { fail, limitExceeded } from './errors.js';
import type { Thread } from './thread.js';

/*
 * The value model. Primitive Starlark values are JS primitives so the common paths allocate
 * nothing: bool → boolean, int → bigint, float → number, str → string (one code unit per UTF-8
 * byte, see utf8.ts). Everything else is a class instance below.
 */

export class NoneType {
  toString(): string {
    return 'None';
  }
}
export const None: Value = new NoneType();

export class StarList {
  frozen = false;
  /** Active iterations; mutation while iterating is an error, not an endless loop. */
  iterating = 0;
  constructor(public elems: Value[]) {}
}

export class Tuple {
  constructor(readonly elems: readonly Value[]) {}
}

export class Bytes {
  constructor(readonly data: string) {}
}

/** Insertion-ordered hash table shared by dict and set; keys are normalised by `hashKey`. */
export class Dict {
  frozen = false;
  iterating = 0;
  readonly map = new Map<unknown, [Value, Value]>();
}

export class StarSet {
  frozen = false;
  iterating = 0;
  readonly map = new Map<unknown, Value>();
}

export class RangeValue {
  constructor(
    readonly start: bigint,
    readonly stop: bigint,
    readonly step: bigint,
  ) {}

  get length(): bigint {
    const { start, stop, step } = this;
    if (step > 0n) return stop > start ? (stop - start + step - 1n) / step : 0n;
    return start > stop ? (start - stop - step - 1n) / -step : 0n;
  }

  at(i: bigint): bigint {
    return this.start + i * this.step;
  }
}

/** The iterable views returned by str.elems() and friends: iterable, but not indexable. */
export class ElemsView {
  constructor(
    readonly src: string,
    readonly method: 'elems' | 'elem_ords' | 'codepoints' | 'codepoint_ords',
    readonly bytes: boolean,
  ) {}
}

/** Internal calling convention: receiver (for methods), positional args, keyword args, the call. */
export type NativeFn = (self: Value, args: Value[], kwargs: [string, Value][] | null, call: Call) => Value;

/** A type's methods by name; shared by every evaluation, so frozen. */
export type MethodTable = Readonly<Record<string, NativeFn>>;

/** Where a call is made in the source. */
export interface CallSite {
  readonly filename: string;
  readonly line: number;
  readonly column: number;
}

/** A call as a native sees it: its site, and the thread (evaluation) whose budget it spends. */
export interface Call extends CallSite {
  readonly thread: Thread;
}

export class Builtin {
  constructor(
    readonly name: string,
    readonly fn: NativeFn,
    /** Bound receiver for methods such as `"a,b".split`; None for plain functions. */
    readonly self: Value = None,
    readonly isMethod = false,
  ) {}
}

export type Value =
  | NoneType
  | boolean
  | bigint
  | number
  | string
  | StarList
  | Tuple
  | Bytes
  | Dict
  | StarSet
  | RangeValue
  | Builtin
  | ElemsView;

/** Rough size of a value, used to charge linear-time operations to the step budget. */
export function sizeOf(v: Value): number {
  if (typeof v === 'string') return v.length;
  if (typeof v !== 'object') return 0;
  if (v instanceof StarList || v instanceof Tuple) return v.elems.length;
  if (v instanceof Dict || v instanceof StarSet) return v.map.size;
  if (v instanceof Bytes) return v.data.length;
  if (v instanceof ElemsView) return v.src.length;
  return 0;
}

export function typeName(v: Value): string {
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (v === None) return 'NoneType';
  if (v instanceof StarList) return 'list';
  if (v instanceof Tuple) return 'tuple';
  if (v instanceof Dict) return 'dict';
  if (v instanceof StarSet) return 'set';
  if (v instanceof Bytes) return 'bytes';
  if (v instanceof RangeValue) return 'range';
  if (v instanceof Builtin) return 'builtin_function_or_method';
  if (v instanceof ElemsView)
    return v.bytes ? 'bytes.elems' : v.method.startsWith('codepoint') ? 'string.codepoints' : 'string.elems';
  return 'unknown';
}

export function truth(v: Value): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
  }
  if (v === None) return false;
  if (v instanceof StarList || v instanceof Tuple) return v.elems.length > 0;
  if (v instanceof Dict || v instanceof StarSet) return v.map.size > 0;
  if (v instanceof Bytes) return v.data.length > 0;
  if (v instanceof RangeValue) return v.length > 0n;
  return true;
}

/*
 * The one piece of module-level mutable state in the package, on purpose: builtins (which have no
 * value of their own) are hashed by identity, and a dict or set keyed by one outlives the thread
 * that built it, so the numbering must be process-wide. It is never observable from Starlark (the
 * numbers only tell builtins apart), spends no budget, and being weak it keeps no builtin alive.
 */
const identities = new WeakMap<Builtin, number>();
let nextIdentity = 1;

/**
 * Maps a hashable value to a JS Map key such that Starlark-equal values share a key: ints and
 * integral floats become the same bigint; composite keys become strings prefixed with a code
 * unit above 0xFF, which no Starlark string contains.
 */
export function hashKey(v: Value): unknown {
  switch (typeof v) {
    case 'string':
    case 'bigint':
    case 'boolean':
      return v;
    case 'number':
      return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (v === None) return v;
  return '\u0100' + compositeKey(v, 0, { length: 0 });
}

/**
 * Longest hashed form of a composite key. A tuple holding the same long string many times (or
 * tuples of such tuples) would otherwise build a key past what the host can hold.
 */
export const MAX_KEY_LENGTH = 8_000_000;

function compositeKey(v: Value, depth: number, total: { length: number }): string {
  if (depth > 1000) fail('hash: value nested too deeply');
  const key = compositePart(v, depth, total);
  // A tuple's key is made of its elements' keys, which counted themselves.
  if (!(v instanceof Tuple)) total.length += key.length;
  if (total.length > MAX_KEY_LENGTH) {
    limitExceeded(`hash: key too large (more than ${MAX_KEY_LENGTH} characters once hashed)`);
  }
  return key;
}

function compositePart(v: Value, depth: number, total: { length: number }): string {
  switch (typeof v) {
    case 'string':
      return 's' + v.length + ':' + v;
    case 'bigint':
      return 'i' + v + ';';
    case 'boolean':
      return v ? 'T' : 'F';
    case 'number':
      return Number.isInteger(v) ? 'i' + BigInt(v) + ';' : 'f' + v + ';';
  }
  if (v === None) return 'N';
  if (v instanceof Tuple) {
    let s = 't' + v.elems.length + '(';
    for (const e of v.elems) s += compositeKey(e, depth + 1, total);
    return s + ')';
  }
  if (v instanceof Bytes) return 'b' + v.data.length + ':' + v.data;
  if (v instanceof RangeValue) fail('unhashable: range');
  if (v instanceof Builtin) {
    let id = identities.get(v);
    if (id === undefined) identities.set(v, (id = nextIdentity++));
    return 'o' + id + ';';
  }
  return fail(`unhashable type: ${typeName(v)}`);
}

/** Deep-freezes everything reachable from `v`; iterative so cyclic or deep values are safe. */
export function freeze(v: Value): void {
  const stack: Value[] = [v];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x instanceof StarList) {
      if (x.frozen) continue;
      x.frozen = true;
      for (const e of x.elems) stack.push(e);
    } else if (x instanceof Tuple) {
      for (const e of x.elems) if (typeof e === 'object') stack.push(e);
    } else if (x instanceof Dict) {
      if (x.frozen) continue;
      x.frozen = true;
      for (const [k, val] of x.map.values()) stack.push(k, val);
    } else if (x instanceof StarSet) {
      if (x.frozen) continue;
      x.frozen = true;
    } else if (x instanceof Builtin && x.self !== None) {
      stack.push(x.self);
    }
  }
}

export function checkMutable(x: StarList | Dict | StarSet, verb: string): void {
  const what = x instanceof StarList ? 'list' : 'hash table';
  if (x.frozen) fail(`cannot ${verb} frozen ${what}`);
  if (x.iterating > 0) fail(`cannot ${verb} ${what} during iteration`);
}
