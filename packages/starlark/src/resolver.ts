import type { Arg, Comprehension, Expr, FileNode, Ident, Stmt } from './ast.js';
import { type Diagnostic, StarlarkError } from './errors.js';

export type Dialect = 'strict' | 'relaxed';

/** Where names that are not globals come from; returns -1 when the environment lacks the name. */
export interface Environment {
  predeclared(name: string): number;
  universe(name: string): number;
}

interface GlobalBinding {
  slot: number;
  line: number;
  col: number;
}

/**
 * Static checks and name resolution. Every identifier gets a scope and slot; comprehension
 * variables get file-unique local slots (there are no functions, so no recursion can reuse
 * them). All errors are collected; the first is thrown with the rest in `all`.
 */
export function resolveFile(file: FileNode, dialect: Dialect, env: Environment): void {
  new Resolver(file, dialect, env).run();
}

class Resolver {
  private readonly globals = new Map<string, GlobalBinding>();
  private readonly blocks: Map<string, number>[] = [];
  private readonly errors: Diagnostic[] = [];
  private loopDepth = 0;
  private localCount = 0;

  constructor(
    private readonly file: FileNode,
    private readonly dialect: Dialect,
    private readonly env: Environment,
  ) {}

  run(): void {
    if (this.dialect === 'strict') this.hoist(this.file.stmts);
    this.stmts(this.file.stmts);
    this.file.localCount = this.localCount;
    const names: string[] = [];
    for (const [name, b] of this.globals) names[b.slot] = name;
    this.file.globals = names;
    if (this.errors.length > 0) {
      this.errors.sort((a, b) => a.line - b.line || a.column - b.column);
      const first = this.errors[0]!;
      const kind = first.kind;
      throw new StarlarkError(
        kind,
        first.message,
        { filename: this.file.filename, line: first.line, column: first.column },
        this.errors,
      );
    }
  }

  private error(line: number, col: number, message: string): void {
    this.errors.push({ kind: 'resolve', line, column: col, message });
  }

  /** Strict dialect: every top-level binding is a global from the start of the module. */
  private hoist(stmts: Stmt[]): void {
    for (const s of stmts) {
      if (s.t === 'assign' && s.op === '=') this.declareTargets(s.lhs, true);
      else if (s.t === 'assign' && s.lhs.t === 'ident') this.declareTargets(s.lhs, true);
      else if (s.t === 'for') {
        this.declareTargets(s.vars, true);
        this.hoist(s.body);
      } else if (s.t === 'if') {
        this.hoist(s.then);
        this.hoist(s.else);
      }
    }
  }

  private declareTargets(x: Expr, hoisting: boolean): void {
    if (x.t === 'ident') {
      const existing = this.globals.get(x.name);
      if (existing === undefined) {
        this.globals.set(x.name, { slot: this.globals.size, line: x.line, col: x.col });
      } else if (
        !hoisting &&
        this.dialect === 'strict' &&
        (existing.line !== x.line || existing.col !== x.col)
      ) {
        this.error(
          x.line,
          x.col,
          `cannot reassign global ${x.name} declared at ${this.file.filename}:${existing.line}:${existing.col}`,
        );
      }
    } else if (x.t === 'list' || x.t === 'tuple') {
      for (const e of x.elts) this.declareTargets(e, hoisting);
    }
  }

  private stmts(list: Stmt[]): void {
    for (const s of list) this.stmt(s);
  }

  private stmt(s: Stmt): void {
    const topLevel = this.loopDepth === 0 && this.blocks.length === 0;
    switch (s.t) {
      case 'expr':
        return this.expr(s.x);
      case 'assign':
        this.expr(s.rhs);
        if (s.op === '=') return this.assignTarget(s.lhs, false);
        if (s.lhs.t === 'list' || s.lhs.t === 'tuple') {
          return this.error(s.line, s.col, `can't use ${s.lhs.t} expression in augmented assignment`);
        }
        this.expr(s.lhs);
        return this.assignTarget(s.lhs, true);
      case 'if':
        if (this.dialect === 'strict' && topLevel && !this.inControl)
          this.error(s.line, s.col, 'if statement not within a function');
        this.expr(s.cond);
        this.nested(() => {
          this.stmts(s.then);
          this.stmts(s.else);
        });
        return;
      case 'for':
        if (this.dialect === 'strict' && !this.inControl)
          this.error(s.line, s.col, 'for loop not within a function');
        this.expr(s.iter);
        this.assignTarget(s.vars, false);
        this.loopDepth++;
        this.nested(() => this.stmts(s.body));
        this.loopDepth--;
        return;
      case 'break':
      case 'continue':
        if (this.loopDepth === 0) this.error(s.line, s.col, `${s.t} not in a loop`);
        return;
      case 'return':
        this.error(s.line, s.col, 'return statement not within a function');
        if (s.value) this.expr(s.value);
        return;
      case 'pass':
        return;
    }
  }

  /** Set while resolving inside a top-level if/for body, so nested ones are not reported again. */
  private inControl = false;

  private nested(f: () => void): void {
    const saved = this.inControl;
    this.inControl = true;
    f();
    this.inControl = saved;
  }

  private assignTarget(x: Expr, augmented: boolean): void {
    switch (x.t) {
      case 'ident':
        return this.bind(x);
      case 'list':
      case 'tuple':
        for (const e of x.elts) this.assignTarget(e, augmented);
        return;
      case 'index':
        if (augmented) return;
        this.expr(x.x);
        return this.expr(x.index);
      case 'dot':
        if (!augmented) this.expr(x.x);
        return;
      case 'lit':
        return this.error(x.line, x.col, "can't assign to literal");
      default:
        return this.error(x.line, x.col, `can't assign to ${NODE_NAMES[x.t] ?? x.t}`);
    }
  }

  private bind(id: Ident): void {
    const block = this.blocks[this.blocks.length - 1];
    if (block !== undefined) {
      let slot = block.get(id.name);
      if (slot === undefined) block.set(id.name, (slot = this.localCount++));
      id.scope = 'local';
      id.slot = slot;
      return;
    }
    if (this.dialect === 'strict') {
      const g = this.globals.get(id.name)!;
      if (g.line !== id.line || g.col !== id.col) {
        this.error(
          id.line,
          id.col,
          `cannot reassign global ${id.name} declared at ${this.file.filename}:${g.line}:${g.col}`,
        );
      }
    } else this.declareTargets(id, false);
    const g = this.globals.get(id.name)!;
    id.scope = 'global';
    id.slot = g.slot;
  }

  private use(id: Ident): void {
    for (let i = this.blocks.length - 1; i >= 0; i--) {
      const slot = this.blocks[i]!.get(id.name);
      if (slot !== undefined) {
        id.scope = 'local';
        id.slot = slot;
        return;
      }
    }
    const g = this.globals.get(id.name);
    if (g !== undefined) {
      id.scope = 'global';
      id.slot = g.slot;
      return;
    }
    let slot = this.env.predeclared(id.name);
    if (slot >= 0) {
      id.scope = 'predeclared';
      id.slot = slot;
      return;
    }
    slot = this.env.universe(id.name);
    if (slot >= 0) {
      id.scope = 'universe';
      id.slot = slot;
      return;
    }
    this.error(id.line, id.col, `undefined: ${id.name}`);
  }

  private expr(x: Expr): void {
    switch (x.t) {
      case 'ident':
        return this.use(x);
      case 'lit':
        return;
      case 'list':
      case 'tuple':
        for (const e of x.elts) this.expr(e);
        return;
      case 'dict':
        for (const [k, v] of x.entries) {
          this.expr(k);
          this.expr(v);
        }
        return;
      case 'comp':
        return this.comprehension(x);
      case 'unary':
        return this.expr(x.x);
      case 'binary':
        this.expr(x.x);
        return this.expr(x.y);
      case 'cond':
        this.expr(x.cond);
        this.expr(x.then);
        return this.expr(x.else);
      case 'call':
        this.expr(x.fn);
        return this.args(x.args, x.line, x.col);
      case 'dot':
        return this.expr(x.x);
      case 'index':
        this.expr(x.x);
        return this.expr(x.index);
      case 'slice':
        this.expr(x.x);
        if (x.lo) this.expr(x.lo);
        if (x.hi) this.expr(x.hi);
        if (x.step) this.expr(x.step);
        return;
    }
  }

  private args(args: Arg[], line: number, col: number): void {
    let seenNamed = false;
    let seenStar = false;
    let seenKwstar = false;
    const names = new Set<string>();
    for (const a of args) {
      if (a.kind === 'pos') {
        if (seenStar || seenKwstar)
          this.error(line, col, 'positional argument may not follow *args or **kwargs');
        else if (seenNamed) this.error(line, col, 'positional argument may not follow named');
      } else if (a.kind === 'named') {
        if (seenKwstar) this.error(line, col, 'keyword argument may not follow **kwargs');
        if (names.has(a.name)) this.error(line, col, `keyword argument ${a.name} is repeated`);
        names.add(a.name);
        seenNamed = true;
      } else if (a.kind === 'star') {
        if (seenStar) this.error(line, col, 'multiple *args not allowed');
        if (seenKwstar) this.error(line, col, '*args may not follow **kwargs');
        seenStar = true;
      } else {
        if (seenKwstar) this.error(line, col, 'multiple **kwargs not allowed');
        seenKwstar = true;
      }
      this.expr(a.value);
    }
  }

  private declareLocals(x: Expr, block: Map<string, number>, slots: number[]): void {
    if (x.t === 'ident') {
      if (!block.has(x.name)) {
        block.set(x.name, this.localCount);
        slots.push(this.localCount++);
      }
    } else if (x.t === 'list' || x.t === 'tuple') {
      for (const e of x.elts) this.declareLocals(e, block, slots);
    }
  }

  private comprehension(c: Comprehension): void {
    const first = c.clauses[0]!;
    if (first.t === 'for') this.expr(first.iter);
    // One lexical block for the whole comprehension: every clause variable is local to it from
    // the start, so `for x in x` in a later clause refers to the comprehension's own x.
    const block = new Map<string, number>();
    for (const cl of c.clauses) if (cl.t === 'for') this.declareLocals(cl.vars, block, c.slots);
    this.blocks.push(block);
    const savedLoop = this.loopDepth;
    this.loopDepth = 0;
    for (let i = 0; i < c.clauses.length; i++) {
      const cl = c.clauses[i]!;
      if (cl.t === 'for') {
        if (i > 0) this.expr(cl.iter);
        this.assignTarget(cl.vars, false);
      } else this.expr(cl.cond);
    }
    this.expr(c.body);
    if (c.value) this.expr(c.value);
    this.loopDepth = savedLoop;
    this.blocks.pop();
  }
}

const NODE_NAMES: Record<string, string> = {
  binary: 'binaryexpr',
  unary: 'unaryexpr',
  call: 'callexpr',
  cond: 'condexpr',
  dict: 'dictexpr',
  comp: 'comprehension',
  slice: 'sliceexpr',
};
