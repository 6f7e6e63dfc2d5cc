import type { Value } from './values.js';

/*
 * Plain-object AST with a `t` discriminator. The resolver annotates identifiers in place with
 * their scope and slot, so evaluation never looks a name up by string.
 */

export type Scope = 'global' | 'local' | 'predeclared' | 'universe' | 'unresolved';

export interface Ident {
  t: 'ident';
  name: string;
  line: number;
  col: number;
  scope: Scope;
  slot: number;
}
export interface Literal {
  t: 'lit';
  value: Value;
  line: number;
  col: number;
}
export interface ListExpr {
  t: 'list' | 'tuple';
  elts: Expr[];
  line: number;
  col: number;
}
export interface DictExpr {
  t: 'dict';
  entries: [Expr, Expr][];
  line: number;
  col: number;
}
export interface ForClause {
  t: 'for';
  vars: Expr;
  iter: Expr;
  line: number;
  col: number;
}
export interface IfClause {
  t: 'if';
  cond: Expr;
  line: number;
  col: number;
}
export interface Comprehension {
  t: 'comp';
  dict: boolean;
  body: Expr;
  value: Expr | null;
  clauses: (ForClause | IfClause)[];
  /** Local slots of the comprehension's variables, cleared on each evaluation. */
  slots: number[];
  line: number;
  col: number;
}
export interface UnaryExpr {
  t: 'unary';
  op: '-' | '+' | '~' | 'not';
  x: Expr;
  line: number;
  col: number;
}
export interface BinaryExpr {
  t: 'binary';
  op: string;
  x: Expr;
  y: Expr;
  line: number;
  col: number;
}
export interface CondExpr {
  t: 'cond';
  cond: Expr;
  then: Expr;
  else: Expr;
  line: number;
  col: number;
}
export type Arg =
  | { kind: 'pos'; value: Expr }
  | { kind: 'named'; name: string; value: Expr }
  | { kind: 'star'; value: Expr }
  | { kind: 'kwstar'; value: Expr };
export interface CallExpr {
  t: 'call';
  fn: Expr;
  args: Arg[];
  /** True when only positional arguments are used, the common fast path. */
  simple: boolean;
  line: number;
  col: number;
}
export interface DotExpr {
  t: 'dot';
  x: Expr;
  name: string;
  line: number;
  col: number;
}
export interface IndexExpr {
  t: 'index';
  x: Expr;
  index: Expr;
  line: number;
  col: number;
}
export interface SliceExpr {
  t: 'slice';
  x: Expr;
  lo: Expr | null;
  hi: Expr | null;
  step: Expr | null;
  line: number;
  col: number;
}

export type Expr =
  | Ident
  | Literal
  | ListExpr
  | DictExpr
  | Comprehension
  | UnaryExpr
  | BinaryExpr
  | CondExpr
  | CallExpr
  | DotExpr
  | IndexExpr
  | SliceExpr;

export interface ExprStmt {
  t: 'expr';
  x: Expr;
  line: number;
  col: number;
}
export interface AssignStmt {
  t: 'assign';
  /** '=' or the binary operator of an augmented assignment ('+', '//', ...). */
  op: string;
  lhs: Expr;
  rhs: Expr;
  line: number;
  col: number;
}
export interface IfStmt {
  t: 'if';
  cond: Expr;
  then: Stmt[];
  else: Stmt[];
  line: number;
  col: number;
}
export interface ForStmt {
  t: 'for';
  vars: Expr;
  iter: Expr;
  body: Stmt[];
  line: number;
  col: number;
}
export interface SimpleStmt {
  t: 'break' | 'continue' | 'pass' | 'return';
  value: Expr | null;
  line: number;
  col: number;
}
export type Stmt = ExprStmt | AssignStmt | IfStmt | ForStmt | SimpleStmt;

export interface FileNode {
  t: 'file';
  filename: string;
  stmts: Stmt[];
  /** Filled by the resolver: global names in slot order, and how many comprehension slots exist. */
  globals: string[];
  localCount: number;
}
