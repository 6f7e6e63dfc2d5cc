import path from 'node:path';
import { expandHome } from '../core/index.js';
import { isDecision, type Decision } from './decision.js';
import {
  NETWORK_PROTOCOLS,
  type NetworkProtocol,
  type NetworkRule,
  type PrefixRule,
  type RuleSet,
  type SourcePosition,
} from './rule-model.js';
import { ShlexError, shlexJoin, shlexSplit } from '../shell/index.js';

/** A policy author's mistake, raised by a builtin and reported at the call's position. */
export class PolicyDefinitionError extends Error {
  constructor(
    message: string,
    readonly position: SourcePosition,
  ) {
    super(message);
    this.name = 'PolicyDefinitionError';
  }
}

/** Builtin arguments after conversion to plain JS (the interpreter's `toJs`). */
export interface CallArgs {
  readonly args: readonly unknown[];
  readonly kwargs: ReadonlyMap<string, unknown>;
  readonly position: SourcePosition;
}

const PREFIX_RULE_PARAMS = ['pattern', 'decision', 'match', 'not_match', 'justification'] as const;
const HOST_EXECUTABLE_PARAMS = ['name', 'paths'] as const;
const NETWORK_RULE_PARAMS = ['host', 'protocol', 'decision', 'justification'] as const;

/** Accumulates what the builtins declare, in call order, then freezes it into a RuleSet. */
export class PolicyBuilder {
  private readonly prefixRules: PrefixRule[] = [];
  private readonly hostExecutables = new Map<string, string[]>();
  private readonly networkRules: NetworkRule[] = [];

  prefixRule(call: CallArgs): void {
    const fn = 'prefix_rule';
    const a = bindArgs(fn, PREFIX_RULE_PARAMS, call, ['pattern']);
    const pattern = parsePattern(a.get('pattern'), call.position);
    const decision = parseDecisionArg(fn, a.get('decision') ?? 'allow', false, call.position);
    const justification = parseJustification(a.get('justification'), call.position);
    const programs = pattern[0] as string[];
    const tail = pattern.slice(1);
    // Examples are checked against only this call's rules: a failing example is the author's bug.
    // Every rule of one call shares the tail, so an example is compared once, not once per program.
    for (const example of parseExamples('match', a.get('match'), call.position)) {
      if (!this.exampleMatches(programs, tail, example))
        failAt(
          call.position,
          `example did not match rule: ${shlexJoin(example)} (expected every example to match)`,
        );
    }
    for (const example of parseExamples('not_match', a.get('not_match'), call.position)) {
      if (this.exampleMatches(programs, tail, example))
        failAt(
          call.position,
          `negative example unexpectedly matched rule: ${shlexJoin(example)} (expected example to not match rule)`,
        );
    }
    for (const program of programs) {
      this.prefixRules.push({
        id: this.prefixRules.length,
        program,
        tail,
        decision,
        justification,
        source: call.position,
      });
    }
  }

  hostExecutable(call: CallArgs): void {
    const a = bindArgs('host_executable', HOST_EXECUTABLE_PARAMS, call, ['name', 'paths']);
    const name = a.get('name');
    if (typeof name !== 'string' || name.trim() === '')
      failAt(call.position, 'host_executable name must be a non-empty string');
    const bare = name as string;
    if (bare.includes('/') || bare.includes('\\') || bare === '.' || bare === '..')
      failAt(call.position, `host_executable name must be a bare executable name: ${bare}`);
    const paths = a.get('paths');
    if (!Array.isArray(paths))
      return failAt(call.position, `host_executable paths must be a list of strings, got ${typeName(paths)}`);
    const list = this.hostExecutables.get(bare) ?? [];
    for (const p of paths) {
      if (typeof p !== 'string')
        failAt(call.position, `host_executable paths must be strings, got ${typeName(p)}`);
      const expanded = expandHome(p as string);
      if (!path.posix.isAbsolute(expanded))
        failAt(call.position, `host_executable paths must be absolute: ${String(p)}`);
      if (path.posix.basename(expanded) !== bare)
        failAt(call.position, `host_executable path \`${String(p)}\` must have basename \`${bare}\``);
      if (!list.includes(expanded)) list.push(expanded);
    }
    // Repeated declarations accumulate (harness overlay semantics), so files can only widen the list.
    this.hostExecutables.set(bare, list);
  }

  networkRule(call: CallArgs): void {
    const fn = 'network_rule';
    const a = bindArgs(fn, NETWORK_RULE_PARAMS, call, ['host', 'protocol', 'decision']);
    const host = normalizeHost(a.get('host'), call.position);
    const protocol = parseProtocol(a.get('protocol'), call.position);
    const decision = parseDecisionArg(fn, a.get('decision'), true, call.position);
    const justification = parseJustification(a.get('justification'), call.position);
    this.networkRules.push({
      id: this.networkRules.length,
      host,
      protocol,
      decision,
      justification,
      source: call.position,
    });
  }

  build(): RuleSet {
    return {
      prefixRules: Object.freeze([...this.prefixRules]),
      hostExecutables: new Map([...this.hostExecutables].map(([k, v]) => [k, Object.freeze([...v])])),
      networkRules: Object.freeze([...this.networkRules]),
    };
  }

  /**
   * Would a rule `programs × tail` match `argv`? Examples are resolved like commands with host
   * resolution on: `/usr/bin/git status` may match `git` unless host_executable excludes that path.
   */
  private exampleMatches(
    programs: readonly string[],
    tail: readonly (readonly string[])[],
    argv: readonly string[],
  ): boolean {
    if (!tailMatches(tail, argv)) return false;
    const first = argv[0] as string;
    if (programs.includes(first)) return true;
    if (!path.posix.isAbsolute(first)) return false;
    const base = path.posix.basename(first);
    const allowed = this.hostExecutables.get(base);
    if (allowed && !allowed.includes(first)) return false;
    return programs.includes(base);
  }
}

/** `argv[1..]` starts with one alternative of each tail position (argv[0] is compared apart). */
function tailMatches(tail: readonly (readonly string[])[], argv: readonly string[]): boolean {
  if (argv.length <= tail.length) return false;
  for (let i = 0; i < tail.length; i++) {
    if (!(tail[i] as readonly string[]).includes(argv[i + 1] as string)) return false;
  }
  return true;
}

function bindArgs(
  fn: string,
  params: readonly string[],
  call: CallArgs,
  required: readonly string[],
): Map<string, unknown> {
  const bound = new Map<string, unknown>();
  if (call.args.length > params.length)
    failAt(
      call.position,
      `${fn}() takes at most ${params.length} positional arguments, got ${call.args.length}`,
    );
  // Index loops and forEach, not for…of with destructuring: most calls of a policy load run before
  // the JIT has optimized this, and unoptimized destructuring goes through the iterator protocol.
  for (let i = 0; i < call.args.length; i++) bound.set(params[i] as string, call.args[i]);
  call.kwargs.forEach((value, key) => {
    if (!params.includes(key)) failAt(call.position, `${fn}() got an unexpected keyword argument \`${key}\``);
    if (bound.has(key)) failAt(call.position, `${fn}() got multiple values for argument \`${key}\``);
    bound.set(key, value);
  });
  for (let i = 0; i < required.length; i++) {
    const value = bound.get(required[i] as string);
    if (value === undefined || value === null)
      failAt(call.position, `${fn}() missing required argument \`${required[i]}\``);
  }
  bound.forEach((value, key) => {
    if (value === null) bound.delete(key);
  });
  return bound;
}

/** Throws the author's mistake at the call's position (a plain function: builtins run once per rule). */
function failAt(at: SourcePosition, message: string): never {
  throw new PolicyDefinitionError(message, at);
}

function parsePattern(value: unknown, at: SourcePosition): string[][] {
  if (!Array.isArray(value)) return failAt(at, `pattern must be a list, got ${typeName(value)}`);
  if (value.length === 0) failAt(at, 'pattern cannot be empty');
  return value.map((element: unknown, i) => {
    if (typeof element === 'string') {
      if (element.trim() === '') failAt(at, `pattern token ${i} cannot be empty`);
      return [element];
    }
    if (!Array.isArray(element))
      return failAt(at, `pattern element must be a string or list of strings, got ${typeName(element)}`);
    if (element.length === 0) failAt(at, `pattern alternatives at position ${i} cannot be empty`);
    const alternatives: string[] = [];
    for (const alt of element as unknown[]) {
      if (typeof alt !== 'string') failAt(at, `pattern alternative must be string, got ${typeName(alt)}`);
      if ((alt as string).trim() === '') failAt(at, `pattern alternative at position ${i} cannot be empty`);
      if (!alternatives.includes(alt as string)) alternatives.push(alt as string);
    }
    return alternatives;
  });
}

function parseDecisionArg(fn: string, value: unknown, allowDeny: boolean, at: SourcePosition): Decision {
  if (allowDeny && value === 'deny') return 'forbidden';
  if (typeof value !== 'string')
    return failAt(at, `${fn}() decision must be a string, got ${typeName(value)}`);
  if (!isDecision(value)) return failAt(at, `invalid decision \`${value}\`; expected allow|prompt|forbidden`);
  return value;
}

function parseJustification(value: unknown, at: SourcePosition): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return failAt(at, `justification must be a string, got ${typeName(value)}`);
  if (value.trim() === '') failAt(at, 'justification cannot be empty');
  return value;
}

function parseExamples(kind: string, value: unknown, at: SourcePosition): string[][] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return failAt(at, `${kind} must be a list of examples, got ${typeName(value)}`);
  return value.map((example: unknown) => {
    if (typeof example === 'string') {
      const words = splitExample(kind, example, at);
      if (words.length === 0) failAt(at, `${kind} example cannot be an empty command`);
      return words;
    }
    if (!Array.isArray(example))
      return failAt(at, `${kind} example must be a string or list of strings, got ${typeName(example)}`);
    if (example.length === 0) failAt(at, `${kind} example cannot be an empty list`);
    for (const token of example as unknown[]) {
      if (typeof token !== 'string')
        failAt(at, `${kind} example must be a string or list of strings, got list of ${typeName(token)}`);
    }
    return example as string[];
  });
}

function splitExample(kind: string, example: string, at: SourcePosition): string[] {
  try {
    return shlexSplit(example);
  } catch (error) {
    if (error instanceof ShlexError) return failAt(at, `${kind} example \`${example}\`: ${error.message}`);
    throw error;
  }
}

function normalizeHost(value: unknown, at: SourcePosition): string {
  if (typeof value !== 'string')
    return failAt(at, `network_rule host must be a string, got ${typeName(value)}`);
  let host = value.trim().toLowerCase();
  if (host.includes('*')) failAt(at, `network_rule host \`${value}\`: wildcards are not allowed`);
  if (host.includes('://') || host.includes('/'))
    failAt(at, `network_rule host \`${value}\` must be a bare host, without scheme or path`);
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) failAt(at, `network_rule host \`${value}\` is not a valid host`);
    host = host.slice(1, end);
  } else if ((host.match(/:/g) ?? []).length === 1) {
    host = host.slice(0, host.indexOf(':'));
  }
  host = host.replace(/\.+$/, '');
  if (host === '' || /\s/.test(host)) failAt(at, `network_rule host \`${value}\` is not a valid host`);
  return host;
}

function parseProtocol(value: unknown, at: SourcePosition): NetworkProtocol {
  const aliases: Record<string, NetworkProtocol> = { https_connect: 'https', 'http-connect': 'https' };
  if (typeof value !== 'string')
    return failAt(at, `network_rule protocol must be a string, got ${typeName(value)}`);
  const protocol = aliases[value] ?? value;
  if (!(NETWORK_PROTOCOLS as readonly string[]).includes(protocol))
    failAt(at, `invalid network_rule protocol \`${value}\`; expected ${NETWORK_PROTOCOLS.join('|')}`);
  return protocol as NetworkProtocol;
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'int';
  if (typeof value === 'number') return 'float';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'dict';
  return typeof value;
}
