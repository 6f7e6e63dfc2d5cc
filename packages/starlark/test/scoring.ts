import {
  builtin,
  check,
  execModule,
  parse,
  None,
  StarlarkError,
  type Dialect,
  type Value,
} from '../src/index.js';
import {
  type BazelCase,
  type GoCase,
  type PolicyCase,
  readJsonl,
  type RejectedCase,
  type RejectOutcome,
  type StaticCase,
} from './corpus.js';
import { AssertionLog, assertNatives } from './natives.js';
import { errorText, evaluate, loadPolicy } from './policy-model.js';

/*
 * Scoring exactly as the corpus README describes: each case is judged strictly (right line and
 * matching message) and leniently (an error of the right kind at the right place), both per case
 * and per check.
 */

export interface Tally {
  cases: number;
  casesStrict: number;
  casesLenient: number;
  checks: number;
  checksStrict: number;
  checksLenient: number;
  failures: { id: string; reason: string }[];
}

function tally(): Tally {
  return {
    cases: 0,
    casesStrict: 0,
    casesLenient: 0,
    checks: 0,
    checksStrict: 0,
    checksLenient: 0,
    failures: [],
  };
}

interface Judgement {
  strict: boolean;
  lenient: boolean;
  checks: number;
  checksStrict: number;
  checksLenient: number;
  reason: string;
}

function add(t: Tally, id: string, j: Judgement): void {
  t.cases++;
  t.checks += j.checks;
  if (j.strict) t.casesStrict++;
  if (j.lenient) t.casesLenient++;
  // A passing case earns all its checks: assertions after an expected error cannot run on any
  // implementation, the reference included.
  t.checksStrict += j.strict ? j.checks : Math.min(j.checks, j.checksStrict);
  t.checksLenient += j.lenient ? j.checks : Math.min(j.checks, j.checksLenient);
  if (!j.strict) t.failures.push({ id, reason: j.reason });
}

function dialectFor(options: string[] | undefined): Dialect {
  return options?.some((o) => o === 'globalreassign' || o === 'toplevelcontrol') ? 'relaxed' : 'strict';
}

interface Run {
  log: AssertionLog;
  error: StarlarkError | null;
  crash: unknown;
}

function run(code: string, dialect: Dialect, extra: Record<string, Value> = {}): Run {
  const log = new AssertionLog();
  try {
    execModule(code, { filename: 'case.star', dialect, predeclared: { ...assertNatives(log), ...extra } });
    return { log, error: null, crash: null };
  } catch (e) {
    if (e instanceof StarlarkError) return { log, error: e, crash: null };
    return { log, error: null, crash: e };
  }
}

function isStatic(e: StarlarkError | null): boolean {
  return e !== null && (e.kind === 'syntax' || e.kind === 'resolve');
}

export function judgeGo(c: GoCase): Judgement {
  const r = run(c.code, dialectFor(c.options));
  const sites = r.log.passedSites();
  const e = r.error;
  const noAssertFailures = r.log.failures === 0;
  const base = { checks: c.checks, reason: '' };
  if (r.crash !== null)
    return {
      ...base,
      strict: false,
      lenient: false,
      checksStrict: 0,
      checksLenient: 0,
      reason: `crash: ${String(r.crash)}`,
    };
  if (isStatic(e))
    return {
      ...base,
      strict: false,
      lenient: false,
      checksStrict: 0,
      checksLenient: 0,
      reason: `static: ${e!.message}`,
    };
  if (c.expect.outcome === 'ok') {
    const ok = e === null && noAssertFailures;
    const reason = e !== null ? `unexpected error: ${e.message}` : r.log.messages.join('; ');
    return { ...base, strict: ok, lenient: ok, checksStrict: sites, checksLenient: sites, reason };
  }
  const want = c.expect;
  const atLine = e !== null && e.line === want.line;
  const inSpan = e !== null && e.line >= want.stmt_span[0] && e.line <= want.stmt_span[1];
  const matches = e !== null && new RegExp(want.pattern).test(e.reason);
  const strictErr = atLine && matches;
  const lenientErr = inSpan;
  const reason =
    e === null
      ? `no error, want ${want.pattern}`
      : `got ${e.message}, want line ${want.line} ${want.pattern}; ${r.log.messages.join('; ')}`;
  return {
    ...base,
    strict: strictErr && noAssertFailures,
    lenient: lenientErr && noAssertFailures,
    checksStrict: sites + (strictErr ? 1 : 0),
    checksLenient: sites + (lenientErr ? 1 : 0),
    reason,
  };
}

function bazelMatch(pattern: string, message: string): boolean {
  const p = pattern.toLowerCase();
  const m = message.toLowerCase();
  if (m.includes(p)) return true;
  try {
    return new RegExp(p).test(m);
  } catch {
    return false;
  }
}

export function judgeBazel(c: BazelCase): Judgement {
  const anyPatterns = c.expect.error_patterns.filter((p) => p.impl === 'any').map((p) => p.text);
  const wantError = anyPatterns.length > 0 || c.expect.outcome_by_impl['go'] === 'error';
  const patterns =
    anyPatterns.length > 0
      ? anyPatterns
      : c.expect.error_patterns.filter((p) => p.impl === 'go').map((p) => p.text);
  const r = run(c.code, 'strict');
  const sites = r.log.passedSites();
  const e = r.error;
  const noAssertFailures = r.log.failures === 0;
  const base = { checks: c.checks };
  if (r.crash !== null)
    return {
      ...base,
      strict: false,
      lenient: false,
      checksStrict: 0,
      checksLenient: 0,
      reason: `crash: ${String(r.crash)}`,
    };
  if (!wantError) {
    const ok = e === null && noAssertFailures;
    const reason = e !== null ? `unexpected error: ${e.message}` : r.log.messages.join('; ');
    return { ...base, strict: ok, lenient: ok, checksStrict: sites, checksLenient: sites, reason };
  }
  const strictErr = e !== null && (patterns.length === 0 || patterns.some((p) => bazelMatch(p, e.reason)));
  const lenientErr = e !== null;
  return {
    ...base,
    strict: strictErr && noAssertFailures,
    lenient: lenientErr && noAssertFailures,
    checksStrict: sites + (strictErr ? 1 : 0),
    checksLenient: sites + (lenientErr ? 1 : 0),
    reason:
      e === null
        ? `no error, want ${patterns.join(' | ')}`
        : `got ${e.message}, want ${patterns.join(' | ')}`,
  };
}

const staticPredeclared: Record<string, Value> = {
  M: builtin('M', () => None),
  U: builtin('U', () => None),
};

export function judgeStatic(c: StaticCase): Judgement {
  let errors: { line: number; message: string }[] = [];
  let crash = '';
  try {
    // The parse tier checks syntax only; its programs use names nothing defines.
    if (c.tier === 'static-parse') parse(c.code, { filename: 'case.star' });
    else
      check(c.code, {
        filename: 'case.star',
        dialect: dialectFor(c.options),
        predeclared: staticPredeclared,
      });
  } catch (e) {
    if (e instanceof StarlarkError) errors = e.all.map((d) => ({ line: d.line, message: d.message }));
    else crash = String(e);
  }
  const want = c.expect.errors ?? [];
  if (crash !== '')
    return {
      strict: false,
      lenient: false,
      checks: Math.max(1, want.length),
      checksStrict: 0,
      checksLenient: 0,
      reason: crash,
    };
  if (c.expect.outcome === 'ok') {
    const ok = errors.length === 0;
    return {
      strict: ok,
      lenient: ok,
      checks: 1,
      checksStrict: ok ? 1 : 0,
      checksLenient: ok ? 1 : 0,
      reason: errors.map((e) => `${e.line}: ${e.message}`).join('; '),
    };
  }
  const strictHits = want.filter((w) =>
    errors.some((e) => e.line === w.line && new RegExp(w.pattern).test(e.message)),
  ).length;
  const lenientHits = want.filter((w) => errors.some((e) => e.line === w.line)).length;
  return {
    strict: strictHits === want.length,
    lenient: lenientHits === want.length,
    checks: want.length,
    checksStrict: strictHits,
    checksLenient: lenientHits,
    reason: `got [${errors.map((e) => `${e.line}: ${e.message}`).join('; ')}], want [${want.map((w) => `${w.line}: ${w.pattern}`).join('; ')}]`,
  };
}

function outcomeOk(
  want: RejectOutcome,
  r: Run,
  printed: boolean,
  mention: string | undefined,
): [boolean, boolean] {
  if (r.crash !== null) return [false, false];
  const e = r.error;
  switch (want) {
    case 'reject_static': {
      const ok = isStatic(e) && !printed;
      return [ok && (mention === undefined || e!.reason.includes(mention)), ok];
    }
    case 'accept':
      return [e === null, e === null];
    case 'runtime_error':
      return [e?.kind === 'runtime', e?.kind === 'runtime' || e?.kind === 'limit'];
    case 'resource_limit':
      return [e?.kind === 'limit', e?.kind === 'limit'];
    case 'runtime_error_or_accept': {
      const ok = e === null || e.kind === 'runtime' || e.kind === 'limit';
      return [ok, ok];
    }
    default:
      return [true, true];
  }
}

const rejectedPredeclared = (): Record<string, Value> => ({
  prefix_rule: builtin('prefix_rule', () => None),
});

export function judgeRejected(c: RejectedCase): Judgement {
  let strict = 0;
  let lenient = 0;
  const reasons: string[] = [];
  for (const dialect of ['strict', 'relaxed'] as const) {
    let printed = false;
    const log = new AssertionLog();
    let r: Run;
    try {
      execModule(c.code, {
        filename: 'case.star',
        dialect,
        predeclared: { ...assertNatives(log), ...rejectedPredeclared() },
        print: () => {
          printed = true;
        },
      });
      r = { log, error: null, crash: null };
    } catch (e) {
      r = e instanceof StarlarkError ? { log, error: e, crash: null } : { log, error: null, crash: e };
    }
    const [s, l] = outcomeOk(
      c.expect[dialect],
      r,
      printed && c.expect[dialect] === 'reject_static',
      c.message_should_mention,
    );
    if (s) strict++;
    if (l) lenient++;
    if (!s)
      reasons.push(
        `${dialect}: want ${c.expect[dialect]}, got ${r.error?.message ?? (r.crash !== null ? `crash ${String(r.crash)}` : 'success')}`,
      );
  }
  return {
    strict: strict === 2,
    lenient: lenient === 2,
    checks: 2,
    checksStrict: strict,
    checksLenient: lenient,
    reason: reasons.join('; '),
  };
}

export function judgePolicy(c: PolicyCase): Judgement | null {
  if (c.engines !== undefined && !c.engines.includes('harness')) return null;
  const expected = c.expected_by_engine?.harness !== undefined ? c.expected_by_engine.harness : c.expected;
  const files = c.policy_files ?? [c.policy];
  const commands = c.commands ?? (c.command !== undefined ? [c.command] : []);
  let got: string | null;
  let strictExtra = true;
  let reason: string;
  try {
    const policy = loadPolicy(files);
    const ev = evaluate(policy, commands, c.options?.resolve_host_executables ?? false);
    got = ev.decision;
    if (c.matched_prefixes !== undefined)
      strictExtra = JSON.stringify(ev.matchedPrefixes) === JSON.stringify(c.matched_prefixes);
    reason = `got ${String(got)} ${JSON.stringify(ev.matchedPrefixes)}`;
  } catch (e) {
    got = 'error';
    const want = c.error_contains_harness ?? c.error_contains;
    strictExtra = want === undefined || errorText(e).includes(want);
    reason = `error: ${errorText(e)}`;
  }
  const lenient = got === expected;
  const strict = lenient && strictExtra;
  return {
    strict,
    lenient,
    checks: 1,
    checksStrict: strict ? 1 : 0,
    checksLenient: lenient ? 1 : 0,
    reason: `${reason}; want ${String(expected)}`,
  };
}

export interface Scores {
  suites: Record<string, Tally>;
}

export function scoreAll(): Scores {
  const suites: Record<string, Tally> = {};
  const score = <T extends { id: string }>(
    name: string,
    cases: T[],
    judge: (c: T) => Judgement | null,
  ): void => {
    const t = (suites[name] ??= tally());
    for (const c of cases) {
      const j = judge(c);
      if (j !== null) add(t, c.id, j);
    }
  };
  score(
    'core/starlark-go',
    [
      ...readJsonl<GoCase>('core/starlark-go.verbatim.jsonl'),
      ...readJsonl<GoCase>('core/starlark-go.derived.jsonl'),
    ],
    judgeGo,
  );
  score('core/bazel-suite', readJsonl<BazelCase>('core/bazel-suite.jsonl'), judgeBazel);
  score('core/static', readJsonl<StaticCase>('core/static.jsonl'), judgeStatic);
  const core = tally();
  for (const name of ['core/starlark-go', 'core/bazel-suite', 'core/static']) {
    const t = suites[name]!;
    for (const k of [
      'cases',
      'casesStrict',
      'casesLenient',
      'checks',
      'checksStrict',
      'checksLenient',
    ] as const)
      core[k] += t[k];
  }
  suites['core (all)'] = core;
  score('rejected', readJsonl<RejectedCase>('rejected/cases.jsonl'), judgeRejected);
  score('policy', readJsonl<PolicyCase>('policy/cases.jsonl'), judgePolicy);
  return { suites };
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`;
}

export function formatScores(s: Scores): string {
  const lines = [
    `${'suite'.padEnd(18)} ${'cases strict'.padStart(20)} ${'cases lenient'.padStart(20)} ${'checks strict'.padStart(22)} ${'checks lenient'.padStart(22)}`,
  ];
  for (const [name, t] of Object.entries(s.suites)) {
    const cell = (n: number, d: number, w: number): string => `${n}/${d} (${pct(n, d)})`.padStart(w);
    lines.push(
      `${name.padEnd(18)} ${cell(t.casesStrict, t.cases, 20)} ${cell(t.casesLenient, t.cases, 20)} ${cell(t.checksStrict, t.checks, 22)} ${cell(t.checksLenient, t.checks, 22)}`,
    );
  }
  return lines.join('\n');
}
