import type { Arg, Expr, ForClause, IfClause } from './ast.js';
import { StarlarkError } from './errors.js';
import { describe, type Token } from './tokens.js';
import type { Limits } from './limits.js';
import { Bytes } from './values.js';

const BINARY_PREC: ReadonlyMap<string, number> = new Map([
  ['or', 0],
  ['and', 1],
  ['==', 3],
  ['!=', 3],
  ['<', 3],
  ['>', 3],
  ['<=', 3],
  ['>=', 3],
  ['in', 3],
  ['not in', 3],
  ['|', 4],
  ['^', 5],
  ['&', 6],
  ['<<', 7],
  ['>>', 7],
  ['-', 8],
  ['+', 8],
  ['*', 9],
  ['/', 9],
  ['//', 9],
  ['%', 9],
]);
const NOT_PREC = 2;
const MAX_PREC = 10;
const TERMINATES_LIST: ReadonlySet<string> = new Set(['eof', 'newline', '=', '}', ']', ')', ';']);

/** Recursive-descent expression parser following starlark-go's grammar and its error wording. */
export class ExprParser {
  protected i = 0;
  protected tok: Token;
  private nesting = 0;

  constructor(
    protected readonly toks: Token[],
    protected readonly filename: string,
    protected readonly limits: Limits,
  ) {
    this.tok = toks[0]!;
  }

  protected error(msg: string, t: Token = this.tok): never {
    throw new StarlarkError('syntax', msg, { filename: this.filename, line: t.line, column: t.col });
  }

  /** The current token's kind (a method, so checks after next() are not narrowed away). */
  protected k(): string {
    return this.tok.kind;
  }

  protected next(): Token {
    const t = this.tok;
    if (this.i < this.toks.length - 1) this.i++;
    this.tok = this.toks[this.i]!;
    return t;
  }

  protected consume(kind: string): Token {
    if (this.k() !== kind) {
      this.error(`got ${describe(this.tok)}, want ${describe({ kind, value: null, line: 0, col: 0 })}`);
    }
    return this.next();
  }

  private enter(): void {
    if (++this.nesting > this.limits.maxNestingDepth) {
      this.error(`expression nested too deeply (limit ${this.limits.maxNestingDepth})`);
    }
  }

  /** Expression = Test {',' Test}: an unparenthesized tuple where one is allowed. */
  parseExpr(inParens: boolean): Expr {
    const x = this.parseTest();
    if (this.k() !== ',') return x;
    return { t: 'tuple', elts: this.parseExprs([x], inParens), line: x.line, col: x.col };
  }

  protected parseExprs(exprs: Expr[], allowTrailingComma: boolean): Expr[] {
    while (this.k() === ',') {
      const comma = this.next();
      if (TERMINATES_LIST.has(this.k())) {
        if (!allowTrailingComma) this.error('unparenthesized tuple with trailing comma', comma);
        break;
      }
      exprs.push(this.parseTest());
    }
    return exprs;
  }

  parseTest(): Expr {
    this.enter();
    const x = this.parseTestPrec(0);
    let result = x;
    if (this.k() === 'if') {
      const ifTok = this.next();
      const cond = this.parseTestPrec(0);
      if (this.k() !== 'else') this.error('conditional expression without else clause', ifTok);
      this.next();
      const otherwise = this.parseTest();
      result = { t: 'cond', cond, then: x, else: otherwise, line: ifTok.line, col: ifTok.col };
    }
    this.nesting--;
    return result;
  }

  /**
   * starlark-go's precedence climbing, where each level parses the next tighter one and then takes
   * its own operators. The descent to the operand is done here at once, and the levels' loops run
   * on the way back up; once no operator follows, the remaining levels have nothing to take.
   */
  protected parseTestPrec(prec: number): Expr {
    if (prec >= MAX_PREC) return this.parsePrimaryWithSuffix();
    let x: Expr;
    let level: number;
    if (this.k() === 'not' && prec <= NOT_PREC) {
      const t = this.next();
      this.enter();
      const operand = this.parseTestPrec(NOT_PREC);
      this.nesting--;
      x = { t: 'unary', op: 'not', x: operand, line: t.line, col: t.col };
      level = NOT_PREC;
    } else {
      x = this.parsePrimaryWithSuffix();
      level = MAX_PREC;
    }
    for (let p = level - 1; p >= prec; p--) {
      const k = this.k();
      if (k !== 'not' && !BINARY_PREC.has(k)) break;
      x = this.parseBinop(p, x);
    }
    return x;
  }

  /** The operators of precedence `prec` after `x` (already parsed at the tighter levels). */
  private parseBinop(prec: number, left: Expr): Expr {
    let x = left;
    let chain = 0;
    for (let first = true; ; first = false) {
      if (this.k() === 'not') {
        const notTok = this.next();
        if (this.k() !== 'in') this.error(`got ${describe(this.tok)}, want in`);
        this.tok = { kind: 'not in', value: null, line: notTok.line, col: notTok.col };
      }
      const opPrec = BINARY_PREC.get(this.k());
      if (opPrec === undefined || opPrec < prec) return x;
      if (!first && opPrec === 3 && x.t === 'binary') {
        this.error(`${x.op} does not associate with ${this.k()} (use parens)`);
      }
      if (++chain > this.limits.maxNestingDepth * 10)
        this.error('expression too long (too many operators in a chain)');
      const op = this.next();
      const y = this.parseTestPrec(opPrec + 1);
      x = { t: 'binary', op: op.kind, x, y, line: op.line, col: op.col };
    }
  }

  protected parsePrimaryWithSuffix(): Expr {
    let x = this.parsePrimary();
    for (;;) {
      const t = this.tok;
      if (t.kind === '.') {
        this.next();
        const id = this.consume('ident');
        x = { t: 'dot', x, name: id.value as string, line: id.line, col: id.col };
      } else if (t.kind === '[') {
        x = this.parseSliceSuffix(x);
      } else if (t.kind === '(') {
        this.next();
        const args = this.parseArgs();
        this.consume(')');
        const simple = args.every((a) => a.kind === 'pos');
        x = { t: 'call', fn: x, args, simple, line: t.line, col: t.col };
      } else return x;
    }
  }

  private parseSliceSuffix(x: Expr): Expr {
    const lb = this.next();
    let lo: Expr | null = null;
    if (this.k() !== ':') {
      const index = this.parseExpr(false);
      if (this.k() === ']') {
        this.next();
        return { t: 'index', x, index, line: lb.line, col: lb.col };
      }
      lo = index;
    }
    let hi: Expr | null = null;
    let step: Expr | null = null;
    this.consume(':');
    if (this.k() !== ':' && this.k() !== ']') hi = this.parseTest();
    if (this.k() === ':') {
      this.next();
      if (this.k() !== ']') step = this.parseTest();
    }
    this.consume(']');
    return { t: 'slice', x, lo, hi, step, line: lb.line, col: lb.col };
  }

  private parseArgs(): Arg[] {
    const args: Arg[] = [];
    while (this.k() !== ')' && this.k() !== 'eof') {
      if (args.length > 0) this.consume(',');
      if (this.k() === ')') break;
      if (this.k() === '*' || this.k() === '**') {
        const star = this.next().kind;
        const value = this.parseTest();
        args.push(star === '*' ? { kind: 'star', value } : { kind: 'kwstar', value });
        continue;
      }
      const x = this.parseTest();
      if (this.k() === '=') {
        if (x.t !== 'ident') this.error('keyword argument must have form name=expr');
        this.next();
        args.push({ kind: 'named', name: x.name, value: this.parseTest() });
      } else args.push({ kind: 'pos', value: x });
    }
    return args;
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    switch (t.kind) {
      case 'ident':
        this.next();
        return {
          t: 'ident',
          name: t.value as string,
          line: t.line,
          col: t.col,
          scope: 'unresolved',
          slot: -1,
        };
      case 'int':
      case 'float':
      case 'string':
        this.next();
        return { t: 'lit', value: t.value as bigint | number | string, line: t.line, col: t.col };
      case 'bytes':
        this.next();
        return { t: 'lit', value: new Bytes(t.value as string), line: t.line, col: t.col };
      case '[':
        return this.parseList();
      case '{':
        return this.parseDict();
      case '(':
        return this.parseParen();
      case '-':
      case '+':
      case '~': {
        this.next();
        this.enter();
        const x = this.parsePrimaryWithSuffix();
        this.nesting--;
        return { t: 'unary', op: t.kind, x, line: t.line, col: t.col };
      }
    }
    this.error(`got ${describe(t)}, want primary expression`);
  }

  private parseParen(): Expr {
    const lp = this.next();
    if (this.k() === ')') {
      this.next();
      return { t: 'tuple', elts: [], line: lp.line, col: lp.col };
    }
    const x = this.parseExpr(true);
    this.consume(')');
    return x;
  }

  private parseList(): Expr {
    const lb = this.next();
    if (this.k() === ']') {
      this.next();
      return { t: 'list', elts: [], line: lb.line, col: lb.col };
    }
    const x = this.parseTest();
    if (this.k() === 'for') {
      const clauses = this.parseComprehensionSuffix(']');
      return { t: 'comp', dict: false, body: x, value: null, clauses, slots: [], line: lb.line, col: lb.col };
    }
    const elts = this.parseExprs([x], true);
    this.consume(']');
    return { t: 'list', elts, line: lb.line, col: lb.col };
  }

  private parseDict(): Expr {
    const lb = this.next();
    const entries: [Expr, Expr][] = [];
    if (this.k() === '}') {
      this.next();
      return { t: 'dict', entries, line: lb.line, col: lb.col };
    }
    const k = this.parseTest();
    this.consume(':');
    const v = this.parseTest();
    if (this.k() === 'for') {
      const clauses = this.parseComprehensionSuffix('}');
      return { t: 'comp', dict: true, body: k, value: v, clauses, slots: [], line: lb.line, col: lb.col };
    }
    entries.push([k, v]);
    while (this.k() === ',') {
      this.next();
      if (this.k() === '}') break;
      const k2 = this.parseTest();
      this.consume(':');
      entries.push([k2, this.parseTest()]);
    }
    this.consume('}');
    return { t: 'dict', entries, line: lb.line, col: lb.col };
  }

  private parseComprehensionSuffix(end: string): (ForClause | IfClause)[] {
    const clauses: (ForClause | IfClause)[] = [];
    while (this.k() !== end) {
      const t = this.tok;
      if (t.kind === 'for') {
        this.next();
        const vars = this.parseForLoopVariables();
        this.consume('in');
        const iter = this.parseTestPrec(0);
        clauses.push({ t: 'for', vars, iter, line: t.line, col: t.col });
      } else if (t.kind === 'if') {
        this.next();
        clauses.push({ t: 'if', cond: this.parseTestPrec(0), line: t.line, col: t.col });
      } else {
        this.error(`got ${describe(t)}, want '${end}', for, or if`);
      }
    }
    this.next();
    return clauses;
  }

  protected parseForLoopVariables(): Expr {
    const v = this.parsePrimaryWithSuffix();
    if (this.k() !== ',') return v;
    const elts = [v];
    while (this.k() === ',') {
      this.next();
      if (TERMINATES_LIST.has(this.k())) break;
      elts.push(this.parsePrimaryWithSuffix());
    }
    return { t: 'tuple', elts, line: v.line, col: v.col };
  }
}
