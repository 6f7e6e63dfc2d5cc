import {
  type Analysis,
  analyzeCommand,
  type CommandContext,
  type CommandOrigin,
  type GitAliasLookup,
  isPlainCommand,
  parseShell,
  unique,
} from '../shell/index.js';
import { atLeast, stricter, strictest, type Decision } from './decision.js';
import { RuleIndex, type RuleMatch } from './rule-index.js';
import type { RuleSet } from './rule-model.js';

/** What a check knows about where the command will run. */
export interface CheckOptions {
  /** Git aliases of the directory the command runs in; without it an unknown `git SUB` is `prompt`. */
  readonly gitAliases?: GitAliasLookup;
}

export interface PolicyOptions {
  /** What a command no rule matches gets. Default `allow` (codex/harness behaviour); `prompt` is stricter. */
  readonly defaultDecision?: Decision;
  /**
   * Default true: a plain command (no wrapper, shell, interpreter, global options, assignments or
   * run-time values) is looked up without the command analysis. false analyses every command; the
   * results are the same, and the tests use this to show it.
   */
  readonly fastPath?: boolean;
}

/** One simple command found in what was checked, and its own decision. */
export interface PartResult {
  readonly command: readonly string[];
  /** `command`, `subshell`, `substitution`, `process-substitution`, or how a script was reached (`bash -c`). */
  readonly origin: string;
  readonly decision: Decision;
  readonly matched: readonly RuleMatch[];
  /** Why the decision is what it is, beyond the matched rules. */
  readonly reasons: readonly string[];
  readonly redirections: readonly string[];
}

export interface CheckResult {
  readonly decision: Decision;
  readonly matched: readonly RuleMatch[];
  readonly parts: readonly PartResult[];
  /** Things the parser could not follow; any of them makes the decision at least `prompt`. */
  readonly problems: readonly string[];
  readonly reason: string;
}

/** The codex-compatible answer: matching rules for the argv as given; `null` when none matched. */
export interface EvaluateResult {
  readonly decision: Decision | null;
  readonly matched: readonly RuleMatch[];
}

const URL_HOST = /^(https?|wss?|ftp|git|ssh):\/\/(?:[^@/?#\s]*@)?(\[[^\]]+\]|[^:/?#\s]+)/i;
const MAX_SCRIPT_DEPTH = 8;
const CHANGES_DIRECTORY = new Set(['cd', 'pushd', 'popd']);
const UNKNOWN_ALIASES: GitAliasLookup = () => null;
const NO_CONTEXT: CommandContext = { assignments: [], stdinFed: false };

/** An evaluated, immutable policy. Checking is lookup in a first-token index, never interpretation. */
export class Policy {
  readonly defaultDecision: Decision;
  private readonly index: RuleIndex;
  private readonly noRuleNote: string;
  private readonly fastPath: boolean;

  constructor(
    readonly rules: RuleSet,
    readonly files: readonly string[],
    options: PolicyOptions = {},
  ) {
    this.defaultDecision = options.defaultDecision ?? 'allow';
    this.index = new RuleIndex(rules);
    this.noRuleNote = `no rule matched; default decision is ${this.defaultDecision}`;
    this.fastPath = options.fastPath ?? true;
  }

  /** Exactly codex execpolicy's `check`: no shell parsing, no normalisation, no default decision. */
  evaluate(argv: readonly string[], options: { resolveHostExecutables?: boolean } = {}): EvaluateResult {
    const matched = this.index.evaluate(argv, options.resolveHostExecutables ?? false);
    let decision: Decision | undefined;
    for (const m of matched) decision = stricter(decision, m.decision);
    return { decision: decision ?? null, matched };
  }

  checkNetwork(host: string, protocol?: string): EvaluateResult {
    const matched = this.index.matchHost(host, protocol);
    return { decision: strictest(matched.map((m) => m.decision)) ?? null, matched };
  }

  /** Checks an argv as execve would receive it (no shell), including what wrappers and `sh -c` run. */
  check(argv: readonly string[], options: CheckOptions = {}): CheckResult {
    // checkCommand's fast path, taken before any of the general bookkeeping.
    if (this.fastPath && isPlainCommand(argv, undefined, NO_CONTEXT.assignments))
      return this.summarize([this.decidePlain(argv, 'command', [])], []);
    const parts: PartResult[] = [];
    const problems: string[] = [];
    const ctx = options.gitAliases ? { ...NO_CONTEXT, gitAliases: options.gitAliases } : NO_CONTEXT;
    if (argv.length > 0) this.checkCommand(argv, undefined, ctx, 'command', 0, parts, problems);
    return this.summarize(parts, problems);
  }

  /** Checks a shell command line: every simple command in it, substitutions and nested scripts too. */
  checkCommandLine(line: string, options: CheckOptions = {}): CheckResult {
    const parts: PartResult[] = [];
    const problems: string[] = [];
    this.checkScript(line, 'command', 0, parts, problems, options);
    return this.summarize(parts, problems);
  }

  private checkScript(
    script: string,
    via: string,
    depth: number,
    parts: PartResult[],
    problems: string[],
    options: CheckOptions,
  ): void {
    const parsed = parseShell(script);
    const where = via === 'command' ? '' : ` (in script run by ${via})`;
    for (const p of parsed.problems) problems.push(p + where);
    let gitAliases = options.gitAliases;
    for (const cmd of parsed.commands) {
      const origin: string = via === 'command' ? cmd.origin : via;
      // After `cd`, git runs in another repository, whose aliases were not read.
      if (gitAliases && CHANGES_DIRECTORY.has(cmd.words[0]?.text ?? '')) gitAliases = UNKNOWN_ALIASES;
      const ctx: CommandContext = {
        assignments: cmd.assignments,
        stdinFed: cmd.stdinFed,
        stdinText: cmd.stdinText,
        gitAliases,
      };
      const argv = cmd.words.map((w) => w.text);
      const redirections = cmd.redirections.map((r) => `${r.op} ${r.target}`);
      this.checkCommand(
        argv,
        cmd.words.map((w) => w.dynamic),
        ctx,
        origin,
        depth,
        parts,
        problems,
        redirections,
      );
    }
  }

  /** `dynamic` undefined: every word is known (an argv given to check()). */
  private checkCommand(
    argv: readonly string[],
    dynamic: readonly boolean[] | undefined,
    ctx: CommandContext,
    origin: CommandOrigin | string,
    depth: number,
    parts: PartResult[],
    problems: string[],
    redirections: readonly string[] = [],
  ): void {
    // Most commands run nothing else: no analysis, their own argv is all there is to look up.
    if (this.fastPath && isPlainCommand(argv, dynamic, ctx.assignments)) {
      parts.push(this.decidePlain(argv, origin, redirections));
      return;
    }
    const analysis = analyzeCommand(argv, dynamic ?? argv.map(() => false), ctx);
    parts.push(this.decidePart(argv, analysis, origin, redirections));
    for (const { script, via } of analysis.scripts) {
      if (depth + 1 > MAX_SCRIPT_DEPTH) {
        problems.push(`scripts nested more than ${MAX_SCRIPT_DEPTH} levels deep`);
        return;
      }
      this.checkScript(script, via, depth + 1, parts, problems, { gitAliases: ctx.gitAliases });
    }
  }

  private decidePart(
    argv: readonly string[],
    analysis: Analysis,
    origin: string,
    redirections: readonly string[],
  ): PartResult {
    const matched: RuleMatch[] = [];
    // Floors come first: they are the reasons that hold whatever the rules say.
    const reasons = analysis.floors.length > 0 ? analysis.floors.slice() : [];
    let potential: Decision | undefined;
    let undeclared = false;
    let unruledRun: string | null = null;
    for (const view of analysis.views) {
      const m = this.index.matchView(view);
      for (const r of m.matches) addMatch(matched, r);
      if (m.matches.length === 0 && view.via.startsWith('run by ')) unruledRun ??= view.via;
      potential = stricter(potential, m.potential);
      if (m.undeclaredPath) {
        undeclared = true;
        reasons.push(`\`${m.undeclaredPath}\` is not a declared host_executable path`);
      }
      if (this.rules.networkRules.length > 0) for (const token of view.argv) this.matchUrl(token, matched);
    }
    let decision: Decision | undefined;
    for (const m of matched) decision = stricter(decision, m.decision);
    const noRule = decision === undefined;
    if (decision === undefined) {
      decision = analysis.opaque.length > 0 ? atLeast(this.defaultDecision, 'prompt') : this.defaultDecision;
      for (const r of analysis.opaque) reasons.push(r);
    } else if (unruledRun !== null && stricter(this.defaultDecision, decision) !== decision) {
      // `find … -exec rm {} +` runs rm: a rule allowing find does not speak for it.
      decision = this.defaultDecision;
      reasons.push(`the command ${unruledRun} matched no rule; default decision is ${this.defaultDecision}`);
    }
    if (potential !== undefined && stricter(potential, decision) !== decision) {
      reasons.push(`values computed at run time could make a ${potential} rule match`);
      decision = atLeast(decision, 'prompt');
    }
    // Floors and undeclared executable paths hold whatever the rules said.
    if (analysis.floors.length > 0 || undeclared) decision = atLeast(decision, 'prompt');
    if (noRule) reasons.push(this.noRuleNote);
    return { command: argv, origin, decision, matched, reasons: unique(reasons), redirections };
  }

  /**
   * decidePart for a plain command (isPlainCommand): its only view is the argv itself, with no
   * floors, opaque code, scripts or run-time values, so only the rules and host paths can speak.
   */
  private decidePlain(argv: readonly string[], origin: string, redirections: readonly string[]): PartResult {
    const m = this.index.matchArgv(argv);
    let matched = m.matches;
    if (matched.length > 1) {
      matched = [];
      for (const r of m.matches) addMatch(matched, r);
    }
    if (this.rules.networkRules.length > 0) for (const token of argv) this.matchUrl(token, matched);
    let decision: Decision | undefined;
    for (const r of matched) decision = stricter(decision, r.decision);
    const reasons: string[] = [];
    if (m.undeclaredPath) reasons.push(`\`${m.undeclaredPath}\` is not a declared host_executable path`);
    if (decision === undefined) {
      decision = this.defaultDecision;
      reasons.push(this.noRuleNote);
    }
    if (m.undeclaredPath) decision = atLeast(decision, 'prompt');
    return { command: argv, origin, decision, matched, reasons, redirections };
  }

  private matchUrl(token: string, into: RuleMatch[]): void {
    if (this.rules.networkRules.length === 0 || !token.includes('://')) return;
    const m = URL_HOST.exec(token);
    if (!m) return;
    const host = (m[2] as string).replace(/^\[|\]$/g, '');
    const protocol = /^https?$/i.test(m[1] as string) ? (m[1] as string).toLowerCase() : undefined;
    for (const r of this.index.matchHost(host, protocol)) addMatch(into, r);
  }

  private summarize(parts: PartResult[], problems: string[]): CheckResult {
    const uniqueProblems = unique(problems);
    let decision: Decision = 'allow';
    for (const p of parts) decision = atLeast(decision, p.decision);
    if (uniqueProblems.length > 0) decision = atLeast(decision, 'prompt');
    // One part (the usual case) shares its list: results are read-only.
    const matched = parts.length === 1 ? (parts[0] as PartResult).matched : parts.flatMap((p) => p.matched);
    return {
      decision,
      matched,
      parts,
      problems: uniqueProblems,
      reason: explain(decision, parts, uniqueProblems),
    };
  }
}

/**
 * A rule found twice (through two views of one command) is listed once, in its first place, the
 * later finding kept: a prefix rule is the same when its place and pattern are, a network rule
 * when its place is.
 */
function addMatch(list: RuleMatch[], r: RuleMatch): void {
  for (let i = 0; i < list.length; i++) {
    const o = list[i] as RuleMatch;
    if (
      o.kind === r.kind &&
      o.line === r.line &&
      o.column === r.column &&
      o.file === r.file &&
      (r.kind === 'network_rule' || o.rule === r.rule)
    ) {
      list[i] = r;
      return;
    }
  }
  list.push(r);
}

/** `words.join(' ')`, which costs noticeably more on the short arrays of short strings met here. */
function joinWords(words: readonly string[]): string {
  let s = words[0] ?? '';
  for (let i = 1; i < words.length; i++) s += ' ' + (words[i] as string);
  return s;
}

function explain(decision: Decision, parts: readonly PartResult[], problems: readonly string[]): string {
  if (parts.length === 0 && problems.length === 0) return 'empty command';
  // Plain loops rather than find(): this runs on every check.
  for (const deciding of parts) {
    if (deciding.decision !== decision) continue;
    const cmd = joinWords(deciding.command);
    for (const rule of deciding.matched) {
      if (rule.decision !== decision) continue;
      const why = rule.justification ? `: ${rule.justification}` : '';
      return `${decision}: \`${cmd}\` matches ${rule.kind} \`${rule.rule}\` (${rule.file}:${rule.line})${why}`;
    }
    if (deciding.reasons.length > 0) return `${decision}: \`${cmd}\`: ${deciding.reasons[0]}`;
    break;
  }
  return `${decision}: ${problems[0] ?? 'no rule matched'}`;
}
