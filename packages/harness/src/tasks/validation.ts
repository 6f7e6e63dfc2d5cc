import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ProcessGroupJournal, ProcessRunner } from '../core/index.js';

/**
 * Validation: after the agent's turn, the project's commands run in the worktree, in order,
 * stopping at the first failure; what failed goes back to the agent as bounded text. Commands
 * are the operator's own configuration, so they run through `sh -c` on purpose.
 */
export interface ValidationCommands {
  pre_commit?: readonly string[];
  pre_push?: readonly string[];
}

export type ValidationPhase = 'pre_commit' | 'pre_push';
const phases: readonly ValidationPhase[] = ['pre_commit', 'pre_push'];

export interface ValidationCommandResult {
  phase: ValidationPhase;
  command: string;
  passed: boolean;
  /** Null when the command was ended by a signal (a timeout, a cancellation). */
  exit_code: number | null;
  signal: string | null;
  duration_ms: number;
  /** The tail of stdout and stderr interleaved. */
  output: string;
  /** True when the start of the output was dropped. */
  truncated: boolean;
  timed_out: boolean;
}

export interface ValidationRun {
  passed: boolean;
  /** One per command that ran, in order; the failing one, if any, is last. */
  results: ValidationCommandResult[];
  /** Commands not run because an earlier one failed or the run was cancelled. */
  skipped: { phase: ValidationPhase; command: string }[];
  cancelled: boolean;
}

export interface RunValidationOptions {
  commands: ValidationCommands;
  cwd: string;
  /** Per command. */
  timeoutMs: number;
  runner: ProcessRunner;
  signal?: AbortSignal;
  /** The commands' environment; the runner's default when absent. */
  env?: NodeJS.ProcessEnv;
  /** Output kept per command. */
  maxOutputBytes?: number;
  /** Where each command's process group is written down while it runs (crash recovery). */
  journal?: ProcessGroupJournal;
  onOutput?: (command: string, stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

const defaultOutputBytes = 256 * 1024;

function planned(commands: ValidationCommands): { phase: ValidationPhase; command: string }[] {
  return phases.flatMap((phase) =>
    (commands[phase] ?? []).filter((command) => command.trim() !== '').map((command) => ({ phase, command })),
  );
}

/** Runs `pre_commit` then `pre_push` commands in order and stops at the first failure. */
export async function runValidation(options: RunValidationOptions): Promise<ValidationRun> {
  const queue = planned(options.commands);
  const results: ValidationCommandResult[] = [];
  let cancelled = false;
  while (queue.length > 0) {
    if (options.signal?.aborted) {
      cancelled = true;
      break;
    }
    const { phase, command } = queue.shift() as { phase: ValidationPhase; command: string };
    const onOutput = options.onOutput;
    const run = await options.runner.runShell(command, {
      cwd: options.cwd,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: options.maxOutputBytes ?? defaultOutputBytes,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.journal === undefined ? {} : { journal: options.journal }),
      ...(onOutput === undefined ? {} : { onOutput: (stream, chunk) => onOutput(command, stream, chunk) }),
    });
    const passed = run.exitCode === 0 && !run.timedOut && !run.aborted;
    results.push({
      phase,
      command,
      passed,
      exit_code: run.exitCode,
      signal: run.signal,
      duration_ms: run.durationMs,
      output: run.output,
      truncated: run.truncated,
      timed_out: run.timedOut,
    });
    if (run.aborted) cancelled = true;
    if (!passed) break;
  }
  const passed = !cancelled && results.every((r) => r.passed);
  return { passed, results, skipped: queue, cancelled };
}

function outcome(result: ValidationCommandResult): string {
  const seconds = `${(result.duration_ms / 1000).toFixed(1)}s`;
  if (result.timed_out) return `timed out after ${seconds}`;
  if (result.exit_code === null) return `was killed by ${result.signal ?? 'a signal'} after ${seconds}`;
  return `exited with code ${result.exit_code} after ${seconds}`;
}

/** A fence longer than any run of backticks in the text, so output cannot close it early. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

/**
 * The message the agent gets after a failed validation: which command, how it ended, and the
 * end of its output (where compilers and test runners put their summary), within `maxChars`.
 */
export function formatValidationFeedback(run: ValidationRun, maxChars = 4_000): string {
  if (run.passed) return 'All validation commands passed.';
  const failed = run.results.find((r) => !r.passed);
  if (failed === undefined) return 'Validation was cancelled before it finished.';
  const head = [
    `Validation failed: \`${failed.command}\` (${failed.phase}) ${outcome(failed)}.`,
    ...(run.results.length > 1
      ? [
          `Passed before it: ${run.results
            .filter((r) => r.passed)
            .map((r) => `\`${r.command}\``)
            .join(', ')}.`,
        ]
      : []),
    ...(run.skipped.length > 0 ? [`Not run: ${run.skipped.map((s) => `\`${s.command}\``).join(', ')}.`] : []),
    'Fix the cause, then finish your turn; the commands run again afterwards.',
  ].join('\n');
  const output = failed.output.trimEnd();
  if (output === '') return `${head}\n(The command printed nothing.)`.slice(0, maxChars);
  const marker = '[… earlier output omitted …]\n';
  const ticks = fence(output);
  const frame = `${head}\nOutput (end):\n${ticks}\n${ticks}`.length;
  const room = maxChars - frame - 1;
  if (room <= marker.length) return head.slice(0, maxChars);
  const cut = output.length > room || failed.truncated;
  const tail = cut ? marker + output.slice(-(room - marker.length)) : output;
  return `${head}\nOutput (end):\n${ticks}\n${tail}\n${ticks}`;
}

export interface DetectedValidation {
  language: 'rust' | 'go' | 'typescript' | 'python' | 'java' | 'csharp' | 'ruby';
  pre_commit: string[];
  pre_push: string[];
}

/** The project's commands when it configures any, else the ones detected from its files. */
export function effectiveValidationCommands(
  configured: ValidationCommands,
  projectRoot: string,
): ValidationCommands & { detected: DetectedValidation['language'] | null } {
  if (planned(configured).length > 0) return { ...configured, detected: null };
  const found = detectValidationCommands(projectRoot);
  return found === null
    ? { pre_commit: [], pre_push: [], detected: null }
    : { pre_commit: found.pre_commit, pre_push: found.pre_push, detected: found.language };
}

/**
 * Default commands by language, for projects that configure none. The first match wins, in the
 * order Rust, Go, TypeScript, Python, Java, C#, Ruby. Formatters run in check mode: this is a gate,
 * and a gate that rewrites files would pass while leaving the tree changed.
 */
export function detectValidationCommands(projectRoot: string): DetectedValidation | null {
  const has = (name: string): boolean => existsSync(path.join(projectRoot, name));
  if (has('Cargo.toml')) return rust(projectRoot);
  if (has('go.mod')) {
    const gofmt = 'test -z "$(gofmt -l .)" || { gofmt -l .; exit 1; }';
    return {
      language: 'go',
      pre_commit: [gofmt, 'go vet ./...', 'go build ./...'],
      pre_push: ['go test ./...'],
    };
  }
  if (has('package.json')) return typescript(projectRoot, has);
  if (['pyproject.toml', 'setup.py', 'requirements.txt'].some(has)) {
    return {
      language: 'python',
      pre_commit: ['ruff format --check .', 'ruff check .'],
      pre_push: ['pytest'],
    };
  }
  if (has('build.gradle') || has('build.gradle.kts')) {
    const gradle = has('gradlew') ? './gradlew' : 'gradle';
    return { language: 'java', pre_commit: [`${gradle} check`], pre_push: [`${gradle} test`] };
  }
  if (has('pom.xml'))
    return { language: 'java', pre_commit: ['mvn compile -B'], pre_push: ['mvn verify -B'] };
  if (listDir(projectRoot).some((name) => name.endsWith('.csproj') || name.endsWith('.sln'))) {
    return {
      language: 'csharp',
      pre_commit: ['dotnet format --verify-no-changes', 'dotnet build'],
      pre_push: ['dotnet test'],
    };
  }
  if (has('Gemfile')) {
    return {
      language: 'ruby',
      pre_commit: has('.rubocop.yml') ? ['bundle exec rubocop'] : [],
      pre_push: [has('spec') ? 'bundle exec rspec' : 'bundle exec rake test'],
    };
  }
  return null;
}

function rust(projectRoot: string): DetectedValidation {
  const workspace = /^\s*\[workspace\]/m.test(readText(path.join(projectRoot, 'Cargo.toml')));
  const scope = workspace ? '--workspace --all-targets' : '--all-targets';
  return {
    language: 'rust',
    pre_commit: [
      'cargo fmt --all -- --check',
      `cargo check ${scope}`,
      `cargo clippy ${scope} -- -D warnings`,
    ],
    pre_push: [workspace ? 'cargo test --workspace' : 'cargo test'],
  };
}

const eslintConfigs = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yml',
  '.eslintrc.yaml',
];

function typescript(projectRoot: string, has: (name: string) => boolean): DetectedValidation {
  const preCommit: string[] = [];
  if (has('tsconfig.json')) preCommit.push('npx tsc --noEmit');
  if (has('biome.json') || has('biome.jsonc')) preCommit.push('npx biome check .');
  else if (eslintConfigs.some(has)) preCommit.push('npx eslint .');
  const manager = has('yarn.lock') ? 'yarn' : has('pnpm-lock.yaml') ? 'pnpm' : 'npm';
  return {
    language: 'typescript',
    pre_commit: preCommit,
    pre_push: hasTestScript(projectRoot) ? [`${manager} test`] : [],
  };
}

/** `npm init` writes a test script that always fails; it is not a test suite. */
function hasTestScript(projectRoot: string): boolean {
  try {
    const pkg = JSON.parse(readText(path.join(projectRoot, 'package.json'))) as {
      scripts?: { test?: unknown };
    };
    const test = pkg.scripts?.test;
    return typeof test === 'string' && test.trim() !== '' && !test.includes('no test specified');
  } catch {
    return false;
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
