import type { Arg, Expr } from './ast.js';
import { EvalError } from './errors.js';
import type { Budget } from './limits.js';
import { elements, isIterable } from './sequence.js';
import { Builtin, Dict, sizeOf, type Value, typeName } from './values.js';

/** Builtins run in time linear in their operands, so big operands cost more steps. */
export function callCost(fn: Value, args: Value[]): number {
  let cost = fn instanceof Builtin ? sizeOf(fn.self) : 0;
  // An index loop: until the JIT has optimized this (most of a one-shot policy load), for…of goes
  // through the iterator protocol at every step.
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (typeof a === 'string' || typeof a === 'object') cost += sizeOf(a);
  }
  return cost;
}

/**
 * Evaluates a call's arguments, spreading `*args` and `**kwargs`, in source order. An object, not
 * a pair to destructure: unoptimized code destructures arrays through the iterator protocol.
 */
export function collectArgs(
  list: Arg[],
  evaluate: (e: Expr) => Value,
  budget: Budget,
): { args: Value[]; kwargs: [string, Value][] } {
  const args: Value[] = [];
  const kwargs: [string, Value][] = [];
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    const v = evaluate(a.value);
    if (a.kind === 'pos') args.push(v);
    else if (a.kind === 'named') kwargs.push([a.name, v]);
    else if (a.kind === 'star') {
      if (!isIterable(v)) throw new EvalError(`argument after * must be iterable, not ${typeName(v)}`);
      for (const x of elements(v, budget)) args.push(x);
    } else {
      if (!(v instanceof Dict))
        throw new EvalError(`argument after ** must be a mapping, not ${typeName(v)}`);
      for (const [k, x] of v.map.values()) {
        if (typeof k !== 'string') throw new EvalError(`keywords must be strings, not ${typeName(k)}`);
        kwargs.push([k, x]);
      }
    }
  }
  return { args, kwargs };
}
