import { arity, noKwargs, unpack } from './args.js';
import { fail } from './errors.js';
import type { Budget } from './limits.js';
import { dictSet } from './mutate.js';
import { reprForMessage } from './repr.js';
import { elements, isIterable } from './sequence.js';
import {
  checkMutable,
  Dict,
  hashKey,
  None,
  StarList,
  Tuple,
  type MethodTable,
  type Value,
  typeName,
} from './values.js';

/** dict(...) and dict.update(...): a mapping or iterable of pairs, then keyword arguments. */
export function dictUpdate(
  d: Dict,
  args: Value[],
  kwargs: [string, Value][] | null,
  fname: string,
  budget: Budget,
): void {
  if (args.length > 1) fail(`${fname}: got ${args.length} arguments, want at most 1`);
  const src = args[0];
  if (src instanceof Dict) {
    for (const [k, v] of src.map.values()) dictSet(d, k, v);
  } else if (src !== undefined) {
    if (!isIterable(src)) fail(`${fname}: got ${typeName(src)}, want iterable`);
    elements(src, budget).forEach((pair, i) => {
      if (!isIterable(pair))
        fail(
          `${fname}: cannot convert dictionary update sequence element #${i}: not iterable (${typeName(pair)})`,
        );
      const kv = elements(pair, budget);
      if (kv.length !== 2) fail(`${fname}: sequence element #${i} has length ${kv.length}, want 2`);
      dictSet(d, kv[0]!, kv[1]!);
    });
  }
  if (kwargs !== null) {
    if (fname === 'dict') {
      const seen = new Set<string>();
      for (const [k] of kwargs) {
        if (seen.has(k)) fail(`dict: duplicate keyword arg: ${reprForMessage(k)}`);
        seen.add(k);
      }
    }
    for (const [k, v] of kwargs) dictSet(d, k, v);
  }
  budget.allocEntries(0, d.map.size);
}

function self(v: Value): Dict {
  return v as Dict;
}

export const dictMethods: MethodTable = Object.freeze({
  clear: (s, args, kw) => {
    noKwargs('clear', kw);
    arity('clear', args, 0, 0);
    checkMutable(self(s), 'clear');
    self(s).map.clear();
    return None;
  },
  get: (s, args, kw) => {
    noKwargs('get', kw);
    arity('get', args, 1, 2);
    const e = self(s).map.get(hashKey(args[0]!));
    return e !== undefined ? e[1] : (args[1] ?? None);
  },
  items: (s, args, kw) => {
    noKwargs('items', kw);
    arity('items', args, 0, 0);
    return new StarList(Array.from(self(s).map.values(), ([k, v]) => new Tuple([k, v])));
  },
  keys: (s, args, kw) => {
    noKwargs('keys', kw);
    arity('keys', args, 0, 0);
    return new StarList(Array.from(self(s).map.values(), ([k]) => k));
  },
  values: (s, args, kw) => {
    noKwargs('values', kw);
    arity('values', args, 0, 0);
    return new StarList(Array.from(self(s).map.values(), ([, v]) => v));
  },
  pop: (s, args, kw) => {
    noKwargs('pop', kw);
    arity('pop', args, 1, 2);
    const d = self(s);
    const k = hashKey(args[0]!);
    checkMutable(d, 'delete from');
    const e = d.map.get(k);
    if (e === undefined) {
      if (args.length > 1) return args[1]!;
      return fail(`pop: missing key ${reprForMessage(args[0]!)}`);
    }
    d.map.delete(k);
    return e[1];
  },
  popitem: (s, args, kw) => {
    noKwargs('popitem', kw);
    arity('popitem', args, 0, 0);
    const d = self(s);
    checkMutable(d, 'delete from');
    const first = d.map.entries().next();
    if (first.done === true) return fail('popitem: empty dict');
    d.map.delete(first.value[0]);
    return new Tuple(first.value[1]);
  },
  setdefault: (s, args, kw) => {
    const [key, dflt] = unpack('setdefault', args, kw, ['key', 'default?']);
    const d = self(s);
    const e = d.map.get(hashKey(key!));
    if (e !== undefined) return e[1];
    dictSet(d, key!, dflt ?? None);
    return dflt ?? None;
  },
  update: (s, args, kw, call) => {
    checkMutable(self(s), 'insert into');
    dictUpdate(self(s), args, kw, 'update', call.thread.budget);
    return None;
  },
});
