import { EvalError, StarlarkError } from './errors.js';
import type { Thread } from './thread.js';
import { decodeUtf8, encodeUtf8 } from './utf8.js';
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
} from './values.js';

export interface NativeCall {
  args: Value[];
  kwargs: Map<string, Value>;
  position: { filename: string; line: number; column: number };
  /** The evaluation making the call: pass it to `callFunction` so callbacks spend its budget. */
  thread: Thread;
}

/**
 * Wraps a host function as a Starlark builtin. Anything it throws becomes a runtime error at
 * the Starlark call site (a StarlarkError it throws keeps its kind and message).
 */
export function builtin(name: string, fn: (call: NativeCall) => Value): Value {
  return new Builtin(name, (_self, args, kwargs, call) => {
    const map = new Map<string, Value>();
    // No for…of or destructuring: this runs on every call, mostly before the JIT has optimized it,
    // and unoptimized code goes through the iterator protocol for them.
    for (let i = 0; kwargs !== null && i < kwargs.length; i++) {
      const k = kwargs[i]![0];
      if (map.has(k)) throw new EvalError(`${name}: got multiple values for keyword argument "${k}"`);
      map.set(k, kwargs[i]![1]);
    }
    try {
      return fn({
        args,
        kwargs: map,
        position: { filename: call.filename, line: call.line, column: call.column },
        thread: call.thread,
      });
    } catch (e) {
      if (e instanceof StarlarkError) throw new EvalError(e.reason, e.kind === 'limit' ? 'limit' : 'runtime');
      if (e instanceof EvalError) throw e;
      throw new EvalError(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

/**
 * Converts a Starlark value to plain JS data: None→null, int→number when safe else bigint,
 * str→string, list/tuple→array, dict→Map, set→Set; other values are returned as they are.
 * Shared and cyclic containers map to shared and cyclic JS objects.
 */
export function toJs(value: Value): unknown {
  // Hosts convert every builtin argument, mostly strings and flat lists of strings: those need no
  // identity table, so it is only created for a list that holds another container.
  if (typeof value !== 'object') return convertScalar(value);
  if (value === None) return null;
  if (value instanceof StarList || value instanceof Tuple) {
    const elems = value.elems;
    const out = new Array<unknown>(elems.length);
    let seen: Map<object, unknown> | undefined;
    for (let i = 0; i < elems.length; i++) {
      const e = elems[i]!;
      out[i] = typeof e !== 'object' ? convertScalar(e) : convertOut(e, (seen ??= new Map([[value, out]])));
    }
    return out;
  }
  return convertOut(value, new Map());
}

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function convertScalar(v: bigint | string | number | boolean): unknown {
  switch (typeof v) {
    case 'bigint':
      return v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v;
    case 'string':
      return decodeUtf8(v);
    default:
      return v;
  }
}

function convertOut(v: Value, seen: Map<object, unknown>): unknown {
  if (typeof v !== 'object') return convertScalar(v);
  if (v === None) return null;
  const done = seen.get(v);
  if (done !== undefined) return done;
  if (v instanceof StarList || v instanceof Tuple) {
    const out: unknown[] = [];
    seen.set(v, out);
    for (const e of v.elems) out.push(convertOut(e, seen));
    return out;
  }
  if (v instanceof Dict) {
    const m = new Map<unknown, unknown>();
    seen.set(v, m);
    for (const [k, x] of v.map.values()) m.set(convertOut(k, seen), convertOut(x, seen));
    return m;
  }
  if (v instanceof StarSet) {
    const s = new Set<unknown>();
    seen.set(v, s);
    for (const e of v.map.values()) s.add(convertOut(e, seen));
    return s;
  }
  return v;
}

/** The inverse of toJs for plain data: numbers that are integers become ints. */
export function fromJs(value: unknown): Value {
  return convertIn(value, 0);
}

function convertIn(v: unknown, depth: number): Value {
  if (depth > 1000) throw new Error('fromJs: value nested too deeply');
  if (v === null || v === undefined) return None;
  switch (typeof v) {
    case 'boolean':
    case 'bigint':
      return v;
    case 'number':
      return Number.isInteger(v) ? BigInt(v) : v;
    case 'string':
      return encodeUtf8(v);
  }
  if (
    v instanceof StarList ||
    v instanceof Tuple ||
    v instanceof Dict ||
    v instanceof StarSet ||
    v instanceof Bytes ||
    v instanceof Builtin ||
    v instanceof RangeValue
  ) {
    return v;
  }
  if (Array.isArray(v)) return new StarList(v.map((e) => convertIn(e, depth + 1)));
  if (v instanceof Map) {
    const d = new Dict();
    for (const [k, x] of v) {
      const key = convertIn(k, depth + 1);
      d.map.set(hashKey(key), [key, convertIn(x, depth + 1)]);
    }
    return d;
  }
  if (v instanceof Set) {
    const s = new StarSet();
    for (const e of v) {
      const x = convertIn(e, depth + 1);
      s.map.set(hashKey(x), x);
    }
    return s;
  }
  if (v instanceof Uint8Array) return new Bytes(String.fromCharCode(...v));
  if (typeof v === 'object') {
    const d = new Dict();
    for (const [k, x] of Object.entries(v)) {
      const key = encodeUtf8(k);
      d.map.set(key, [key, convertIn(x, depth + 1)]);
    }
    return d;
  }
  throw new Error(`fromJs: cannot convert ${typeof v}`);
}

/**
 * Calls a Starlark callable (a builtin or bound method) from host code, spending the budget of
 * `thread`: inside a native, the call's own thread (`NativeCall.thread`); outside any evaluation,
 * a `new Thread({ limits })`. Errors come back as StarlarkError located at `position`.
 */
export function callFunction(
  thread: Thread,
  fn: Value,
  args: Value[],
  kwargs: [string, Value][] = [],
  position = { filename: '<native>', line: 0, column: 0 },
): Value {
  try {
    if (!(fn instanceof Builtin)) throw new EvalError(`invalid call of non-function`);
    return fn.fn(fn.self, args, kwargs.length > 0 ? kwargs : null, { ...position, thread });
  } catch (e) {
    if (e instanceof StarlarkError) throw e;
    const kind = e instanceof EvalError ? e.kind : 'runtime';
    throw new StarlarkError(kind, e instanceof Error ? e.message : String(e), position);
  }
}
