import { binary, unary } from './arith.js';
import { callCost, collectArgs } from './call-args.js';
import type { CallExpr, Comprehension, Expr, FileNode, Ident, SliceExpr, Stmt } from './ast.js';
import { getAttr, setField } from './attrs.js';
import { EvalError, StarlarkError } from './errors.js';
import type { Budget } from './limits.js';
import type { Thread } from './thread.js';
import { elements, forEach, getIndex, slice } from './sequence.js';
import { setIndex } from './mutate.js';
import { reprForMessage } from './repr.js';
import {
  Builtin,
  checkMutable,
  Dict,
  hashKey,
  None,
  sizeOf,
  StarList,
  Tuple,
  truth,
  type Call,
  type Value,
  typeName,
} from './values.js';

const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
type Flow = typeof NORMAL | typeof BREAK | typeof CONTINUE;

interface Located {
  line: number;
  col: number;
}

/** Tree-walking evaluator over a resolved file. One instance per module execution. */
export class Evaluator {
  readonly globals: (Value | undefined)[];
  /** The thread's budget, held directly: every step of the walk charges it. */
  private readonly budget: Budget;
  private readonly locals: (Value | undefined)[];

  constructor(
    private readonly file: FileNode,
    private readonly predeclared: Value[],
    private readonly universe: readonly Value[],
    private readonly thread: Thread,
  ) {
    this.budget = thread.budget;
    this.globals = new Array<Value | undefined>(file.globals.length).fill(undefined);
    this.locals = new Array<Value | undefined>(file.localCount).fill(undefined);
  }

  /** Converts a positionless failure into a StarlarkError located at `at`. */
  locate(e: unknown, at: Located): unknown {
    if (e instanceof StarlarkError) return e;
    const pos = { filename: this.file.filename, line: at.line, column: at.col };
    if (e instanceof EvalError) return new StarlarkError(e.kind, e.message, pos);
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      return new StarlarkError('limit', 'evaluation nested too deeply (host stack exhausted)', pos);
    }
    if (e instanceof Error) return new StarlarkError('runtime', e.message, pos);
    return new StarlarkError('runtime', String(e), pos);
  }

  run(onStatement?: (s: Stmt) => void): void {
    for (const s of this.file.stmts) {
      onStatement?.(s);
      this.exec(s);
    }
  }

  execBlock(stmts: Stmt[]): Flow {
    for (const s of stmts) {
      const flow = this.exec(s);
      if (flow !== NORMAL) return flow;
    }
    return NORMAL;
  }

  exec(s: Stmt): Flow {
    this.budget.step();
    switch (s.t) {
      case 'expr':
        this.eval(s.x);
        return NORMAL;
      case 'assign':
        if (s.op === '=') this.assign(s.lhs, this.eval(s.rhs), s);
        else this.augmented(s.op, s.lhs, s.rhs, s);
        return NORMAL;
      case 'if':
        return this.execBlock(truth(this.eval(s.cond)) ? s.then : s.else);
      case 'for':
        return this.execFor(s.vars, s.iter, s.body, s);
      case 'break':
        return BREAK;
      case 'continue':
        return CONTINUE;
      default:
        return NORMAL;
    }
  }

  private execFor(vars: Expr, iterExpr: Expr, body: Stmt[], at: Located): Flow {
    const iterable = this.eval(iterExpr);
    try {
      forEach(iterable, this.budget, (v) => {
        this.assign(vars, v, at);
        return this.execBlock(body) === BREAK;
      });
    } catch (e) {
      throw this.locate(e, iterExpr);
    }
    return NORMAL;
  }

  private assign(target: Expr, v: Value, at: Located): void {
    switch (target.t) {
      case 'ident':
        if (target.scope === 'local') this.locals[target.slot] = v;
        else this.globals[target.slot] = v;
        return;
      case 'tuple':
      case 'list':
        return this.unpack(target.elts, v, at);
      case 'index': {
        const x = this.eval(target.x);
        const k = this.eval(target.index);
        try {
          setIndex(x, k, v);
        } catch (e) {
          throw this.locate(e, target);
        }
        return;
      }
      case 'dot':
        try {
          setField(this.eval(target.x), target.name);
        } catch (e) {
          throw this.locate(e, target);
        }
        return;
    }
  }

  private unpack(targets: Expr[], v: Value, at: Located): void {
    let items: readonly Value[];
    try {
      if (!(v instanceof StarList || v instanceof Tuple || v instanceof Dict || typeof v === 'object')) {
        throw new EvalError(`got ${typeName(v)} in sequence assignment`);
      }
      items = elements(v, this.budget, undefined);
      if (items.length > targets.length)
        throw new EvalError(`too many values to unpack (got ${items.length}, want ${targets.length})`);
      if (items.length < targets.length)
        throw new EvalError(`too few values to unpack (got ${items.length}, want ${targets.length})`);
    } catch (e) {
      if (e instanceof EvalError && /not iterable/.test(e.message))
        throw this.locate(new EvalError(`got ${typeName(v)} in sequence assignment`), at);
      throw this.locate(e, at);
    }
    for (let i = 0; i < targets.length; i++) this.assign(targets[i]!, items[i]!, at);
  }

  private augmented(op: string, lhs: Expr, rhs: Expr, at: Located): void {
    if (lhs.t === 'index') {
      const x = this.eval(lhs.x);
      const k = this.eval(lhs.index);
      try {
        const old = getIndex(x, k);
        setIndex(x, k, this.combine(op, old, this.eval(rhs)));
      } catch (e) {
        throw this.locate(e, at);
      }
      return;
    }
    if (lhs.t === 'dot') {
      const x = this.eval(lhs);
      try {
        this.combine(op, x, this.eval(rhs));
        setField(this.eval(lhs.x), lhs.name);
      } catch (e) {
        throw this.locate(e, at);
      }
      return;
    }
    const old = this.eval(lhs);
    const y = this.eval(rhs);
    try {
      this.assign(lhs, this.combine(op, old, y), at);
    } catch (e) {
      throw this.locate(e, at);
    }
  }

  /** `x op= y`; on a list, `+=` extends it in place, as the spec requires. */
  private combine(op: string, x: Value, y: Value): Value {
    if (op === '+' && x instanceof StarList) {
      checkMutable(x, 'apply += to');
      const items = elements(y, this.budget, undefined);
      if (!(y instanceof StarList || y instanceof Tuple || typeof y === 'object'))
        return binary(op, x, y, this.budget);
      this.budget.alloc(items.length, x.elems.length + items.length);
      for (const e of items === x.elems ? items.slice() : items) x.elems.push(e);
      return x;
    }
    return binary(op, x, y, this.budget);
  }

  eval(e: Expr): Value {
    switch (e.t) {
      case 'ident':
        return this.lookup(e);
      case 'lit':
        return e.value;
      case 'binary':
        return this.evalBinary(e.op, e.x, e.y, e);
      case 'call':
        return this.call(e);
      case 'dot': {
        const x = this.eval(e.x);
        try {
          return getAttr(x, e.name);
        } catch (err) {
          throw this.locate(err, e);
        }
      }
      case 'index': {
        const x = this.eval(e.x);
        const k = this.eval(e.index);
        try {
          return getIndex(x, k);
        } catch (err) {
          throw this.locate(err, e);
        }
      }
      case 'list':
      case 'tuple': {
        const out = new Array<Value>(e.elts.length);
        for (let i = 0; i < out.length; i++) out[i] = this.eval(e.elts[i]!);
        this.budget.alloc(out.length);
        return e.t === 'list' ? new StarList(out) : new Tuple(out);
      }
      case 'dict':
        return this.evalDict(e.entries);
      case 'comp':
        return this.comprehension(e);
      case 'unary': {
        const x = this.eval(e.x);
        if (e.op === 'not') return !truth(x);
        try {
          return unary(e.op, x);
        } catch (err) {
          throw this.locate(err, e);
        }
      }
      case 'cond':
        return truth(this.eval(e.cond)) ? this.eval(e.then) : this.eval(e.else);
      case 'slice':
        return this.evalSlice(e);
    }
  }

  private evalSlice(e: SliceExpr): Value {
    const x = this.eval(e.x);
    const lo = e.lo ? this.eval(e.lo) : undefined;
    const hi = e.hi ? this.eval(e.hi) : undefined;
    const step = e.step ? this.eval(e.step) : undefined;
    try {
      return slice(
        x,
        lo === None ? undefined : lo,
        hi === None ? undefined : hi,
        step === None ? undefined : step,
        this.budget,
      );
    } catch (err) {
      throw this.locate(err, e);
    }
  }

  private lookup(id: Ident): Value {
    let v: Value | undefined;
    switch (id.scope) {
      case 'global':
        v = this.globals[id.slot];
        if (v === undefined)
          throw this.locate(new EvalError(`global variable ${id.name} referenced before assignment`), id);
        return v;
      case 'local':
        v = this.locals[id.slot];
        if (v === undefined)
          throw this.locate(new EvalError(`local variable ${id.name} referenced before assignment`), id);
        return v;
      case 'predeclared':
        return this.predeclared[id.slot]!;
      case 'universe':
        return this.universe[id.slot]!;
      default:
        throw this.locate(new EvalError(`undefined: ${id.name}`), id);
    }
  }

  private evalBinary(op: string, xe: Expr, ye: Expr, at: Located): Value {
    const x = this.eval(xe);
    if (op === 'and') return truth(x) ? this.eval(ye) : x;
    if (op === 'or') return truth(x) ? x : this.eval(ye);
    const y = this.eval(ye);
    if (typeof x === 'object' || typeof y === 'object' || typeof x === 'string') {
      this.budget.step((sizeOf(x) + sizeOf(y)) >> 3);
    }
    try {
      return binary(op, x, y, this.budget);
    } catch (err) {
      throw this.locate(err, at);
    }
  }

  private evalDict(entries: [Expr, Expr][]): Value {
    const d = new Dict();
    for (const [ke, ve] of entries) {
      const k = this.eval(ke);
      const v = this.eval(ve);
      try {
        const hk = hashKey(k);
        if (d.map.has(hk)) throw new EvalError(`duplicate key: ${reprForMessage(k)}`);
        d.map.set(hk, [k, v]);
      } catch (err) {
        throw this.locate(err, ke);
      }
    }
    this.budget.allocEntries(entries.length);
    return d;
  }

  private comprehension(c: Comprehension): Value {
    for (const slot of c.slots) this.locals[slot] = undefined;
    const out: Value[] | Dict = c.dict ? new Dict() : [];
    this.clause(c, 0, out);
    return out instanceof Dict ? out : new StarList(out);
  }

  private clause(c: Comprehension, i: number, out: Value[] | Dict): void {
    const cl = c.clauses[i];
    if (cl === undefined) return this.emit(c, out);
    if (cl.t === 'if') {
      if (truth(this.eval(cl.cond))) this.clause(c, i + 1, out);
      return;
    }
    const iterable = this.eval(cl.iter);
    try {
      forEach(iterable, this.budget, (v) => {
        this.assign(cl.vars, v, cl);
        this.clause(c, i + 1, out);
      });
    } catch (err) {
      throw this.locate(err, cl.iter);
    }
  }

  private emit(c: Comprehension, out: Value[] | Dict): void {
    if (Array.isArray(out)) {
      out.push(this.eval(c.body));
      this.budget.alloc(1, out.length);
      return;
    }
    const k = this.eval(c.body);
    const v = this.eval(c.value!);
    try {
      out.map.set(hashKey(k), [k, v]);
      this.budget.allocEntries(1, out.map.size);
    } catch (err) {
      throw this.locate(err, c.body);
    }
  }

  private call(e: CallExpr): Value {
    const fn = this.eval(e.fn);
    let args: Value[];
    let kwargs: [string, Value][] | null = null;
    if (e.simple) {
      args = new Array<Value>(e.args.length);
      for (let i = 0; i < args.length; i++) args[i] = this.eval(e.args[i]!.value);
    } else {
      try {
        ({ args, kwargs } = collectArgs(e.args, (x) => this.eval(x), this.budget));
      } catch (err) {
        throw this.locate(err, e);
      }
    }
    this.budget.step(1 + (callCost(fn, args) >> 3));
    if (!(fn instanceof Builtin))
      throw this.locate(new EvalError(`invalid call of non-function (${typeName(fn)})`), e);
    const call: Call = { filename: this.file.filename, line: e.line, column: e.col, thread: this.thread };
    try {
      return fn.fn(fn.self, args, kwargs, call);
    } catch (err) {
      // Like starlark-go, a builtin's own errors are prefixed with its name.
      if (err instanceof EvalError && !err.message.startsWith(fn.name + ':')) {
        throw this.locate(new EvalError(`${fn.name}: ${err.message}`, err.kind), e);
      }
      throw this.locate(err, e);
    }
  }
}
