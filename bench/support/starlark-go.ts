/**
 * The policy benchmark's peer: the starlark-go runner in `../shared/bench/policy/starlark-go/`
 * (go.starlark.net, the reference Go implementation of Starlark). Built with Debian's Go packages
 * only — offline, GOPROXY=off, as its README says — into a cache directory under the system temp
 * dir, keyed by the runner's source and the Go version, so later runs reuse it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const INSTALL_COMMAND =
  'apt-get install -y --no-install-recommends golang-go golang-starlark-dev golang-golang-x-term-dev golang-golang-x-sys-dev';

export type Runner = { ok: true; path: string; goVersion: string } | { ok: false; reason: string };

/** The timings the runner prints with `-bench N -rounds R` (medians over the rounds, in ns). */
export interface RunnerBench {
  rules: number;
  commands: number;
  ns_per_load: number;
  ns_per_compile: number;
  ns_per_check_all: number;
  ns_per_command: number;
}

/** Builds the runner (or finds it built), or says why it cannot. */
export function starlarkGoRunner(sourceDir: string): Runner {
  const source = path.join(sourceDir, 'main.go');
  if (!existsSync(source)) return { ok: false, reason: `${source} not found` };
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.error || go.status !== 0) return { ok: false, reason: 'Go is not installed' };
  const gopath = debianGopath();
  if (gopath === undefined) return { ok: false, reason: 'the golang-starlark-dev package is not installed' };
  const goVersion = go.stdout.trim();
  const key = createHash('sha256').update(readFileSync(source)).update(goVersion).digest('hex').slice(0, 16);
  const cache = path.join(tmpdir(), 'harness-bench-starlark-go');
  const binary = path.join(cache, `runner-${key}`);
  if (existsSync(binary)) return { ok: true, path: binary, goVersion };

  const work = path.join(cache, `build-${key}-${process.pid}`);
  mkdirSync(work, { recursive: true });
  copyFileSync(source, path.join(work, 'main.go'));
  const build = spawnSync('go', ['build', '-trimpath', '-o', 'runner', '.'], {
    cwd: work,
    encoding: 'utf8',
    env: {
      ...process.env,
      GO111MODULE: 'off',
      GOPROXY: 'off',
      GOFLAGS: '',
      CGO_ENABLED: '0',
      GOPATH: gopath,
      GOCACHE: path.join(cache, 'go-build'),
    },
  });
  try {
    if (build.status !== 0)
      return { ok: false, reason: `go build failed: ${(build.stderr || build.stdout).trim().slice(0, 500)}` };
    renameSync(path.join(work, 'runner'), binary); // whole or not at all, should two runs race
    return { ok: true, path: binary, goVersion };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The GOPATH in which Debian's golang-*-dev packages put their sources, found from golang-starlark-dev's files. */
function debianGopath(): string | undefined {
  const files = spawnSync('dpkg', ['-L', 'golang-starlark-dev'], { encoding: 'utf8' });
  if (files.error || files.status !== 0) return undefined;
  const suffix = `${path.sep}src${path.sep}go.starlark.net${path.sep}starlark`;
  const dir = files.stdout.split('\n').find((line) => line.endsWith(suffix));
  return dir === undefined ? undefined : dir.slice(0, -suffix.length);
}

/** The runner's decision for every command, in order (null: no rule matched). */
export function runnerDecisions(runner: string, policy: string, commands: string): (string | null)[] {
  const out = runOrThrow(runner, ['-commands', commands, policy]);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { decision: string | null }).decision);
}

/** The runner's own timing of `iterations` loads and passes over all commands, `rounds` times. */
export function runnerBench(
  runner: string,
  policy: string,
  commands: string,
  iterations: number,
  rounds: number,
): RunnerBench {
  const out = runOrThrow(runner, [
    '-commands',
    commands,
    '-bench',
    String(iterations),
    '-rounds',
    String(rounds),
    policy,
  ]);
  const json = out.split('\n').find((line) => line.startsWith('{'));
  if (json === undefined) throw new Error(`the starlark-go runner printed no timings:\n${out}`);
  return JSON.parse(json) as RunnerBench;
}

function runOrThrow(runner: string, args: string[]): string {
  const run = spawnSync(runner, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0)
    throw new Error(`${runner} ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr.trim()}`);
  return run.stdout;
}
