import { arity, noKwargs } from './args.js';
import { fail } from './errors.js';
import type { Budget } from './limits.js';
import { equals } from './ops.js';
import { asIndex, elements, isIterable } from './sequence.js';
import type { StarList } from './values.js';
import {
  checkMutable,
  hashKey,
  None,
  StarSet,
  type MethodTable,
  type NativeFn,
  type Value,
  typeName,
} from './values.js';

function list(v: Value): StarList {
  return v as StarList;
}

function method(
  name: string,
  min: number,
  max: number,
  f: (self: StarList, args: Value[], budget: Budget) => Value,
): NativeFn {
  return (s, args, kw, call) => {
    noKwargs(name, kw);
    arity(name, args, min, max);
    return f(list(s), args, call.thread.budget);
  };
}

function iterableArg(fname: string, v: Value, budget: Budget): readonly Value[] {
  if (!isIterable(v)) fail(`${fname}: got ${typeName(v)}, want iterable`);
  return elements(v, budget);
}

export const listMethods: MethodTable = Object.freeze({
  append: method('append', 1, 1, (l, [x], budget) => {
    checkMutable(l, 'append to');
    budget.alloc(1, l.elems.length + 1);
    l.elems.push(x!);
    return None;
  }),
  clear: method('clear', 0, 0, (l) => {
    checkMutable(l, 'clear');
    l.elems.length = 0;
    return None;
  }),
  extend: method('extend', 1, 1, (l, [x], budget) => {
    checkMutable(l, 'extend');
    const items = iterableArg('extend', x!, budget).slice();
    budget.alloc(items.length, l.elems.length + items.length);
    for (const v of items) l.elems.push(v);
    return None;
  }),
  index: method('index', 1, 3, (l, [x, lo, hi]) => {
    const n = l.elems.length;
    const clamp = (v: Value | undefined, d: number): number => {
      if (v === undefined || v === None) return d;
      let i = asIndex(v, 'index');
      if (i < 0) i += n;
      return Math.max(0, Math.min(n, i));
    };
    for (let i = clamp(lo, 0), end = clamp(hi, n); i < end; i++)
      if (equals(l.elems[i]!, x!)) return BigInt(i);
    return fail('index: value not in list');
  }),
  insert: method('insert', 2, 2, (l, [i, x], budget) => {
    checkMutable(l, 'insert into');
    const n = l.elems.length;
    let k = asIndex(i!, 'insert: for parameter index');
    if (k < 0) k += n;
    k = Math.max(0, Math.min(n, k));
    budget.alloc(1, n + 1);
    l.elems.splice(k, 0, x!);
    return None;
  }),
  pop: method('pop', 0, 1, (l, [i]) => {
    checkMutable(l, 'pop from');
    const n = l.elems.length;
    let k = i === undefined ? n - 1 : asIndex(i, 'pop: for parameter index');
    const orig = k;
    if (k < 0) k += n;
    if (k < 0 || k >= n)
      fail(
        n === 0 ? 'pop: index out of range: empty list' : `pop: index ${orig} out of range [${-n}:${n - 1}]`,
      );
    return l.elems.splice(k, 1)[0]!;
  }),
  remove: method('remove', 1, 1, (l, [x]) => {
    checkMutable(l, 'remove from');
    const i = l.elems.findIndex((e) => equals(e, x!));
    if (i < 0) fail(`remove: element not found`);
    l.elems.splice(i, 1);
    return None;
  }),
});

function set(v: Value): StarSet {
  return v as StarSet;
}

function setMethod(
  name: string,
  min: number,
  max: number,
  f: (self: StarSet, args: Value[], budget: Budget) => Value,
): NativeFn {
  return (s, args, kw, call) => {
    noKwargs(name, kw);
    arity(name, args, min, max);
    return f(set(s), args, call.thread.budget);
  };
}

function iterableArgN(fname: string, v: Value, n: number, budget: Budget): readonly Value[] {
  if (!isIterable(v)) fail(`${fname}: argument #${n} is not iterable: ${typeName(v)}`);
  return elements(v, budget);
}

function combine(name: string, keep: (inSelf: boolean, inAll: boolean[]) => boolean): NativeFn {
  return (s, args, kw, { thread: { budget } }) => {
    noKwargs(name, kw);
    const self = set(s);
    const others = args.map((a, i) => {
      const m = new Map<unknown, Value>();
      for (const v of iterableArgN(name, a, i + 1, budget)) m.set(hashKey(v), v);
      return m;
    });
    const out = new StarSet();
    const all = new Map<unknown, Value>(self.map);
    for (const o of others) for (const [k, v] of o) if (!all.has(k)) all.set(k, v);
    for (const [k, v] of all) {
      if (
        keep(
          self.map.has(k),
          others.map((o) => o.has(k)),
        )
      )
        out.map.set(k, v);
    }
    budget.allocEntries(out.map.size);
    return out;
  };
}

export const setMethods: MethodTable = Object.freeze({
  add: setMethod('add', 1, 1, (s, [x]) => {
    const k = hashKey(x!);
    checkMutable(s, 'insert into');
    if (s.map.has(k)) return None;
    s.map.set(k, x!);
    return None;
  }),
  clear: setMethod('clear', 0, 0, (s) => {
    if (s.map.size > 0) checkMutable(s, 'clear');
    s.map.clear();
    return None;
  }),
  discard: setMethod('discard', 1, 1, (s, [x]) => {
    const k = hashKey(x!);
    checkMutable(s, 'delete from');
    if (!s.map.has(k)) return None;
    s.map.delete(k);
    return None;
  }),
  remove: setMethod('remove', 1, 1, (s, [x]) => {
    const k = hashKey(x!);
    checkMutable(s, 'delete from');
    if (!s.map.delete(k)) fail('remove: missing key');
    return None;
  }),
  pop: setMethod('pop', 0, 0, (s) => {
    checkMutable(s, 'delete from');
    const first = s.map.entries().next();
    if (first.done === true) return fail('pop: empty set');
    s.map.delete(first.value[0]);
    return first.value[1];
  }),
  union: combine('union', (a, o) => a || o.some(Boolean)),
  intersection: combine('intersection', (a, o) => a && o.every(Boolean)),
  difference: combine('difference', (a, o) => a && !o.some(Boolean)),
  symmetric_difference: combine('symmetric_difference', (a, o) => a !== (o[0] ?? false)),
  update: (s, args, kw, { thread: { budget } }) => {
    noKwargs('update', kw);
    const self = set(s);
    checkMutable(self, 'insert into');
    args.forEach((a, i) => {
      for (const v of iterableArgN('update', a, i + 1, budget)) {
        const k = hashKey(v);
        if (!self.map.has(k)) self.map.set(k, v);
      }
    });
    budget.allocEntries(0, self.map.size);
    return None;
  },
  issubset: setMethod('issubset', 1, 1, (s, [x], budget) => {
    const keys = new Set(iterableArg('issubset', x!, budget).map(hashKey));
    for (const k of s.map.keys()) if (!keys.has(k)) return false;
    return true;
  }),
  issuperset: setMethod('issuperset', 1, 1, (s, [x], budget) =>
    iterableArg('issuperset', x!, budget).every((v) => s.map.has(hashKey(v))),
  ),
});
