import { compare, contains } from './ops.js';
import { truth, type Value } from './values.js';

/** Starlark's `<`, `in` and truth, for hosts that implement assertion helpers. */
export function lessThan(x: Value, y: Value): boolean {
  return compare(x, y) < 0;
}

export function containsValue(container: Value, x: Value): boolean {
  return contains(container, x);
}

export function isTruthy(v: Value): boolean {
  return truth(v);
}
