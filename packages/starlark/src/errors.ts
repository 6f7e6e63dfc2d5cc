export type ErrorKind = 'syntax' | 'resolve' | 'runtime' | 'limit';

export interface Position {
  readonly filename: string;
  readonly line: number;
  readonly column: number;
}

export interface Diagnostic {
  readonly kind: ErrorKind;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * Every failure the interpreter reports: static (syntax, resolve), dynamic (runtime) or a
 * budget running out (limit). `message` is prefixed with `filename:line:col` so it can be shown
 * as is; `reason` is the bare text. Static checks report every problem they find in `all`.
 */
export class StarlarkError extends Error {
  readonly kind: ErrorKind;
  readonly filename: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
  readonly all: readonly Diagnostic[];

  constructor(kind: ErrorKind, reason: string, pos: Position, all?: readonly Diagnostic[]) {
    super(`${pos.filename}:${pos.line}:${pos.column}: ${reason}`);
    this.name = 'StarlarkError';
    this.kind = kind;
    this.reason = reason;
    this.filename = pos.filename;
    this.line = pos.line;
    this.column = pos.column;
    this.all = all ?? [{ kind, line: pos.line, column: pos.column, message: reason }];
  }
}

/**
 * Raised by operations that have no position of their own (value methods, builtins); the
 * evaluator attaches the position of the call or operator that triggered it.
 */
export class EvalError extends Error {
  readonly kind: 'runtime' | 'limit';
  constructor(message: string, kind: 'runtime' | 'limit' = 'runtime') {
    super(message);
    this.name = 'EvalError';
    this.kind = kind;
  }
}

export function fail(message: string): never {
  throw new EvalError(message);
}

export function limitExceeded(message: string): never {
  throw new EvalError(message, 'limit');
}
