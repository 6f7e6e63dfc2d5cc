import { fail } from './errors.js';
import { Builtin, None, type Call, type Value } from './values.js';

/**
 * Binds a builtin's arguments to its parameters. A name ending in '?' is optional; the result
 * holds `undefined` for optional parameters that were not supplied.
 */
export function unpack(
  fname: string,
  args: Value[],
  kwargs: [string, Value][] | null,
  params: readonly string[],
): (Value | undefined)[] {
  const out = new Array<Value | undefined>(params.length).fill(undefined);
  if (args.length > params.length) {
    fail(`${fname}: got ${args.length} arguments, want at most ${params.length}`);
  }
  for (let i = 0; i < args.length; i++) out[i] = args[i];
  if (kwargs !== null) {
    for (const [k, v] of kwargs) {
      const i = params.findIndex((p) => p === k || p === k + '?');
      if (i < 0) {
        const near = params.map((p) => p.replace('?', '')).find((p) => editDistance(p, k) <= 1);
        fail(
          `${fname}: unexpected keyword argument "${k}"${near !== undefined ? ` (did you mean ${near}?)` : ''}`,
        );
      }
      if (out[i] !== undefined) fail(`${fname}: got multiple values for parameter "${k}"`);
      out[i] = v;
    }
  }
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (out[i] === undefined && !p.endsWith('?')) fail(`${fname}: missing argument for ${p}`);
  }
  return out;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 1) return 2;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const tail = (x: string, y: string): boolean =>
    x.slice(i + 1) === y.slice(i + 1) || x.slice(i + 1) === y.slice(i) || x.slice(i) === y.slice(i + 1);
  return a === b ? 0 : tail(a, b) ? 1 : 2;
}

export function noKwargs(fname: string, kwargs: [string, Value][] | null): void {
  if (kwargs !== null && kwargs.length > 0) fail(`${fname}: unexpected keyword arguments`);
}

export function arity(fname: string, args: Value[], min: number, max: number): void {
  if (args.length < min) {
    fail(
      `${fname}: got ${args.length} argument${args.length === 1 ? '' : 's'}, want ${min === max ? '' : 'at least '}${min}`,
    );
  }
  if (args.length > max) {
    fail(`${fname}: got ${args.length} arguments, want ${min === max ? '' : 'at most '}${max}`);
  }
}

/** Shorthand for a builtin that takes only positional arguments. */
export function positional(
  name: string,
  min: number,
  max: number,
  f: (args: Value[], call: Call) => Value,
): Builtin {
  return new Builtin(name, (_self, args, kwargs, call) => {
    noKwargs(name, kwargs);
    arity(name, args, min, max);
    return f(args, call);
  });
}

export function isNone(v: Value | undefined): v is undefined {
  return v === undefined || v === None;
}
