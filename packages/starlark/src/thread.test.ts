import { describe, expect, it } from 'vitest';
import {
  builtin,
  callFunction,
  execModule,
  fromJs,
  None,
  StarlarkError,
  Thread,
  type Value,
} from './index.js';

/** A global of a module that has finished running (a frozen value, a builtin or a bound method). */
function globalOf(source: string, name: string): Value {
  const value = execModule(source).globals.get(name);
  if (value === undefined) throw new Error(`${name} is not defined by ${source}`);
  return value;
}

function limitError(run: () => unknown): StarlarkError {
  try {
    run();
  } catch (e) {
    if (e instanceof StarlarkError && e.kind === 'limit') return e;
    throw e;
  }
  throw new Error('expected a limit error, but the call succeeded');
}

const words = (n: number): Value => fromJs(Array.from({ length: n }, (_, i) => `word${i}`));

describe('threads carry the budget', () => {
  it('calls a bound method after its evaluation has ended, on the thread the host gives', () => {
    const join = globalOf('join = ",".join', 'join');
    expect(callFunction(new Thread(), join, [fromJs(['a', 'b'])])).toBe('a,b');
    const error = limitError(() =>
      callFunction(new Thread({ limits: { maxStringLength: 8 } }), join, [words(3)]),
    );
    expect(error.reason).toMatch(/string too long/);
  });

  it('holds two interleaved threads with different limits each to its own', async () => {
    const join = globalOf('join = "-".join', 'join');
    const sorted = globalOf('sorted_ = sorted', 'sorted_');
    const tight = new Thread({ limits: { maxStringLength: 40, maxSteps: 1_000 } });
    const loose = new Thread();
    // Two hosts, each awaiting between its calls, so their calls alternate.
    const drive = async (thread: Thread): Promise<string[]> => {
      const outcomes: string[] = [];
      for (const n of [2, 50, 400]) {
        await Promise.resolve();
        try {
          callFunction(thread, sorted, [words(n)]);
          outcomes.push(`${n}: ${String(callFunction(thread, join, [words(n)])).length} chars`);
        } catch (e) {
          outcomes.push(`${n}: ${e instanceof StarlarkError ? e.kind : String(e)}`);
        }
      }
      return outcomes;
    };
    const [fromTight, fromLoose] = await Promise.all([drive(tight), drive(loose)]);
    expect(fromTight).toEqual(['2: 11 chars', '50: limit', '400: limit']);
    const joined = (n: number): string =>
      `${n}: ${String(callFunction(new Thread(), join, [words(n)])).length} chars`;
    expect(fromLoose).toEqual([joined(2), joined(50), joined(400)]);
    // sorted() charges one step per element to the thread that called it, and to no other.
    expect(tight.steps).toBe(2 + 50 + 400);
    expect(loose.steps).toBe(2 + 50 + 400);
  });

  it('runs nested evaluations on their own budgets while the outer keeps its own', () => {
    const outcomes: string[] = [];
    // A native of the outer module runs another module, twice with different string limits, and
    // hands it a method of the outer one: the inner module's call of it spends the inner budget.
    const nested = builtin('nested', ({ args }) => {
      for (const maxStringLength of [64, 16]) {
        try {
          const inner = execModule('z = [i for i in range(300)]\nx = f(["abcdefgh"] * 4)', {
            limits: { maxStringLength },
            predeclared: { f: args[0]! },
          });
          outcomes.push(`inner (${maxStringLength}) finished in ${inner.steps} steps`);
        } catch (e) {
          outcomes.push(
            e instanceof StarlarkError ? `inner (${maxStringLength}) ${e.kind}: ${e.reason}` : String(e),
          );
        }
      }
      return None;
    });
    const outer = execModule('nested(",".join)\ny = ",".join(["abcdefgh"] * 4)', {
      predeclared: { nested },
      limits: { maxStringLength: 40 },
    });
    expect(outcomes).toEqual([
      expect.stringMatching(/^inner \(64\) finished in \d{3} steps$/),
      'inner (16) limit: join: string too long (35 > 16 characters; the string length limit is 16)',
    ]);
    expect(outer.globals.get('y')).toBe(Array(4).fill('abcdefgh').join(','));
    // The inner comprehensions' 600-odd steps are not the outer module's.
    expect(outer.steps).toBeLessThan(300);
  });

  it('charges a native callback to the evaluation that made the native call', () => {
    const apply = builtin('apply', ({ args, thread }) => callFunction(thread, args[0]!, [args[1]!]));
    const source = 'n = apply(sorted, list(range(2000)))';
    expect(() => execModule(source, { predeclared: { apply } })).not.toThrow();
    const error = limitError(() =>
      execModule(source, { predeclared: { apply }, limits: { maxSteps: 1_000 } }),
    );
    expect(error.reason).toMatch(/step budget exhausted \(1000 steps\)/);
    expect([error.line, error.column]).toEqual([1, 10]);
  });

  it('sends print() output of nested evaluations to their own printers', () => {
    const printed: string[] = [];
    const nested = builtin('nested', () => {
      execModule('print("inner")', { print: (m) => printed.push(`inner printer: ${m}`) });
      return None;
    });
    execModule('print("before")\nnested()\nprint("after")', {
      predeclared: { nested },
      print: (m) => printed.push(`outer printer: ${m}`),
    });
    expect(printed).toEqual(['outer printer: before', 'inner printer: inner', 'outer printer: after']);
  });
});
