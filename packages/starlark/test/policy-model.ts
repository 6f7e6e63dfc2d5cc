import { builtin, execModule, None, StarlarkError, toJs, type Value } from '../src/index.js';

/*
 * A small model of the execution-policy semantics the corpus's policy/ cases describe
 * (prefix_rule, host_executable), built on the interpreter. It exists to score the
 * interpreter as a policy language; the product's engine lives elsewhere.
 */

export type Decision = 'allow' | 'prompt' | 'forbidden';
const RANK: Record<Decision, number> = { allow: 0, prompt: 1, forbidden: 2 };

interface Rule {
  /** Alternatives per token; the first token has exactly one (alternatives were expanded). */
  tokens: string[][];
  decision: Decision;
}

export interface Policy {
  rules: Rule[];
  hosts: Map<string, string[]>;
}

export interface Evaluation {
  decision: Decision | null;
  matchedPrefixes: string[][];
}

function expect(cond: boolean, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

function parsePattern(raw: unknown): string[][] {
  expect(Array.isArray(raw), 'pattern must be a list');
  expect(raw.length > 0, 'pattern cannot be empty');
  return raw.map((el) => {
    if (typeof el === 'string') return [el];
    expect(Array.isArray(el), 'pattern element must be a string or list of strings');
    expect(el.length > 0, 'pattern alternatives cannot be empty');
    for (const alt of el) expect(typeof alt === 'string', 'pattern alternative must be string');
    return el as string[];
  });
}

/** POSIX-shell-like word splitting for examples, enough for quoting and escapes. */
export function shellSplit(s: string): string[] {
  const words: string[] = [];
  let cur: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      expect(end >= 0, `invalid shell syntax in example: ${s}`);
      cur = (cur ?? '') + s.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      expect(i + 1 < s.length, `invalid shell syntax in example: ${s}`);
      cur = (cur ?? '') + s[++i];
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else cur = (cur ?? '') + c;
  }
  if (cur !== null) words.push(cur);
  return words;
}

function parseExample(raw: unknown): string[] {
  if (typeof raw === 'string') return shellSplit(raw);
  expect(
    Array.isArray(raw) && raw.every((t) => typeof t === 'string'),
    'example must be a string or list of strings',
  );
  expect(raw.length > 0, 'example list cannot be empty');
  return raw as string[];
}

function ruleMatches(tokens: string[][], argv: string[]): boolean {
  if (argv.length < tokens.length) return false;
  return tokens.every((alts, i) => alts.includes(argv[i]!));
}

function addPrefixRule(policy: Policy, kwargs: Map<string, Value>, args: Value[]): Value {
  expect(args.length === 0, 'prefix_rule: only keyword arguments are accepted');
  for (const k of kwargs.keys()) {
    expect(
      ['pattern', 'decision', 'match', 'not_match', 'justification'].includes(k),
      `prefix_rule: unexpected keyword argument "${k}"`,
    );
  }
  expect(kwargs.has('pattern'), 'prefix_rule: missing argument for pattern');
  const tokens = parsePattern(toJs(kwargs.get('pattern')!));
  const decision = toJs(kwargs.get('decision') ?? 'allow');
  expect(
    decision === 'allow' || decision === 'prompt' || decision === 'forbidden',
    `invalid decision: ${String(decision)}`,
  );
  const justification = kwargs.get('justification');
  if (justification !== undefined && justification !== None) {
    const j = toJs(justification);
    expect(typeof j === 'string' && j.trim() !== '', 'justification cannot be empty');
  }
  const list = (name: string): unknown[] => {
    const v = toJs(kwargs.get(name) ?? fromList());
    expect(Array.isArray(v), `${name} must be a list`);
    return v;
  };
  for (const ex of list('match')) expect(ruleMatches(tokens, parseExample(ex)), 'example did not match rule');
  for (const ex of list('not_match'))
    expect(!ruleMatches(tokens, parseExample(ex)), 'negative example unexpectedly matched');
  for (const first of tokens[0]!) policy.rules.push({ tokens: [[first], ...tokens.slice(1)], decision });
  return None;
}

function fromList(): Value {
  return execModule('x = []').globals.get('x')!;
}

function addHostExecutable(policy: Policy, kwargs: Map<string, Value>, args: Value[]): Value {
  const name = toJs(kwargs.get('name') ?? args[0] ?? None);
  const paths = toJs(kwargs.get('paths') ?? args[1] ?? None);
  expect(
    typeof name === 'string' && name !== '' && !name.includes('/'),
    'host_executable name must be a bare executable name',
  );
  expect(
    Array.isArray(paths) && paths.every((p) => typeof p === 'string'),
    'host_executable paths must be a list of strings',
  );
  for (const p of paths as string[]) expect(p.startsWith('/'), 'host_executable paths must be absolute');
  policy.hosts.set(name, [...(policy.hosts.get(name) ?? []), ...(paths as string[])]);
  return None;
}

/** Evaluates the policy files in order into one rule set; throws on any load error. */
export function loadPolicy(files: string[]): Policy {
  const policy: Policy = { rules: [], hosts: new Map() };
  const predeclared = {
    prefix_rule: builtin('prefix_rule', ({ args, kwargs }) => addPrefixRule(policy, kwargs, args)),
    host_executable: builtin('host_executable', ({ args, kwargs }) =>
      addHostExecutable(policy, kwargs, args),
    ),
  };
  files.forEach((src, i) =>
    execModule(src, { filename: `policy${i}.rules`, dialect: 'strict', predeclared }),
  );
  return policy;
}

function matchesFor(policy: Policy, argv: string[]): Rule[] {
  return policy.rules.filter((r) => ruleMatches(r.tokens, argv));
}

export function evaluate(policy: Policy, commands: string[][], resolveHosts: boolean): Evaluation {
  let decision: Decision | null = null;
  const matchedPrefixes: string[][] = [];
  for (const argv of commands) {
    if (argv.length === 0) continue;
    let matched = matchesFor(policy, argv);
    const program = argv[0]!;
    if (matched.length === 0 && resolveHosts && program.startsWith('/')) {
      const base = program.slice(program.lastIndexOf('/') + 1);
      const allowed = policy.hosts.get(base);
      if (allowed === undefined || allowed.includes(program))
        matched = matchesFor(policy, [base, ...argv.slice(1)]);
    }
    for (const r of matched) {
      matchedPrefixes.push(r.tokens.map((alts, i) => (i === 0 ? alts[0]! : argv[i]!)));
      if (decision === null || RANK[r.decision] > RANK[decision]) decision = r.decision;
    }
  }
  return { decision, matchedPrefixes };
}

export function errorText(e: unknown): string {
  return e instanceof StarlarkError ? e.message : e instanceof Error ? e.message : String(e);
}
