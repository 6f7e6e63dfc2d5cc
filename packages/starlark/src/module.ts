import type { FileNode } from './ast.js';
import { universeSlot, universeValues } from './builtins.js';
import { Evaluator } from './evaluator.js';
import { type Limits, resolveLimits } from './limits.js';
import { parseFile } from './parser.js';
import { type Dialect, resolveFile } from './resolver.js';
import { Thread } from './thread.js';
import { freeze, type Value } from './values.js';

export interface ParseOptions {
  filename?: string;
  dialect?: Dialect;
  limits?: Partial<Limits>;
}

export interface ExecOptions extends ParseOptions {
  predeclared?: Record<string, Value>;
  /** Receives the text of each print() call; by default output is discarded. */
  print?: (message: string) => void;
}

export interface ModuleResult {
  globals: Map<string, Value>;
  steps: number;
}

const DEFAULT_FILENAME = '<input>';

/** Syntax only: returns the AST, or throws a StarlarkError of kind 'syntax' (or 'limit'). */
export function parse(source: string, options: ParseOptions = {}): FileNode {
  return parseFile(source, options.filename ?? DEFAULT_FILENAME, resolveLimits(options.limits));
}

/** All static checks (syntax, dialect, names) without running anything. */
export function check(source: string, options: ExecOptions = {}): FileNode {
  const file = parse(source, options);
  resolve(file, options);
  return file;
}

function resolve(file: FileNode, options: ExecOptions): Value[] {
  const names = Object.keys(options.predeclared ?? {});
  const index = new Map(names.map((n, i) => [n, i]));
  resolveFile(file, options.dialect ?? 'strict', {
    predeclared: (n) => index.get(n) ?? -1,
    universe: universeSlot,
  });
  return names.map((n) => options.predeclared![n]!);
}

/**
 * Parses, checks and runs a module. On success every global is frozen and returned in
 * definition order. Throws StarlarkError on any static error, runtime error or exhausted budget.
 */
export function execModule(source: string, options: ExecOptions = {}): ModuleResult {
  const limits = resolveLimits(options.limits);
  const file = parse(source, { ...options, limits });
  const predeclared = resolve(file, options);
  const thread = new Thread({ limits, print: options.print });
  const evaluator = new Evaluator(file, predeclared, universeValues, thread);
  try {
    evaluator.run();
  } catch (e) {
    throw evaluator.locate(e, { line: 1, col: 1 });
  }
  const globals = new Map<string, Value>();
  file.globals.forEach((name, slot) => {
    const v = evaluator.globals[slot];
    if (v !== undefined) {
      freeze(v);
      globals.set(name, v);
    }
  });
  return { globals, steps: thread.steps };
}

export function freezeValue(v: Value): Value {
  freeze(v);
  return v;
}
