/**
 * @harness/starlark: a runtime-neutral Starlark interpreter (lexer, parser, resolver, evaluator)
 * for the policy dialect: the Starlark spec without `def`, `lambda`, `load` and `while`, with a
 * strict (spec) or relaxed top level, and with budgets on steps, allocations, source size,
 * nesting and value size so a hostile program stops with a StarlarkError instead of hanging or
 * exhausting memory. It uses no host APIs and is deterministic. This file is the only entry point.
 */
export { StarlarkError, type Diagnostic, type ErrorKind, type Position } from './errors.js';
export { defaultLimits, type Limits } from './limits.js';
export type { Dialect } from './resolver.js';
export { None, type Value } from './values.js';
export { builtin, callFunction, fromJs, toJs, type NativeCall } from './interop.js';
export {
  execModule,
  parse,
  check,
  type ExecOptions,
  type ModuleResult,
  type ParseOptions,
} from './module.js';
export { repr as reprValue, str as strValue } from './repr.js';
export { equals as valuesEqual } from './ops.js';
export { typeName } from './values.js';
export { freezeValue } from './module.js';
export { containsValue, isTruthy, lessThan } from './predicates.js';
