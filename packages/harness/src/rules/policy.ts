import { analyzeCommand, type CommandContext } from './command-analysis.js';
import type { Analysis } from './command-view.js';
import { atLeast, stricter, strictest, type Decision } from './decision.js';
import { RuleIndex, type RuleMatch } from './rule-index.js';
import type { RuleSet } from './rule-model.js';
import { parseShell } from './shell-parser.js';
import type { CommandOrigin } from './shell-words.js';

export interface PolicyOptions {
  /** What a command no rule matches gets. Default `allow` (codex/harness behaviour); `prompt` is stricter. */
  readonly defaultDecision?: Decision;
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

/** An evaluated, immutable policy. Checking is lookup in a first-token index, never interpretation. */
export class Policy {
  readonly defaultDecision: Decision;
  private readonly index: RuleIndex;

  constructor(
    readonly rules: RuleSet,
    readonly files: readonly string[],
    options: PolicyOptions = {},
  ) {
    this.defaultDecision = options.defaultDecision ?? 'allow';
    this.index = new RuleIndex(rules);
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
  check(argv: readonly string[]): CheckResult {
    const parts: PartResult[] = [];
    const problems: string[] = [];
    if (argv.length > 0) {
      const ctx = { assignments: [], stdinFed: false };
      this.checkCommand(
        argv,
        argv.map(() => false),
        ctx,
        'command',
        0,
        parts,
        problems,
      );
    }
    return this.summarize(parts, problems);
  }

  /** Checks a shell command line: every simple command in it, substitutions and nested scripts too. */
  checkCommandLine(line: string): CheckResult {
    const parts: PartResult[] = [];
    const problems: string[] = [];
    this.checkScript(line, 'command', 0, parts, problems);
    return this.summarize(parts, problems);
  }

  private checkScript(
    script: string,
    via: string,
    depth: number,
    parts: PartResult[],
    problems: string[],
  ): void {
    const parsed = parseShell(script);
    const where = via === 'command' ? '' : ` (in script run by ${via})`;
    for (const p of parsed.problems) problems.push(p + where);
    for (const cmd of parsed.commands) {
      const origin: string = via === 'command' ? cmd.origin : via;
      const ctx = { assignments: cmd.assignments, stdinFed: cmd.stdinFed, stdinText: cmd.stdinText };
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

  private checkCommand(
    argv: readonly string[],
    dynamic: readonly boolean[],
    ctx: CommandContext,
    origin: CommandOrigin | string,
    depth: number,
    parts: PartResult[],
    problems: string[],
    redirections: readonly string[] = [],
  ): void {
    const analysis = analyzeCommand(argv, dynamic, ctx);
    parts.push(this.decidePart(argv, analysis, origin, redirections));
    for (const { script, via } of analysis.scripts) {
      if (depth + 1 > MAX_SCRIPT_DEPTH) {
        problems.push(`scripts nested more than ${MAX_SCRIPT_DEPTH} levels deep`);
        return;
      }
      this.checkScript(script, via, depth + 1, parts, problems);
    }
  }

  private decidePart(
    argv: readonly string[],
    analysis: Analysis,
    origin: string,
    redirections: readonly string[],
  ): PartResult {
    const matched = new Map<string, RuleMatch>();
    const reasons: string[] = [];
    let potential: Decision | undefined;
    for (const view of analysis.views) {
      const m = this.index.matchView(view);
      for (const r of m.matches) matched.set(`${r.kind}:${r.file}:${r.line}:${r.column}:${r.rule}`, r);
      potential = stricter(potential, m.potential);
      if (m.undeclaredPath) reasons.push(`\`${m.undeclaredPath}\` is not a declared host_executable path`);
      for (const token of view.argv) this.matchUrl(token, matched);
    }
    const list = [...matched.values()];
    let decision = strictest(list.map((m) => m.decision));
    const notes: string[] = [];
    if (decision === undefined) {
      decision = analysis.opaque.length > 0 ? atLeast(this.defaultDecision, 'prompt') : this.defaultDecision;
      reasons.push(...analysis.opaque);
      notes.push(`no rule matched; default decision is ${this.defaultDecision}`);
    }
    if (potential !== undefined && stricter(potential, decision) !== decision) {
      reasons.push(`values computed at run time could make a ${potential} rule match`);
      decision = atLeast(decision, 'prompt');
    }
    // Floors (and undeclared executable paths) hold whatever the rules said.
    if (analysis.floors.length > 0 || reasons.some((r) => r.includes('host_executable')))
      decision = atLeast(decision, 'prompt');
    reasons.unshift(...analysis.floors);
    reasons.push(...notes);
    return { command: argv, origin, decision, matched: list, reasons: [...new Set(reasons)], redirections };
  }

  private matchUrl(token: string, into: Map<string, RuleMatch>): void {
    if (this.rules.networkRules.length === 0 || !token.includes('://')) return;
    const m = URL_HOST.exec(token);
    if (!m) return;
    const host = (m[2] as string).replace(/^\[|\]$/g, '');
    const protocol = /^https?$/i.test(m[1] as string) ? (m[1] as string).toLowerCase() : undefined;
    for (const r of this.index.matchHost(host, protocol))
      into.set(`${r.kind}:${r.file}:${r.line}:${r.column}`, r);
  }

  private summarize(parts: PartResult[], problems: string[]): CheckResult {
    const uniqueProblems = [...new Set(problems)];
    let decision = strictest(parts.map((p) => p.decision)) ?? 'allow';
    if (uniqueProblems.length > 0) decision = atLeast(decision, 'prompt');
    const matched = parts.flatMap((p) => p.matched);
    return {
      decision,
      matched,
      parts,
      problems: uniqueProblems,
      reason: explain(decision, parts, uniqueProblems),
    };
  }
}

function explain(decision: Decision, parts: readonly PartResult[], problems: readonly string[]): string {
  if (parts.length === 0 && problems.length === 0) return 'empty command';
  const deciding = parts.find((p) => p.decision === decision);
  if (deciding) {
    const cmd = deciding.command.join(' ');
    const rule = deciding.matched.find((m) => m.decision === decision);
    if (rule) {
      const why = rule.justification ? `: ${rule.justification}` : '';
      return `${decision}: \`${cmd}\` matches ${rule.kind} \`${rule.rule}\` (${rule.file}:${rule.line})${why}`;
    }
    if (deciding.reasons.length > 0) return `${decision}: \`${cmd}\`: ${deciding.reasons[0]}`;
  }
  return `${decision}: ${problems[0] ?? 'no rule matched'}`;
}
