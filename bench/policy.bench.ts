/**
 * Execution policy: load `../shared/bench/policy/policy.star`, check every command of
 * `commands.json` and require each decision to equal `expected-decisions.jsonl` (exit 1 otherwise).
 * Prints load time, and per-command check time of (mean over whole passes, garbage collection
 * included; p50 and p99 over commands, each timed as its best of several rounds):
 *   - `evaluate` (codex-compatible lookup in the first-token index) against a baseline measured in
 *     the same run: a naive linear scan over every rule with the same matching (ratio < 1 = faster);
 *   - `check` (argv with wrappers, `sh -c`, global options) and `checkCommandLine` (the argv quoted
 *     into one shell line, parsed and split), as ratios against `evaluate`, i.e. the cost of hardening.
 * Load is compared with interpreting the same file with no-op builtins (the cost of building rules
 * and verifying match/not_match examples).
 *
 * The peer: the starlark-go runner of `../shared/bench/policy/starlark-go/` (go.starlark.net), when
 * Go and its Debian packages are installed. It is built once into a cache dir, run on the same
 * policy and commands, its decisions must equal `expected-decisions.jsonl` too, and the load and
 * per-command check figures are printed as ratios against its own (ratio > 1 = slower than Go).
 * Without Go, one line says how to install it and the rest goes on.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtin, execModule, None } from '@harness/starlark';
import { INSTALL_COMMAND, runnerBench, runnerDecisions, starlarkGoRunner } from './support/starlark-go.js';
import {
  loadPolicy,
  type Decision,
  type Policy,
  type PrefixRule,
} from '../packages/harness/src/policy/index.js';
import { shlexJoin } from '../packages/harness/src/shell/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(root, '..', 'shared', 'bench', 'policy');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 40);
const LOADS = Number(process.env.BENCH_LOADS ?? 40);
const WARMUP_LOADS = Number(process.env.BENCH_WARMUP_LOADS ?? 40);
const WARMUP_PASSES = Number(process.env.BENCH_WARMUP_PASSES ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const GO_ITERATIONS = Number(process.env.BENCH_GO_ITERATIONS ?? 100);

function stats(samples: number[]): { mean: number; p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return { mean: samples.reduce((s, x) => s + x, 0) / samples.length, p50: at(0.5), p99: at(0.99) };
}

interface CheckTimes {
  /** Whole passes over every item divided by the calls made: garbage collection included. */
  mean: number;
  /** Per item, the best of ROUNDS rounds: a pause that hit one round does not count. */
  p50: number;
  p99: number;
}

/** Nanoseconds per call of `fn(item)`, each item repeated so timer overhead vanishes. */
function perItem<T>(items: readonly T[], fn: (item: T) => unknown): CheckTimes {
  // Steady state: a few passes first, or the first measured pass also times the JIT optimising.
  for (let pass = 0; pass < WARMUP_PASSES; pass++) for (const item of items) fn(item);
  const best = items.map(() => Infinity);
  let total = 0;
  for (let round = 0; round < ROUNDS; round++) {
    items.forEach((item, i) => {
      const start = process.hrtime.bigint();
      for (let k = 0; k < REPEAT; k++) fn(item);
      const ns = Number(process.hrtime.bigint() - start);
      total += ns;
      best[i] = Math.min(best[i] as number, ns / REPEAT);
    });
  }
  const { p50, p99 } = stats(best);
  return { mean: total / (ROUNDS * REPEAT * items.length), p50, p99 };
}

function naiveScan(rules: readonly PrefixRule[], argv: readonly string[]): Decision | null {
  const rank = { allow: 0, prompt: 1, forbidden: 2 } as const;
  let best: Decision | null = null;
  for (const rule of rules) {
    if (argv[0] !== rule.program || argv.length < rule.tail.length + 1) continue;
    if (!rule.tail.every((alts, i) => alts.includes(argv[i + 1] as string))) continue;
    if (best === null || rank[rule.decision] > rank[best]) best = rule.decision;
  }
  return best;
}

function line(label: string, s: { mean: number; p50: number; p99: number }, extra = ''): string {
  const us = (ns: number) => `${(ns / 1000).toFixed(2)} µs`.padStart(10);
  return `${label.padEnd(34)} mean ${us(s.mean)}  p50 ${us(s.p50)}  p99 ${us(s.p99)}${extra}`;
}

function main(): number {
  if (!existsSync(path.join(dir, 'policy.star'))) {
    process.stdout.write(
      `skipped: ${path.relative(root, dir)}/policy.star not found (the shared bench data is not present)\n`,
    );
    return 0;
  }
  const source = readFileSync(path.join(dir, 'policy.star'), 'utf8');
  const commands = JSON.parse(readFileSync(path.join(dir, 'commands.json'), 'utf8')) as string[][];
  const expected = readFileSync(path.join(dir, 'expected-decisions.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { decision: Decision | null }).decision);

  // Loads and bare interpretations alternate, after the same warm-up, so both are measured in the
  // same machine and JIT state; the first load of the process is reported on its own (cold start).
  const noop = builtin('noop', () => None);
  const load = (): Policy => loadPolicy({ files: [{ path: 'policy.star', source }] });
  const bareRun = (): unknown =>
    execModule(source, {
      filename: 'policy.star',
      predeclared: { prefix_rule: noop, host_executable: noop, network_rule: noop },
    });
  const timed = (fn: () => unknown): number => {
    const t = performance.now();
    fn();
    return performance.now() - t;
  };
  const firstLoadMs = timed(load);
  const firstBareMs = timed(bareRun);
  for (let i = 0; i < WARMUP_LOADS; i++) {
    load();
    bareRun();
  }
  const loadMs: number[] = [];
  const bareMs: number[] = [];
  let policy: Policy | undefined;
  for (let i = 0; i < LOADS; i++) {
    const t = performance.now();
    policy = load();
    loadMs.push(performance.now() - t);
    bareMs.push(timed(bareRun));
  }
  const p = policy as Policy;

  const mismatches = commands.flatMap((argv, i) => {
    const got = p.evaluate(argv).decision;
    const naive = naiveScan(p.rules.prefixRules, argv);
    return got === expected[i] && naive === got
      ? []
      : [`#${i} ${JSON.stringify(argv)}: got ${got}, naive ${naive}, want ${expected[i]}`];
  });
  const loadStats = stats(loadMs);
  const bare = stats(bareMs);
  process.stdout.write(
    `policy.star: ${p.rules.prefixRules.length} prefix rules; ${commands.length} commands\n`,
  );
  process.stdout.write(
    `load (cold, first of the process): ${firstLoadMs.toFixed(1)} ms; bare interpretation ${firstBareMs.toFixed(1)} ms\n`,
  );
  process.stdout.write(
    `load (warm): mean ${loadStats.mean.toFixed(2)} ms, p50 ${loadStats.p50.toFixed(2)} ms, p99 ${loadStats.p99.toFixed(2)} ms;` +
      ` bare interpretation p50 ${bare.p50.toFixed(2)} ms;` +
      ` load/interpreter-only ratio ${(loadStats.p50 / bare.p50).toFixed(2)} (builtins ${(100 * (1 - bare.p50 / loadStats.p50)).toFixed(0)}% of load)\n`,
  );

  const indexed = perItem(commands, (argv) => p.evaluate(argv));
  const naive = perItem(commands, (argv) => naiveScan(p.rules.prefixRules, argv));
  const hardened = perItem(commands, (argv) => p.check(argv));
  const lines = commands.map((argv) => shlexJoin(argv));
  const shell = perItem(lines, (l) => p.checkCommandLine(l));
  process.stdout.write(`${line('evaluate (indexed)', indexed)}\n`);
  process.stdout.write(
    `${line('baseline: naive linear scan', naive, `   ratio ${(indexed.mean / naive.mean).toFixed(3)}`)}\n`,
  );
  process.stdout.write(
    `${line('check (argv, hardened)', hardened, `   ×${(hardened.mean / indexed.mean).toFixed(1)} of evaluate`)}\n`,
  );
  process.stdout.write(
    `${line('checkCommandLine (shell line)', shell, `   ×${(shell.mean / indexed.mean).toFixed(1)} of evaluate`)}\n`,
  );

  if (mismatches.length > 0) {
    process.stdout.write(
      `FAIL: ${mismatches.length} decisions differ from expected-decisions.jsonl\n${mismatches.slice(0, 20).join('\n')}\n`,
    );
    return 1;
  }
  process.stdout.write(`ok: all ${commands.length} decisions equal expected-decisions.jsonl\n`);
  return compareWithStarlarkGo(expected, { loadMs: loadStats.p50, evaluate: indexed, check: hardened });
}

/** Harness's figures as ratios against the starlark-go runner's on the same files; 1 if its decisions differ. */
function compareWithStarlarkGo(
  expected: (Decision | null)[],
  harness: { loadMs: number; evaluate: CheckTimes; check: CheckTimes },
): number {
  const runner = starlarkGoRunner(path.join(dir, 'starlark-go'));
  if (!runner.ok) {
    process.stdout.write(`starlark-go peer: skipped (${runner.reason}); to compare, ${INSTALL_COMMAND}\n`);
    return 0;
  }
  const policyFile = path.join(dir, 'policy.star');
  const commandsFile = path.join(dir, 'commands.json');
  const decisions = runnerDecisions(runner.path, policyFile, commandsFile);
  const differ = expected.flatMap((want, i) =>
    decisions[i] === want ? [] : [`#${i}: starlark-go ${decisions[i]}, want ${want}`],
  );
  if (differ.length > 0 || decisions.length !== expected.length) {
    process.stdout.write(
      `FAIL: starlark-go gave ${decisions.length} decisions, ${differ.length} differ from expected-decisions.jsonl\n${differ.slice(0, 10).join('\n')}\n`,
    );
    return 1;
  }
  const go = runnerBench(runner.path, policyFile, commandsFile, GO_ITERATIONS, ROUNDS);
  const goLoadMs = go.ns_per_load / 1e6;
  const ratio = (ours: number, theirs: number) => `×${(ours / theirs).toFixed(2)} of starlark-go`;
  process.stdout.write(
    `starlark-go peer (${runner.goVersion}; ${go.rules} rules): all ${decisions.length} decisions equal expected-decisions.jsonl\n` +
      `  load:               harness p50 ${harness.loadMs.toFixed(2)} ms, starlark-go ${goLoadMs.toFixed(2)} ms (parse+compile ${(go.ns_per_compile / 1e6).toFixed(2)} ms)   ${ratio(harness.loadMs, goLoadMs)}\n` +
      `  check per command:  starlark-go ${go.ns_per_command.toFixed(0)} ns; harness evaluate ${harness.evaluate.mean.toFixed(0)} ns ${ratio(harness.evaluate.mean, go.ns_per_command)}, check (hardened) ${harness.check.mean.toFixed(0)} ns ${ratio(harness.check.mean, go.ns_per_command)}\n`,
  );
  return 0;
}

process.exitCode = main();
