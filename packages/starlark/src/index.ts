/**
 * @harness/starlark: a runtime-neutral Starlark interpreter (lexer, parser, resolver, evaluator)
 * for the policy dialect: the Starlark spec without `def`, `lambda`, `load` and `while`, with a
 * strict (spec) or relaxed top level, and with budgets on steps, allocations, source size,
 * nesting, value size and string length so a hostile program stops with a StarlarkError instead
 * of hanging or exhausting memory. Every evaluation runs on a `Thread` that carries its budget and
 * its print() output through each call; no evaluation state lives in a module (the one
 * module-level variable numbers builtins used as hash keys), so evaluations may nest or
 * interleave. It uses no host APIs and is deterministic. This file is the only entry point, and
 * it names everything the package exports.
 */
import { repr, str } from './repr.js';
import type { Value } from './values.js';

export { StarlarkError, type Diagnostic, type ErrorKind, type Position } from './errors.js';
export { defaultLimits, type Limits } from './limits.js';
export type { Dialect } from './resolver.js';
export { Thread, type ThreadOptions } from './thread.js';
export { None, typeName, type Value } from './values.js';
export { builtin, callFunction, fromJs, toJs, type NativeCall } from './interop.js';
export {
  execModule,
  parse,
  check,
  freezeValue,
  type ExecOptions,
  type ModuleResult,
  type ParseOptions,
} from './module.js';
export { equals as valuesEqual } from './ops.js';
export { containsValue, isTruthy, lessThan } from './predicates.js';

/** `repr` and `str` for hosts: unbounded, one argument (so they can be passed to `map`). */
export const reprValue = (value: Value): string => repr(value);
export const strValue = (value: Value): string => str(value);
