import { fail } from './errors.js';
import { asIndex } from './sequence.js';
import { checkMutable, Dict, hashKey, StarList, type Value, typeName } from './values.js';

export function setIndex(x: Value, key: Value, v: Value): void {
  if (x instanceof StarList) {
    checkMutable(x, 'assign to element of');
    const n = x.elems.length;
    let i = asIndex(key, 'list index');
    const orig = i;
    if (i < 0) i += n;
    if (i < 0 || i >= n)
      fail(
        n === 0
          ? `index ${orig} out of range: empty list`
          : `list index ${orig} out of range [${-n}:${n - 1}]`,
      );
    x.elems[i] = v;
    return;
  }
  if (x instanceof Dict) return dictSet(x, key, v);
  fail(`${typeName(x)} value does not support item assignment`);
}

export function dictSet(d: Dict, key: Value, v: Value): void {
  const k = hashKey(key);
  checkMutable(d, 'insert into');
  const e = d.map.get(k);
  if (e !== undefined) e[1] = v;
  else d.map.set(k, [key, v]);
}
