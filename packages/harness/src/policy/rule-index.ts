import { stricter, type Decision } from './decision.js';
import {
  commandOptions,
  type CommandOptions,
  type CommandView,
  matchOptions,
  optionPattern,
} from '../shell/index.js';
import { matchTail, renderPattern, type NetworkRule, type PrefixRule, type RuleSet } from './rule-model.js';

/** One rule that matched, with enough to explain itself and point into the policy file. */
export interface RuleMatch {
  readonly kind: 'prefix_rule' | 'network_rule';
  /** A readable rendering: `git [push|pull]`, or `https api.github.com` for network rules. */
  readonly rule: string;
  /** The full pattern, one alternative set per position (the host for network rules). */
  readonly pattern: readonly (readonly string[])[];
  readonly matchedPrefix: readonly string[];
  readonly decision: Decision;
  readonly justification: string | undefined;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Set when an executable path was resolved to the program name the rule is written for. */
  readonly resolvedProgram: string | undefined;
}

export interface ViewMatch {
  readonly matches: RuleMatch[];
  /** The strictest rule that run-time values (globs, `$VAR`, xargs input) could still make match. */
  readonly potential: Decision | undefined;
  /** Set when a path names a program whose host_executable list does not include it. */
  readonly undeclaredPath: string | undefined;
}

/**
 * One program's rules in policy order, and for each second token the only ones it can match, so
 * `git status` is compared with the `git status` rules, not with every git rule.
 */
interface ProgramRules {
  readonly all: PrefixRule[];
  /** Made on the program's first lookup, so loading a policy pays nothing for it. */
  second: SecondTokens | undefined;
  /** The rules with option tokens, matched however the command spells its options (option-match.ts). */
  optionRules: OptionRules | undefined;
}

/** The option rules of a program, by the first operand they require (git: the subcommand). */
interface OptionRules {
  readonly all: PrefixRule[];
  /** First operand → the rules that can match a command with it, in policy order. */
  readonly byFirst: ReadonlyMap<string, PrefixRule[]>;
  /** The rules that require no operand: whatever the command's first operand, they can match. */
  readonly unpositioned: PrefixRule[];
}

function indexOptionRules(rules: readonly PrefixRule[]): OptionRules {
  const all = rules.filter((r) => optionPattern(r) !== null);
  const unpositioned = all.filter((r) => optionPattern(r)!.positional.length === 0);
  const byFirst = new Map<string, PrefixRule[]>();
  for (const token of new Set(all.flatMap((r) => optionPattern(r)!.positional[0] ?? []))) {
    byFirst.set(
      token,
      all.filter((r) => optionPattern(r)!.positional[0]?.includes(token) ?? true),
    );
  }
  return { all, byFirst, unpositioned };
}

/** The first token after the program that is not an option: the one option rules are indexed by. */
function firstOperand(argv: readonly string[]): string | undefined {
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') return argv[i + 1];
    if (a.length < 2 || a[0] !== '-') return a;
  }
  return undefined;
}

interface SecondTokens {
  /** Second token → the rules that can match a command with it, in policy order. */
  readonly bySecond: ReadonlyMap<string, PrefixRule[]>;
  /** The rules that are the program alone: whatever follows, they match. */
  readonly programOnly: PrefixRule[];
}

/** Prefix rules indexed by first and second token, so checking a command never scans unrelated rules. */
export class RuleIndex {
  private readonly byProgram = new Map<string, ProgramRules>();
  /** Each rule's rendering and full pattern, made on its first match and shared by later ones. */
  private readonly shapes = new Map<PrefixRule, RuleShape>();

  constructor(readonly rules: RuleSet) {
    for (const rule of rules.prefixRules) {
      const p = this.byProgram.get(rule.program);
      if (p) p.all.push(rule);
      else this.byProgram.set(rule.program, { all: [rule], second: undefined, optionRules: undefined });
    }
  }

  /** The rules of `program` that can match `argv` as written (every one when it is open). */
  private candidates(program: string, argv: readonly string[], open: boolean): PrefixRule[] | undefined {
    const p = this.byProgram.get(program);
    if (p === undefined || open) return p?.all;
    const s = (p.second ??= indexSecondTokens(p.all));
    const second = argv[1];
    return (second === undefined ? undefined : s.bySecond.get(second)) ?? s.programOnly;
  }

  /** Codex-compatible lookup: exact first token, else (optionally) host-executable resolution. */
  evaluate(argv: readonly string[], resolveHostExecutables: boolean): RuleMatch[] {
    const first = argv[0];
    if (first === undefined) return [];
    const exact = this.matchRules(this.candidates(first, argv, false), argv, undefined);
    if (exact.length > 0 || !resolveHostExecutables || !first.startsWith('/')) return exact;
    const base = first.slice(first.lastIndexOf('/') + 1);
    const declared = this.rules.hostExecutables.get(base);
    if (declared && !declared.includes(first)) return [];
    return this.matchRules(this.candidates(base, argv, false), [base, ...argv.slice(1)], first);
  }

  /** Hardened lookup for one view: exact and resolved rules both apply, run-time values are wildcards. */
  matchView(view: CommandView): ViewMatch {
    // Only a view with run-time values or appended arguments can match more than it shows.
    return this.match(view.argv, view.openTail || view.dynamic.includes(true) ? view : undefined);
  }

  /** matchView of an argv known in full with nothing appended, without building a view. */
  matchArgv(argv: readonly string[]): ViewMatch {
    return this.match(argv, undefined);
  }

  private match(argv: readonly string[], open: CommandView | undefined): ViewMatch {
    const matches: RuleMatch[] = [];
    const first = argv[0];
    if (first === undefined) return { matches, potential: undefined, undeclaredPath: undefined };
    let potential = this.collect(
      this.candidates(first, argv, open !== undefined),
      argv,
      undefined,
      open,
      matches,
    );
    potential = stricter(potential, this.collectOptions(first, argv, undefined, open, matches));
    let undeclaredPath: string | undefined;
    if (first.includes('/')) {
      const base = first.slice(first.lastIndexOf('/') + 1);
      const declared = this.rules.hostExecutables.get(base);
      if (declared && !declared.includes(first)) {
        if (this.byProgram.has(base)) undeclaredPath = first;
      } else {
        const rules = this.candidates(base, argv, open !== undefined);
        if (rules) {
          const resolved = [base, ...argv.slice(1)];
          potential = stricter(potential, this.collect(rules, resolved, first, open, matches));
          potential = stricter(potential, this.collectOptions(base, resolved, first, open, matches));
        }
      }
    }
    return { matches, potential, undeclaredPath };
  }

  /** Adds the rules matching `argv` to `into`; returns the strictest one `open` could still match. */
  private collect(
    rules: PrefixRule[] | undefined,
    argv: readonly string[],
    resolved: string | undefined,
    open: CommandView | undefined,
    into: RuleMatch[],
  ): Decision | undefined {
    let potential: Decision | undefined;
    if (rules === undefined) return potential;
    for (const rule of rules) {
      const prefix = matchTail(rule, argv);
      if (prefix) into.push(toMatch(rule, this.shapeOf(rule), prefix, resolved));
      else if (open && couldMatch(rule, argv, open)) potential = stricter(potential, rule.decision);
    }
    return potential;
  }

  /**
   * The program's option rules that the exact comparison missed but the command matches with its
   * options compared as sets (`rm -r -f` for `rm -rf`); returns what run-time values could match.
   */
  private collectOptions(
    program: string,
    argv: readonly string[],
    resolved: string | undefined,
    open: CommandView | undefined,
    into: RuleMatch[],
  ): Decision | undefined {
    const p = this.byProgram.get(program);
    if (p === undefined) return undefined;
    const index = (p.optionRules ??= indexOptionRules(p.all));
    if (index.all.length === 0) return undefined;
    // Run-time values or appended arguments could be any operand: then every rule is a candidate.
    const first = open === undefined ? firstOperand(argv) : undefined;
    const indexed = first === undefined ? undefined : index.byFirst.get(first);
    const rules = open !== undefined ? index.all : (indexed ?? index.unpositioned);
    let potential: Decision | undefined;
    let cmd: CommandOptions | undefined;
    for (const rule of rules) {
      if (matchTail(rule, argv)) continue; // already found by the exact comparison
      cmd ??= commandOptions(argv, open?.dynamic, open?.openTail ?? false);
      const found = matchOptions(optionPattern(rule)!, cmd);
      if (found === 'match') into.push(toMatch(rule, this.shapeOf(rule), [...argv], resolved));
      else if (found === 'maybe') potential = stricter(potential, rule.decision);
    }
    return potential;
  }

  matchHost(host: string, protocol: string | undefined): RuleMatch[] {
    const h = host.toLowerCase().replace(/\.+$/, '');
    return this.rules.networkRules
      .filter(
        (r) =>
          (h === r.host || h.endsWith(`.${r.host}`)) && (protocol === undefined || r.protocol === protocol),
      )
      .map(networkMatch);
  }

  private shapeOf(rule: PrefixRule): RuleShape {
    let shape = this.shapes.get(rule);
    if (shape === undefined) {
      shape = { rule: renderPattern(rule), pattern: Object.freeze([[rule.program], ...rule.tail]) };
      this.shapes.set(rule, shape);
    }
    return shape;
  }

  private matchRules(
    rules: PrefixRule[] | undefined,
    argv: readonly string[],
    resolved: string | undefined,
  ): RuleMatch[] {
    const out: RuleMatch[] = [];
    if (rules === undefined) return out;
    for (const rule of rules) {
      const prefix = matchTail(rule, argv);
      if (prefix) out.push(toMatch(rule, this.shapeOf(rule), prefix, resolved));
    }
    return out;
  }
}

/**
 * One pass in policy order: a rule joins the list of each second token it allows (a new token's
 * list starts with the program-only rules seen so far); a program-only rule joins every list.
 */
function indexSecondTokens(all: readonly PrefixRule[]): SecondTokens {
  const programOnly: PrefixRule[] = [];
  const bySecond = new Map<string, PrefixRule[]>();
  for (const rule of all) {
    const seconds = rule.tail[0];
    if (seconds === undefined) {
      programOnly.push(rule);
      for (const list of bySecond.values()) list.push(rule);
      continue;
    }
    for (const token of seconds) {
      const list = bySecond.get(token);
      if (list === undefined) bySecond.set(token, [...programOnly, rule]);
      else if (list[list.length - 1] !== rule) list.push(rule);
    }
  }
  return { bySecond, programOnly };
}

/**
 * Would the rule match if every run-time value (and every appended argument) were chosen
 * adversarially? Only asked of views that have such values or an open tail.
 */
function couldMatch(rule: PrefixRule, argv: readonly string[], view: CommandView): boolean {
  for (let i = 0; i < rule.tail.length; i++) {
    const k = i + 1;
    if (k >= argv.length) return view.openTail;
    if (view.dynamic[k]) continue;
    if (!(rule.tail[i] as readonly string[]).includes(argv[k] as string)) return false;
  }
  return true;
}

interface RuleShape {
  readonly rule: string;
  readonly pattern: readonly (readonly string[])[];
}

function toMatch(
  rule: PrefixRule,
  shape: RuleShape,
  prefix: string[],
  resolved: string | undefined,
): RuleMatch {
  return {
    kind: 'prefix_rule',
    rule: shape.rule,
    pattern: shape.pattern,
    matchedPrefix: prefix,
    decision: rule.decision,
    justification: rule.justification,
    file: rule.source.file,
    line: rule.source.line,
    column: rule.source.column,
    resolvedProgram: resolved,
  };
}

function networkMatch(rule: NetworkRule): RuleMatch {
  return {
    kind: 'network_rule',
    rule: `${rule.protocol} ${rule.host}`,
    pattern: [[rule.host]],
    matchedPrefix: [rule.host],
    decision: rule.decision,
    justification: rule.justification,
    file: rule.source.file,
    line: rule.source.line,
    column: rule.source.column,
    resolvedProgram: undefined,
  };
}
