import { fail } from './errors.js';
import { dictMethods } from './methods-dict.js';
import { listMethods, setMethods } from './methods-list.js';
import { bytesMethods, stringMethods } from './string-methods.js';
import { Builtin, Bytes, Dict, StarList, StarSet, type MethodTable, type Value, typeName } from './values.js';

function methodsOf(x: Value): MethodTable | null {
  if (typeof x === 'string') return stringMethods;
  if (x instanceof StarList) return listMethods;
  if (x instanceof Dict) return dictMethods;
  if (x instanceof StarSet) return setMethods;
  if (x instanceof Bytes) return bytesMethods;
  return null;
}

export function getAttrOrUndefined(x: Value, name: string): Value | undefined {
  const table = methodsOf(x);
  if (table === null || !Object.hasOwn(table, name)) return undefined;
  return new Builtin(name, table[name]!, x, true);
}

export function getAttr(x: Value, name: string): Value {
  const v = getAttrOrUndefined(x, name);
  if (v !== undefined) return v;
  const hint = suggest(name, dirOf(x));
  return fail(`${typeName(x)} has no .${name} field or method${hint ? ` (did you mean .${hint}?)` : ''}`);
}

export function dirOf(x: Value): string[] {
  const table = methodsOf(x);
  return table === null ? [] : Object.keys(table).sort();
}

export function setField(x: Value, name: string): never {
  return fail(
    `${typeName(x)} value has no field or method .${name} to assign (can't assign to .${name} field of ${typeName(x)})`,
  );
}

/** The closest candidate by edit distance, for "did you mean" hints (starlark-go's spell.Nearest). */
function suggest(name: string, candidates: string[]): string | null {
  let best: string | null = null;
  let bestDist = Math.max(1, Math.floor((name.length + 1) / 2));
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const d =
      c.toLowerCase() === lower
        ? 0
        : distance(name.replace(/_/g, '').toLowerCase(), c.replace(/_/g, '').toLowerCase());
    if (d <= bestDist) {
      bestDist = d;
      best = c;
      if (d === 0) break;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
