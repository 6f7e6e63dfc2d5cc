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

/** A command Harness found itself, and where: `package.json scripts.test`, `Cargo.toml`. */
export interface DetectedCommand {
  command: string;
  from: string;
}

export interface DetectedValidation {
  language: 'rust' | 'go' | 'typescript' | 'python' | 'java' | 'csharp' | 'ruby' | 'make';
  pre_commit: DetectedCommand[];
  pre_push: DetectedCommand[];
}

/** The project's commands when it configures any, else the ones detected from its files. */
export function effectiveValidationCommands(
  configured: ValidationCommands,
  projectRoot: string,
): ValidationCommands & { detected: DetectedValidation | null } {
  if (planned(configured).length > 0) return { ...configured, detected: null };
  const found = detectValidationCommands(projectRoot);
  return found === null
    ? { pre_commit: [], pre_push: [], detected: null }
    : {
        pre_commit: found.pre_commit.map((c) => c.command),
        pre_push: found.pre_push.map((c) => c.command),
        detected: found,
      };
}

/** `npm test (package.json scripts.test), …`: detected commands as one line for logs and events. */
export function describeDetected(found: DetectedValidation): string {
  const all = [...found.pre_commit, ...found.pre_push];
  return all.length === 0 ? '(none)' : all.map((c) => `${c.command} (${c.from})`).join(', ');
}

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** From the lockfile: pnpm-lock.yaml → pnpm, yarn.lock → yarn, bun.lockb/bun.lock → bun, else npm. */
export function detectPackageManager(projectRoot: string): { manager: PackageManager; from: string | null } {
  const has = (name: string): boolean => existsSync(path.join(projectRoot, name));
  for (const [file, manager] of [
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
    ['bun.lockb', 'bun'],
    ['bun.lock', 'bun'],
  ] as const) {
    if (has(file)) return { manager, from: file };
  }
  return { manager: 'npm', from: null };
}

const at = (from: string, ...commands: string[]): DetectedCommand[] =>
  commands.map((command) => ({ command, from }));

/**
 * Default commands by language, for projects that configure none; each says the file it came
 * from. The first match wins, in the order Rust, Go, TypeScript, Python, Java, C#, Ruby, then a
 * Makefile with a `test` target. Formatters run in check mode: this is a gate, and a gate that
 * rewrites files would pass while leaving the tree changed.
 */
export function detectValidationCommands(projectRoot: string): DetectedValidation | null {
  const has = (name: string): boolean => existsSync(path.join(projectRoot, name));
  if (has('Cargo.toml')) return rust(projectRoot);
  if (has('go.mod')) {
    const gofmt = 'test -z "$(gofmt -l .)" || { gofmt -l .; exit 1; }';
    return {
      language: 'go',
      pre_commit: at('go.mod', gofmt, 'go vet ./...', 'go build ./...'),
      pre_push: at('go.mod', 'go test ./...'),
    };
  }
  if (has('package.json')) return typescript(projectRoot, has);
  const python = ['pyproject.toml', 'setup.py', 'requirements.txt'].find(has);
  if (python !== undefined) {
    return {
      language: 'python',
      pre_commit: at(python, 'ruff format --check .', 'ruff check .'),
      pre_push: at(python, 'pytest'),
    };
  }
  const gradleFile = ['build.gradle', 'build.gradle.kts'].find(has);
  if (gradleFile !== undefined) {
    const gradle = has('gradlew') ? './gradlew' : 'gradle';
    return {
      language: 'java',
      pre_commit: at(gradleFile, `${gradle} check`),
      pre_push: at(gradleFile, `${gradle} test`),
    };
  }
  if (has('pom.xml'))
    return {
      language: 'java',
      pre_commit: at('pom.xml', 'mvn compile -B'),
      pre_push: at('pom.xml', 'mvn verify -B'),
    };
  const dotnet = listDir(projectRoot).find((name) => name.endsWith('.csproj') || name.endsWith('.sln'));
  if (dotnet !== undefined) {
    return {
      language: 'csharp',
      pre_commit: at(dotnet, 'dotnet format --verify-no-changes', 'dotnet build'),
      pre_push: at(dotnet, 'dotnet test'),
    };
  }
  if (has('Gemfile')) {
    return {
      language: 'ruby',
      pre_commit: has('.rubocop.yml') ? at('.rubocop.yml', 'bundle exec rubocop') : [],
      pre_push: has('spec') ? at('spec', 'bundle exec rspec') : at('Gemfile', 'bundle exec rake test'),
    };
  }
  if (/^test\s*:/m.test(readText(path.join(projectRoot, 'Makefile')))) {
    return { language: 'make', pre_commit: [], pre_push: at('Makefile test target', 'make test') };
  }
  return null;
}

function rust(projectRoot: string): DetectedValidation {
  const workspace = /^\s*\[workspace\]/m.test(readText(path.join(projectRoot, 'Cargo.toml')));
  const scope = workspace ? '--workspace --all-targets' : '--all-targets';
  return {
    language: 'rust',
    pre_commit: at(
      'Cargo.toml',
      'cargo fmt --all -- --check',
      `cargo check ${scope}`,
      `cargo clippy ${scope} -- -D warnings`,
    ),
    pre_push: at('Cargo.toml', workspace ? 'cargo test --workspace' : 'cargo test'),
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

/**
 * The project's own `typecheck`, `lint` and `test` scripts, run with its package manager, win over
 * the tools Harness would pick (`tsc --noEmit` with a tsconfig.json, biome or eslint with a config).
 */
function typescript(projectRoot: string, has: (name: string) => boolean): DetectedValidation {
  const scripts = packageScripts(projectRoot);
  const { manager } = detectPackageManager(projectRoot);
  const run = (name: string): string =>
    manager === 'npm' || manager === 'bun' ? `${manager} run ${name}` : `${manager} ${name}`;
  const script = (name: string): DetectedCommand[] => at(`package.json scripts.${name}`, run(name));
  const preCommit: DetectedCommand[] = [];
  if (scripts.has('typecheck')) preCommit.push(...script('typecheck'));
  else if (has('tsconfig.json')) preCommit.push(...at('tsconfig.json', 'npx tsc --noEmit'));
  const biome = ['biome.json', 'biome.jsonc'].find(has);
  const eslint = eslintConfigs.find(has);
  if (scripts.has('lint')) preCommit.push(...script('lint'));
  else if (biome !== undefined) preCommit.push(...at(biome, 'npx biome check .'));
  else if (eslint !== undefined) preCommit.push(...at(eslint, 'npx eslint .'));
  const test = manager === 'bun' ? 'bun run test' : `${manager} test`;
  return {
    language: 'typescript',
    pre_commit: preCommit,
    pre_push: scripts.has('test') ? at('package.json scripts.test', test) : [],
  };
}

/**
 * The names of package.json's non-empty scripts; `npm init`'s test script, which always fails,
 * is not a test suite. An unreadable package.json has none.
 */
function packageScripts(projectRoot: string): Set<string> {
  const names = new Set<string>();
  try {
    const pkg = JSON.parse(readText(path.join(projectRoot, 'package.json'))) as { scripts?: unknown };
    if (typeof pkg.scripts !== 'object' || pkg.scripts === null) return names;
    for (const [name, value] of Object.entries(pkg.scripts as Record<string, unknown>)) {
      if (typeof value !== 'string' || value.trim() === '') continue;
      if (name === 'test' && value.includes('no test specified')) continue;
      names.add(name);
    }
  } catch {
    // No scripts.
  }
  return names;
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
