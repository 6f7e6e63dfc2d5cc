import { isNone, noKwargs, positional, unpack } from './args.js';
import { dirOf, getAttrOrUndefined } from './attrs.js';
import { bytesOf, toFloatValue, toInt } from './convert.js';
import { fail, EvalError } from './errors.js';
import type { Budget } from './limits.js';
import type { Thread } from './thread.js';
import { dictUpdate } from './methods-dict.js';
import { compare } from './ops.js';
import { repr, str } from './repr.js';
import { elements, isIterable, notIterable } from './sequence.js';
import { decodeRune, encodeRune, runes, decodeUtf8 } from './utf8.js';
import {
  Builtin,
  Bytes,
  type Call,
  Dict,
  ElemsView,
  hashKey,
  None,
  RangeValue,
  StarList,
  StarSet,
  Tuple,
  truth,
  type Value,
  typeName,
} from './values.js';

/*
 * The universe's builtins are shared by every evaluation, so they hold no state: each call spends
 * the budget of the thread that makes it (`call.thread`).
 */

function iterElems(x: Value, fname: string, budget: Budget): readonly Value[] {
  if (!isIterable(x)) fail(`${fname}: got ${typeName(x)}, want iterable`);
  return elements(x, budget);
}

const INT64 = 2n ** 63n;

function rangeArg(v: Value): bigint {
  if (typeof v !== 'bigint') fail(`range: got ${typeName(v)}, want int`);
  if (v >= INT64 || v < -INT64) fail(`range: ${v} out of range (want value in signed 64-bit range)`);
  return v;
}

function minmax(name: string, sign: number): Builtin {
  return new Builtin(name, (_s, args, kwargs, call) => {
    const [key] = unpack(name, [], kwargs, ['key?']);
    if (args.length === 0) fail(`${name} requires at least one positional argument`);
    if (args.length === 1 && !isIterable(args[0]!))
      fail(`${name}: ${typeName(args[0]!)} value is not iterable`);
    const items = args.length === 1 ? elements(args[0]!, call.thread.budget) : args;
    if (items.length === 0) fail(`${name}: empty sequence`);
    const keyOf = (v: Value): Value => (isNone(key) ? v : callValue(key, [v], call.thread));
    let best = items[0]!;
    let bestKey = keyOf(best);
    for (let i = 1; i < items.length; i++) {
      const k = keyOf(items[i]!);
      if (compare(k, bestKey) * sign < 0) {
        best = items[i]!;
        bestKey = k;
      }
    }
    return best;
  });
}

/** Calls a `key=` function on behalf of a builtin, on the builtin's own thread. */
function callValue(fn: Value, args: Value[], thread: Thread): Value {
  if (!(fn instanceof Builtin)) return fail(`invalid call of non-function (${typeName(fn)})`);
  return fn.fn(fn.self, args, null, { filename: '<builtin>', line: 0, column: 0, thread });
}

function sorted(_s: Value, args: Value[], kwargs: [string, Value][] | null, call: Call): Value {
  const [iterable, key, reverse] = unpack('sorted', args, kwargs, ['iterable', 'key?', 'reverse?']);
  if (!isIterable(iterable!))
    fail(`sorted: for parameter iterable: got ${typeName(iterable!)}, want iterable`);
  if (key !== undefined && !(key instanceof Builtin))
    fail(`sorted: for parameter key: got ${typeName(key)}, want callable`);
  const items = elements(iterable!, call.thread.budget).slice();
  call.thread.budget.step(items.length);
  const keys = key === undefined ? items : items.map((v) => callValue(key, [v], call.thread));
  const rev = !isNone(reverse) && truth(reverse);
  const idx = mergeSort(
    items.map((_, i) => i),
    (a, b) => {
      const c = compare(keys[a]!, keys[b]!);
      return rev ? -c : c;
    },
  );
  return new StarList(idx.map((i) => items[i]!));
}

/**
 * Stable merge sort that always compares an earlier element with a later one, so comparison
 * errors name the operand types in source order (as starlark-go reports them).
 */
function mergeSort(a: number[], cmp: (x: number, y: number) => number): number[] {
  if (a.length < 2) return a;
  const mid = a.length >> 1;
  const left = mergeSort(a.slice(0, mid), cmp);
  const right = mergeSort(a.slice(mid), cmp);
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length)
    out.push(cmp(right[j]!, left[i]!) < 0 ? right[j++]! : left[i++]!);
  while (i < left.length) out.push(left[i++]!);
  while (j < right.length) out.push(right[j++]!);
  return out;
}

function makeDict(_s: Value, args: Value[], kwargs: [string, Value][] | null, call: Call): Value {
  if (args.length > 1) fail(`dict: got ${args.length} arguments, want at most 1`);
  const d = new Dict();
  dictUpdate(d, args, kwargs, 'dict', call.thread.budget);
  return d;
}

function makeRange(args: Value[]): Value {
  let start = 0n;
  let stop: bigint;
  let step = 1n;
  if (args.length === 1) stop = rangeArg(args[0]!);
  else {
    start = rangeArg(args[0]!);
    stop = rangeArg(args[1]!);
    if (args.length === 3) step = rangeArg(args[2]!);
  }
  if (step === 0n) fail('range: step argument must not be zero');
  return new RangeValue(start, stop, step);
}

function len(args: Value[]): Value {
  const x = args[0]!;
  if (typeof x === 'string') return BigInt(x.length);
  if (x instanceof StarList || x instanceof Tuple) return BigInt(x.elems.length);
  if (x instanceof Dict || x instanceof StarSet) return BigInt(x.map.size);
  if (x instanceof Bytes) return BigInt(x.data.length);
  if (x instanceof RangeValue) return x.length;
  if (x instanceof ElemsView && (x.method === 'elems' || x.method === 'elem_ords'))
    return BigInt(x.src.length);
  return fail(`len: value of type ${typeName(x)} has no len`);
}

function makeBytes(args: Value[], call: Call): Value {
  const x = args[0]!;
  if (typeof x === 'string') return bytesOf(decodeBytesToStr(new Bytes(x)));
  if (x instanceof Bytes) return x;
  if (!isIterable(x)) fail(`bytes: got ${typeName(x)}, want string, bytes, or iterable of ints`);
  let s = '';
  elements(x, call.thread.budget).forEach((v, i) => {
    if (typeof v !== 'bigint') fail(`bytes: at index ${i}, got ${typeName(v)}, want int`);
    if (v < 0n || v > 255n)
      fail(`bytes: at index ${i}, ${v} out of range (want value in unsigned 8-bit range)`);
    s += String.fromCharCode(Number(v));
  });
  return bytesOf(s);
}

function chr(args: Value[]): Value {
  const i = args[0]!;
  if (typeof i !== 'bigint') return fail(`chr: got ${typeName(i)}, want int`);
  if (i < 0n) fail(`chr: Unicode code point ${i} out of range (<0)`);
  if (i > 0x10ffffn)
    fail(`chr: Unicode code point U+${i.toString(16).toUpperCase()} out of range (>0x10FFFF)`);
  return encodeRune(Number(i));
}

function ord(args: Value[]): Value {
  const s = args[0]!;
  if (s instanceof Bytes) {
    if (s.data.length !== 1) fail(`ord: bytes has length ${s.data.length}, want 1`);
    return BigInt(s.data.charCodeAt(0));
  }
  if (typeof s !== 'string') return fail(`ord: got ${typeName(s)}, want string`);
  const n = runes(s).length;
  if (n !== 1) fail(`ord: string encodes ${n} Unicode code points, want 1`);
  return BigInt(decodeRune(s, 0).cp);
}

function hash(args: Value[]): Value {
  const x = args[0]!;
  if (x instanceof Bytes) {
    let h = 0x811c9dc5;
    for (let i = 0; i < x.data.length; i++) h = Math.imul(h ^ x.data.charCodeAt(i), 0x01000193) >>> 0;
    return BigInt(h);
  }
  if (typeof x === 'string') {
    const s = decodeUtf8(x);
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    return BigInt(h);
  }
  hashKey(x);
  return fail(`hash: unsupported type ${typeName(x)}`);
}

function fail_(_s: Value, args: Value[], kwargs: [string, Value][] | null, call: Call): Value {
  let sep = ' ';
  for (const [k, v] of kwargs ?? []) {
    if (k !== 'sep' || typeof v !== 'string') fail(`fail: unexpected keyword argument "${k}"`);
    sep = v;
  }
  throw new EvalError('fail: ' + joinStrs(args, sep, call.thread.budget));
}

function print(_s: Value, args: Value[], kwargs: [string, Value][] | null, call: Call): Value {
  let sep = ' ';
  for (const [k, v] of kwargs ?? []) {
    if (k !== 'sep' || typeof v !== 'string') fail(`print: unexpected keyword argument "${k}"`);
    sep = v;
  }
  call.thread.print(decodeUtf8(joinStrs(args, sep, call.thread.budget)));
  return None;
}

/** `str` of each argument joined by `sep` (print, fail), within the string length limit. */
function joinStrs(args: Value[], sep: string, budget: Budget): string {
  let out = '';
  args.forEach((v, i) => {
    const piece = (i > 0 ? sep : '') + str(v, budget, out.length + (i > 0 ? sep.length : 0));
    budget.checkString(out.length + piece.length);
    out += piece;
  });
  budget.string(out.length);
  return out;
}

function getattr(args: Value[]): Value {
  const [x, name, dflt] = args as [Value, Value, Value | undefined];
  if (typeof name !== 'string') fail(`getattr: for parameter name: got ${typeName(name)}, want string`);
  const v = getAttrOrUndefined(x, name);
  if (v !== undefined) return v;
  if (dflt !== undefined) return dflt;
  return fail(`${typeName(x)} has no .${name} field or method`);
}

function collection<T extends Value>(
  name: string,
  make: (items: readonly Value[]) => T,
  empty: () => T,
): Builtin {
  return positional(name, 0, 1, (args, { thread: { budget } }) => {
    if (args.length === 0) return empty();
    const x = args[0]!;
    if (!isIterable(x)) return notIterable(x, name);
    const items = elements(x, budget);
    if (name === 'set') budget.allocEntries(items.length);
    else budget.alloc(items.length);
    return make(items);
  });
}

function makeSet(items: readonly Value[]): StarSet {
  const s = new StarSet();
  for (const v of items) {
    const k = hashKey(v);
    if (!s.map.has(k)) s.map.set(k, v);
  }
  return s;
}

const table: readonly Builtin[] = [
  positional('abs', 1, 1, ([x]) => {
    if (typeof x === 'bigint') return x < 0n ? -x : x;
    if (typeof x === 'number') return Math.abs(x);
    return fail(`abs: got ${typeName(x!)}, want int or float`);
  }),
  positional('all', 1, 1, ([x], call) => iterElems(x!, 'all', call.thread.budget).every(truth)),
  positional('any', 1, 1, ([x], call) => iterElems(x!, 'any', call.thread.budget).some(truth)),
  positional('bool', 0, 1, ([x]) => (x === undefined ? false : truth(x))),
  positional('bytes', 1, 1, makeBytes),
  positional('chr', 1, 1, chr),
  new Builtin('dict', makeDict),
  positional('dir', 1, 1, ([x]) => new StarList(dirOf(x!))),
  new Builtin('enumerate', (_s, args, kwargs, call) => {
    const [x, start] = unpack('enumerate', args, kwargs, ['x', 'start?']);
    let i = start === undefined ? 0n : (start as bigint);
    return new StarList(iterElems(x!, 'enumerate', call.thread.budget).map((v) => new Tuple([i++, v])));
  }),
  new Builtin('fail', fail_),
  positional('float', 0, 1, ([x]) => (x === undefined ? 0 : toFloatValue(x))),
  positional('getattr', 2, 3, getattr),
  positional('hasattr', 2, 2, ([x, n]) => typeof n === 'string' && getAttrOrUndefined(x!, n) !== undefined),
  positional('hash', 1, 1, hash),
  new Builtin('int', (_s, args, kwargs) => {
    const [x, base] = unpack('int', args, kwargs, ['x', 'base?']);
    return toInt(x!, base);
  }),
  positional('len', 1, 1, len),
  collection(
    'list',
    (items) => new StarList(items.slice()),
    () => new StarList([]),
  ),
  minmax('max', -1),
  minmax('min', 1),
  positional('ord', 1, 1, ord),
  new Builtin('print', print),
  positional('range', 1, 3, makeRange),
  positional('repr', 1, 1, ([x], { thread: { budget } }) => counted(repr(x!, budget), budget)),
  positional('reversed', 1, 1, ([x], call) => {
    return new StarList(iterElems(x!, 'reversed', call.thread.budget).slice().reverse());
  }),
  collection('set', makeSet, () => new StarSet()),
  new Builtin('sorted', sorted),
  positional('str', 1, 1, ([x], { thread: { budget } }) =>
    counted(x instanceof Bytes ? decodeBytesToStr(x) : str(x!, budget), budget),
  ),
  collection(
    'tuple',
    (items) => new Tuple(items.slice()),
    () => new Tuple([]),
  ),
  positional('type', 1, 1, ([x]) => typeName(x!)),
  new Builtin('zip', (_s, args, kwargs, call) => {
    noKwargs('zip', kwargs);
    const seqs = args.map((a, i) => {
      if (!isIterable(a)) fail(`zip: argument #${i + 1} is not iterable: ${typeName(a)}`);
      return elements(a, call.thread.budget);
    });
    const n = seqs.length === 0 ? 0 : Math.min(...seqs.map((s) => s.length));
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(new Tuple(seqs.map((s) => s[i]!)));
    return new StarList(out);
  }),
];

/** Charges a string just built by `str` or `repr` to the allocation budget. */
function counted(text: string, budget: Budget): string {
  budget.string(text.length);
  return text;
}

function decodeBytesToStr(b: Bytes): string {
  // Invalid UTF-8 is replaced by U+FFFD, as starlark-go's str(bytes) does.
  let out = '';
  for (let i = 0; i < b.data.length;) {
    const { cp, size } = decodeRune(b.data, i);
    out += cp === 0xfffd && size === 1 ? encodeRune(0xfffd) : b.data.slice(i, i + size);
    i += size;
  }
  return out;
}

const universeNames = ['None', 'True', 'False', ...table.map((b) => b.name)];
/** The universe's values by slot; every evaluation shares them, so the array is frozen. */
export const universeValues: readonly Value[] = Object.freeze([None, true, false, ...table]);
const universeIndex: ReadonlyMap<string, number> = new Map(universeNames.map((n, i) => [n, i]));

export function universeSlot(name: string): number {
  return universeIndex.get(name) ?? -1;
}
