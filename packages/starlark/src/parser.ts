import type { FileNode, Stmt } from './ast.js';
import { StarlarkError } from './errors.js';
import { tokenize } from './lexer.js';
import type { Limits } from './limits.js';
import { ExprParser } from './parser-expr.js';

const AUGMENTED: Record<string, string> = {
  '+=': '+',
  '-=': '-',
  '*=': '*',
  '/=': '/',
  '//=': '//',
  '%=': '%',
  '&=': '&',
  '|=': '|',
  '^=': '^',
  '<<=': '<<',
  '>>=': '>>',
};

/** Parses a whole file; the first syntax error is thrown as a StarlarkError of kind 'syntax'. */
export function parseFile(src: string, filename: string, limits: Limits): FileNode {
  if (src.length > limits.maxSourceBytes) {
    throw new StarlarkError('limit', `source too large (${src.length} > ${limits.maxSourceBytes} bytes)`, {
      filename,
      line: 1,
      column: 1,
    });
  }
  const toks = tokenize(src, filename, limits);
  return new StmtParser(toks, filename, limits).parseFile();
}

class StmtParser extends ExprParser {
  parseFile(): FileNode {
    const stmts: Stmt[] = [];
    while (this.k() !== 'eof') {
      if (this.k() === 'newline') {
        this.next();
        continue;
      }
      this.parseStmt(stmts);
    }
    return { t: 'file', filename: this.filename, stmts, globals: [], localCount: 0 };
  }

  private parseStmt(out: Stmt[]): void {
    const t = this.tok;
    if (t.kind === 'if') out.push(this.parseIf());
    else if (t.kind === 'for') {
      this.next();
      const vars = this.parseForLoopVariables();
      this.consume('in');
      const iter = this.parseExpr(false);
      this.consume(':');
      out.push({ t: 'for', vars, iter, body: this.parseSuite(), line: t.line, col: t.col });
    } else if (t.kind === 'indent') this.error('unexpected indentation');
    else this.parseSimpleStmt(out, true);
  }

  private parseIf(): Stmt {
    const t = this.next();
    const cond = this.parseTest();
    this.consume(':');
    const then = this.parseSuite();
    let otherwise: Stmt[] = [];
    if (this.k() === 'elif') {
      otherwise = [this.parseIf()];
    } else if (this.k() === 'else') {
      this.next();
      this.consume(':');
      otherwise = this.parseSuite();
    }
    return { t: 'if', cond, then, else: otherwise, line: t.line, col: t.col };
  }

  private parseSuite(): Stmt[] {
    const stmts: Stmt[] = [];
    if (this.k() !== 'newline') {
      this.parseSimpleStmt(stmts, true);
      return stmts;
    }
    this.next();
    this.consume('indent');
    while (this.k() !== 'outdent' && this.k() !== 'eof') this.parseStmt(stmts);
    if (this.k() === 'outdent') this.next();
    return stmts;
  }

  private parseSimpleStmt(out: Stmt[], consumeNewline: boolean): void {
    for (;;) {
      out.push(this.parseSmallStmt());
      if (this.k() !== ';') break;
      this.next();
      if (this.k() === 'newline' || this.k() === 'eof') break;
    }
    if (this.k() !== 'eof' && consumeNewline) this.consume('newline');
  }

  private parseSmallStmt(): Stmt {
    const t = this.tok;
    switch (t.kind) {
      case 'return': {
        this.next();
        const value =
          this.k() === 'newline' || this.k() === 'eof' || this.k() === ';' ? null : this.parseExpr(false);
        return { t: 'return', value, line: t.line, col: t.col };
      }
      case 'break':
      case 'continue':
      case 'pass':
        this.next();
        return { t: t.kind, value: null, line: t.line, col: t.col };
    }
    const lhs = this.parseExpr(false);
    const op = this.k();
    if (op === '=' || AUGMENTED[op] !== undefined) {
      const opTok = this.next();
      const rhs = this.parseExpr(false);
      return {
        t: 'assign',
        op: op === '=' ? '=' : AUGMENTED[op]!,
        lhs,
        rhs,
        line: opTok.line,
        col: opTok.col,
      };
    }
    return { t: 'expr', x: lhs, line: t.line, col: t.col };
  }
}
