import {
  builtin,
  callFunction,
  containsValue,
  freezeValue,
  isTruthy,
  lessThan,
  None,
  reprValue,
  StarlarkError,
  strValue,
  valuesEqual,
  type Value,
} from '../src/index.js';

/**
 * The assertion natives of the corpus's ASSERT_NATIVES.md. Failures are recorded per call site
 * (line:column) and never stop the program; a site counts as a passed check when it ran and
 * never failed.
 */
export class AssertionLog {
  readonly sites = new Map<string, boolean>();
  failures = 0;
  readonly messages: string[] = [];

  record(pos: { line: number; column: number }, ok: boolean, message = ''): Value {
    const key = `${pos.line}:${pos.column}`;
    if (!ok) {
      this.failures++;
      this.messages.push(`${pos.line}: ${message}`);
    }
    this.sites.set(key, (this.sites.get(key) ?? true) && ok);
    return None;
  }

  passedSites(): number {
    let n = 0;
    for (const ok of this.sites.values()) if (ok) n++;
    return n;
  }
}

function nearlyEqual(x: Value, y: Value): boolean {
  const num = (v: Value): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';
  if (!num(x) || !num(y) || (typeof x !== 'number' && typeof y !== 'number')) return false;
  const a = Number(x);
  const b = Number(y);
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const buf = new DataView(new ArrayBuffer(16));
  buf.setFloat64(0, a);
  buf.setFloat64(8, b);
  const ia = buf.getBigInt64(0);
  const ib = buf.getBigInt64(8);
  if (ia < 0n !== ib < 0n) return false;
  const d = ia - ib;
  return d === 1n || d === -1n;
}

function arity(name: string, args: Value[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    throw new Error(`${name}: got ${args.length} arguments, want ${min === max ? min : `${min}..${max}`}`);
  }
}

export function assertNatives(log: AssertionLog): Record<string, Value> {
  const truthy = (name: string) =>
    builtin(name, ({ args, position }) => {
      arity(name, args, 1, 2);
      const ok = valuesEqual(args[0]!, true) || isTruthy(args[0]!);
      return log.record(position, ok, args[1] !== undefined ? strValue(args[1]) : 'assertion failed');
    });
  return {
    assert_eq: builtin('assert_eq', ({ args, position }) => {
      arity('assert_eq', args, 2, 3);
      const ok = valuesEqual(args[0]!, args[1]!) || nearlyEqual(args[0]!, args[1]!);
      return log.record(position, ok, `${reprValue(args[0]!)} != ${reprValue(args[1]!)}`);
    }),
    assert_ne: builtin('assert_ne', ({ args, position }) => {
      arity('assert_ne', args, 2, 3);
      return log.record(
        position,
        !valuesEqual(args[0]!, args[1]!),
        `${reprValue(args[0]!)} == ${reprValue(args[1]!)}`,
      );
    }),
    assert_true: truthy('assert_true'),
    assert_: truthy('assert_'),
    assert_lt: builtin('assert_lt', ({ args, position }) => {
      arity('assert_lt', args, 2, 2);
      return log.record(
        position,
        lessThan(args[0]!, args[1]!),
        `${reprValue(args[0]!)} is not less than ${reprValue(args[1]!)}`,
      );
    }),
    assert_contains: builtin('assert_contains', ({ args, position }) => {
      arity('assert_contains', args, 2, 2);
      return log.record(
        position,
        containsValue(args[0]!, args[1]!),
        `${reprValue(args[0]!)} does not contain ${reprValue(args[1]!)}`,
      );
    }),
    assert_fail: builtin('assert_fail', ({ args, position }) =>
      log.record(position, false, args.map(strValue).join(' ')),
    ),
    assert_fails: builtin('assert_fails', ({ args, position, thread }) => {
      arity('assert_fails', args, 2, 2);
      try {
        callFunction(thread, args[0]!, [], [], position);
      } catch (e) {
        const msg = e instanceof StarlarkError ? e.reason : String(e);
        return log.record(
          position,
          new RegExp(strValue(args[1]!)).test(msg),
          `error ${msg} does not match ${strValue(args[1]!)}`,
        );
      }
      return log.record(position, false, 'evaluation succeeded unexpectedly');
    }),
    freeze: builtin('freeze', ({ args }) => {
      arity('freeze', args, 1, 1);
      return freezeValue(args[0]!);
    }),
  };
}
