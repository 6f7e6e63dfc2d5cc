import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProcessRunner } from '../core/index.js';
import {
  type DetectedValidation,
  describeDetected,
  detectPackageManager,
  detectValidationCommands,
  effectiveValidationCommands,
  formatValidationFeedback,
  runValidation,
  type ValidationRun,
} from './validation.js';

const runner = createProcessRunner();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'harness-val-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = (pre_commit: string[], pre_push: string[] = [], timeoutMs = 20_000) =>
  runValidation({ commands: { pre_commit, pre_push }, cwd: dir, timeoutMs, runner });

describe('runValidation', () => {
  it('runs pre_commit then pre_push in order, in the working directory, and passes', async () => {
    const result = await run(['echo one > order.txt', 'echo two >> order.txt'], ['cat order.txt; pwd']);
    expect(result.passed).toBe(true);
    expect(result.cancelled).toBe(false);
    expect(result.results.map((r) => [r.phase, r.command, r.exit_code, r.passed])).toEqual([
      ['pre_commit', 'echo one > order.txt', 0, true],
      ['pre_commit', 'echo two >> order.txt', 0, true],
      ['pre_push', 'cat order.txt; pwd', 0, true],
    ]);
    expect(result.results[2]?.output).toBe(`one\ntwo\n${dir}\n`);
    expect(formatValidationFeedback(result)).toBe('All validation commands passed.');
  });

  it('passes with nothing to run', async () => {
    expect(await run([], ['  '])).toEqual({ passed: true, results: [], skipped: [], cancelled: false });
  });

  it('stops at the first failure and keeps its output and exit code', async () => {
    const result = await run(
      ['true', 'echo compiling; echo "error: bad type" >&2; exit 2', 'echo never'],
      ['x'],
    );
    expect(result.passed).toBe(false);
    expect(result.results).toHaveLength(2);
    const failed = result.results[1];
    expect(failed).toMatchObject({ exit_code: 2, passed: false, timed_out: false });
    expect(failed?.output).toContain('error: bad type');
    expect(result.skipped).toEqual([
      { phase: 'pre_commit', command: 'echo never' },
      { phase: 'pre_push', command: 'x' },
    ]);
  });

  it('fails a command that runs out of time, and kills it', async () => {
    const result = await run(['echo started; sleep 100'], [], 300);
    expect(result.passed).toBe(false);
    expect(result.results[0]).toMatchObject({ timed_out: true, exit_code: null, passed: false });
    expect(result.results[0]?.output).toContain('started');
    expect(formatValidationFeedback(result)).toMatch(
      /`echo started; sleep 100` \(pre_commit\) timed out after/,
    );
  });

  it('stops when cancelled and reports it', async () => {
    const controller = new AbortController();
    const result = await runValidation({
      commands: { pre_commit: ['echo ready; sleep 100', 'echo never'] },
      cwd: dir,
      timeoutMs: 20_000,
      runner,
      signal: controller.signal,
      onOutput: (_command, _stream, chunk) => {
        if (chunk.toString().includes('ready')) controller.abort();
      },
    });
    expect(result.cancelled).toBe(true);
    expect(result.passed).toBe(false);
    expect(result.skipped).toEqual([{ phase: 'pre_commit', command: 'echo never' }]);
  });
});

describe('formatValidationFeedback', () => {
  const failedRun = (output: string, truncated = false): ValidationRun => ({
    passed: false,
    cancelled: false,
    results: [
      {
        phase: 'pre_commit',
        command: 'npx tsc --noEmit',
        passed: true,
        exit_code: 0,
        signal: null,
        duration_ms: 1200,
        output: '',
        truncated: false,
        timed_out: false,
      },
      {
        phase: 'pre_push',
        command: 'npm test',
        passed: false,
        exit_code: 1,
        signal: null,
        duration_ms: 3456,
        output,
        truncated,
        timed_out: false,
      },
    ],
    skipped: [{ phase: 'pre_push', command: 'npm run e2e' }],
  });

  it('names the command, its exit, what passed and what did not run, and shows the output', () => {
    const text = formatValidationFeedback(failedRun('FAIL src/a.test.ts\n  expected 1 to be 2\n'));
    expect(text).toBe(
      [
        'Validation failed: `npm test` (pre_push) exited with code 1 after 3.5s.',
        'Passed before it: `npx tsc --noEmit`.',
        'Not run: `npm run e2e`.',
        'Fix the cause, then finish your turn; the commands run again afterwards.',
        'Output (end):',
        '```',
        'FAIL src/a.test.ts',
        '  expected 1 to be 2',
        '```',
      ].join('\n'),
    );
  });

  it('keeps the end of long output within the bound', () => {
    const lines = Array.from({ length: 5_000 }, (_, i) => `line ${i}`).join('\n');
    const text = formatValidationFeedback(failedRun(lines), 1_000);
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text).toContain('earlier output omitted');
    expect(text).toContain('line 4999\n```');
    expect(text).not.toContain('line 0\n');
  });

  it('marks output the runner already truncated, and fences output containing backticks', () => {
    const text = formatValidationFeedback(failedRun('a ``` b', true));
    expect(text).toContain('earlier output omitted');
    expect(text).toContain('````\n');
  });

  it('says when the command printed nothing', () => {
    expect(formatValidationFeedback(failedRun(''))).toContain('(The command printed nothing.)');
  });
});

describe('detectValidationCommands', () => {
  const file = (name: string, text = '') => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  };
  /** The commands alone, without where each came from. */
  const commandsIn = (root: string) => {
    const found = detectValidationCommands(root);
    return (
      found && {
        language: found.language,
        pre_commit: found.pre_commit.map((c) => c.command),
        pre_push: found.pre_push.map((c) => c.command),
      }
    );
  };
  const detect = (root: string = dir) => commandsIn(root);

  it('detects nothing in an empty directory', () => {
    expect(detectValidationCommands(dir)).toBeNull();
    expect(effectiveValidationCommands({}, dir)).toEqual({ pre_commit: [], pre_push: [], detected: null });
  });

  it('detects Rust, with workspace scope when there is a [workspace]', () => {
    file('Cargo.toml', '[package]\nname = "x"\n');
    expect(detect()).toEqual({
      language: 'rust',
      pre_commit: [
        'cargo fmt --all -- --check',
        'cargo check --all-targets',
        'cargo clippy --all-targets -- -D warnings',
      ],
      pre_push: ['cargo test'],
    });
    expect(detectValidationCommands(dir)?.pre_push).toEqual([{ command: 'cargo test', from: 'Cargo.toml' }]);
    file('Cargo.toml', '[workspace]\nmembers = ["a"]\n');
    expect(detect()?.pre_push).toEqual(['cargo test --workspace']);
    expect(detect()?.pre_commit[1]).toBe('cargo check --workspace --all-targets');
  });

  it('detects Go', () => {
    file('go.mod', 'module x\n');
    expect(detect()).toMatchObject({ language: 'go', pre_push: ['go test ./...'] });
    expect(detect()?.pre_commit).toContain('go vet ./...');
  });

  it('detects TypeScript with its linter and package manager, and skips the npm placeholder test', () => {
    file('package.json', JSON.stringify({ scripts: { test: 'vitest run' } }));
    file('tsconfig.json', '{}');
    file('eslint.config.js', '');
    file('pnpm-lock.yaml', '');
    expect(detectValidationCommands(dir)).toEqual({
      language: 'typescript',
      pre_commit: [
        { command: 'npx tsc --noEmit', from: 'tsconfig.json' },
        { command: 'npx eslint .', from: 'eslint.config.js' },
      ],
      pre_push: [{ command: 'pnpm test', from: 'package.json scripts.test' }],
    });
    file('biome.json', '{}');
    file('package.json', JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    expect(detect()).toEqual({
      language: 'typescript',
      pre_commit: ['npx tsc --noEmit', 'npx biome check .'],
      pre_push: [],
    });
  });

  it("prefers the project's own typecheck, lint and test scripts, run with its package manager", () => {
    file('package.json', JSON.stringify({ scripts: { typecheck: 'tsc', lint: 'eslint .', test: 'vitest' } }));
    file('tsconfig.json', '{}');
    file('eslint.config.js', '');
    const found = () => detectValidationCommands(dir);
    expect(found()?.pre_commit).toEqual([
      { command: 'npm run typecheck', from: 'package.json scripts.typecheck' },
      { command: 'npm run lint', from: 'package.json scripts.lint' },
    ]);
    expect(detectPackageManager(dir)).toEqual({ manager: 'npm', from: null });
    expect(found()?.pre_push).toEqual([{ command: 'npm test', from: 'package.json scripts.test' }]);
    file('yarn.lock');
    expect(detectPackageManager(dir)).toEqual({ manager: 'yarn', from: 'yarn.lock' });
    expect(detect()).toMatchObject({ pre_commit: ['yarn typecheck', 'yarn lint'], pre_push: ['yarn test'] });
    file('pnpm-lock.yaml');
    expect(detect()).toMatchObject({ pre_commit: ['pnpm typecheck', 'pnpm lint'], pre_push: ['pnpm test'] });
  });

  it('takes bun from bun.lockb or bun.lock', () => {
    for (const lock of ['bun.lockb', 'bun.lock']) {
      const sub = path.join(dir, lock);
      mkdirSync(sub);
      writeFileSync(path.join(sub, 'package.json'), JSON.stringify({ scripts: { lint: 'x', test: 'y' } }));
      writeFileSync(path.join(sub, lock), '');
      expect(detectPackageManager(sub)).toEqual({ manager: 'bun', from: lock });
      expect(detect(sub)).toMatchObject({ pre_commit: ['bun run lint'], pre_push: ['bun run test'] });
    }
  });

  it('detects Python, Java, C#, Ruby and a Makefile test target', () => {
    const inDir = (files: string[], text = '') => {
      const sub = path.join(dir, files.join('+').replace(/[^a-z+.]/gi, '_'));
      mkdirSync(sub);
      for (const name of files) file(path.join(path.basename(sub), name), text);
      return sub;
    };
    expect(detect(inDir(['requirements.txt']))).toEqual({
      language: 'python',
      pre_commit: ['ruff format --check .', 'ruff check .'],
      pre_push: ['pytest'],
    });
    expect(detect(inDir(['build.gradle.kts', 'gradlew']))).toMatchObject({
      language: 'java',
      pre_push: ['./gradlew test'],
    });
    expect(detect(inDir(['pom.xml']))).toMatchObject({ language: 'java', pre_commit: ['mvn compile -B'] });
    expect(detect(inDir(['App.csproj']))).toMatchObject({ language: 'csharp', pre_push: ['dotnet test'] });
    expect(detect(inDir(['Gemfile', '.rubocop.yml']))).toEqual({
      language: 'ruby',
      pre_commit: ['bundle exec rubocop'],
      pre_push: ['bundle exec rake test'],
    });
    expect(detectValidationCommands(inDir(['Makefile'], 'test:\n\techo ok\n'))).toEqual({
      language: 'make',
      pre_commit: [],
      pre_push: [{ command: 'make test', from: 'Makefile test target' }],
    });
    expect(detectValidationCommands(inDir(['GNUmakefile', 'Makefile'], 'build:\n\techo ok\n'))).toBeNull();
  });

  it('prefers Rust over the others when several match, as the detection order says', () => {
    file('package.json', '{}');
    file('Cargo.toml', '');
    file('Makefile', 'test:\n\ttrue\n');
    expect(detectValidationCommands(dir)?.language).toBe('rust');
  });

  it('uses configured commands when there are any, detected ones (with their sources) otherwise', () => {
    file('go.mod', 'module x\n');
    expect(effectiveValidationCommands({ pre_commit: ['make lint'] }, dir)).toEqual({
      pre_commit: ['make lint'],
      detected: null,
    });
    const effective = effectiveValidationCommands({ pre_commit: [], pre_push: [] }, dir);
    expect(effective.detected?.language).toBe('go');
    expect(effective.pre_push).toEqual(['go test ./...']);
    expect(describeDetected(effective.detected as DetectedValidation)).toContain(
      'go vet ./... (go.mod), go build ./... (go.mod), go test ./... (go.mod)',
    );
  });
});
