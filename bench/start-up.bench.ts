/**
 * Start-up of the `harness` binary, as whole processes, against `node -e 0` measured in the same
 * run: `harness --version` (target: at most 2× node) and `harness rule check POLICY -- CMD` (at most
 * 3×) with a realistic policy — `../shared/bench/policy/policy.star` when present, else a small one
 * written to a temp dir. The three are spawned in turn (interleaved, so a busy moment of the machine
 * hits all of them), BENCH_STARTS times each; medians and ratios are printed with their targets.
 * Exits 1 if a command fails or answers wrongly; a target not met is printed, not a failure (the
 * figures depend on the machine's load).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryFor } from '../packages/harness/src/cli/start-up.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'packages', 'harness', 'bin', 'harness.js');
const sharedPolicy = path.resolve(root, '..', 'shared', 'bench', 'policy', 'policy.star');
const STARTS = Number(process.env.BENCH_STARTS ?? 30);
const { version } = JSON.parse(readFileSync(path.join(root, 'packages/harness/package.json'), 'utf8')) as {
  version: string;
};

/** A small policy in the shape of the shared one, for checkouts without ../shared. */
const SMALL_POLICY = `prefix_rule(pattern = ["git", ["status", "log", "diff", "show"]], decision = "allow",
    match = [["git", "status"]], not_match = [["git", "push"]])
prefix_rule(pattern = ["git", "push"], decision = "prompt", justification = "touches a remote")
prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden", justification = "recursive delete")
prefix_rule(pattern = [["ls", "cat", "head", "tail", "wc"]], decision = "allow")
prefix_rule(pattern = ["npm", ["test", "run"]], decision = "allow")
`;

interface Subject {
  label: string;
  args: string[];
  /** The first line of stdout it must print, and its exit code. */
  expect: { line: string; code: number };
  /** At most this many times `node -e 0`; none for the baseline. */
  target?: number;
}

function run(subject: Subject): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, subject.args, { encoding: 'utf8', cwd: root });
  const ms = performance.now() - start;
  const line = result.stdout.split('\n')[0];
  if (result.status !== subject.expect.code || line !== subject.expect.line) {
    throw new Error(
      `${subject.label}: exit ${result.status ?? result.signal}, first line ${JSON.stringify(line)}; expected exit ${subject.expect.code}, ${JSON.stringify(subject.expect.line)}\n${result.stderr}`,
    );
  }
  return ms;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function main(): number {
  const temp = mkdtempSync(path.join(tmpdir(), 'harness-bench-start-up-'));
  try {
    let policy = sharedPolicy;
    let policyLabel = path.relative(root, sharedPolicy);
    if (!existsSync(sharedPolicy)) {
      policy = path.join(temp, 'policy.star');
      policyLabel = `a small policy written to a temp dir (${path.relative(root, sharedPolicy)} not found)`;
      writeFileSync(policy, SMALL_POLICY);
    }
    const subjects: Subject[] = [
      { label: 'node -e 0', args: ['-e', '0'], expect: { line: '', code: 0 } },
      { label: 'harness --version', args: [bin, '--version'], expect: { line: version, code: 0 }, target: 2 },
      {
        label: 'harness rule check POLICY -- git status',
        args: [bin, 'rule', 'check', policy, '--', 'git', 'status'],
        expect: { line: 'allow', code: 0 },
        target: 3,
      },
    ];
    const ruleEntry = path.relative(root, entryFor(['rule'], path.join(root, 'packages', 'harness')));
    const stale = ruleEntry.includes(`${path.sep}bundle${path.sep}`)
      ? ''
      : ' (no fresh bundle: run `npm run build`)';
    process.stdout.write(
      `policy: ${policyLabel}; ${STARTS} starts each, interleaved; node ${process.version}\n` +
        `\`rule\` starts from ${ruleEntry}${stale}\n`,
    );
    for (const subject of subjects) run(subject); // warm the file cache; not counted
    const samples = subjects.map(() => [] as number[]);
    for (let i = 0; i < STARTS; i++) subjects.forEach((subject, j) => samples[j]?.push(run(subject)));

    const baseline = median(samples[0] as number[]);
    let missed = 0;
    subjects.forEach((subject, j) => {
      const ms = median(samples[j] as number[]);
      const ratio = ms / baseline;
      let verdict = '';
      if (subject.target !== undefined) {
        const met = ratio <= subject.target;
        if (!met) missed++;
        verdict = `   target ≤ ${subject.target}×: ${met ? 'met' : 'NOT met'}`;
      }
      process.stdout.write(
        `${subject.label.padEnd(42)} median ${ms.toFixed(1).padStart(7)} ms   ×${ratio.toFixed(2)} of node -e 0${verdict}\n`,
      );
    });
    process.stdout.write(
      missed === 0 ? 'start-up targets met\n' : `${missed} start-up target(s) not met on this run\n`,
    );
    return 0;
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

process.exitCode = main();
