import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Finding } from '@harness/protocol';
import { describeError, type ProcessRunner } from '../../core/index.js';
import { guardId, parseGuardOutput, toFinding, type Rule } from '../../guards/index.js';

/**
 * A draft guard run over the project's current tree, under the contract of guards/guards.ts
 * (`bash script ROOT` in its own process group, under a timeout, `FILE:LINE:RULE_ID:MESSAGE` on
 * stdout) — from a temporary copy, so the project's guards directory is never written. A guard
 * that does not parse, crashes or hangs gives a reason instead of findings.
 */
export type GuardReplay = { ok: true; findings: Finding[] } | { ok: false; reason: string };

export type Confine = (argv: readonly string[], scratch: string) => string[];

export interface GuardReplayOptions {
  readonly processes: ProcessRunner;
  readonly timeoutMs: number;
  /**
   * Wraps the guard's argv in a sandbox (bubblewrap, read-only but for `scratch`, where the guard's
   * copy lives); the caller builds it, as only it may reach the sandbox module.
   */
  readonly confine?: Confine;
  /** The guard's whole environment; by default only PATH, a locale and a scratch HOME. */
  readonly env?: NodeJS.ProcessEnv;
}

const MAX_OUTPUT = 8 * 1024 * 1024;
const STDERR_LINES = 3;

export async function replayGuard(
  root: string,
  artifactPath: string,
  script: string,
  rules: ReadonlyMap<string, Rule>,
  options: GuardReplayOptions,
): Promise<GuardReplay> {
  const dir = await mkdtemp(path.join(tmpdir(), 'harness-replay-guard-'));
  try {
    const file = path.join(dir, path.basename(artifactPath));
    await writeFile(file, script);
    await chmod(file, 0o755);
    const [command, args] = interpreterFor(script, file);
    if (command === 'bash') {
      const syntax = await bashSyntax(artifactPath, file, options);
      if (syntax !== null) return { ok: false, reason: syntax };
    }
    const argv = [command, ...args, root];
    const [program = command, ...rest] = options.confine ? options.confine(argv, dir) : argv;
    const result = await options.processes.run(program, rest, {
      cwd: root,
      // Nobody has reviewed a draft guard yet: it gets none of the server's environment (keys, tokens).
      env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir },
      timeoutMs: options.timeoutMs,
      maxOutputBytes: MAX_OUTPUT,
      killGraceMs: 0,
    });
    if (result.timedOut)
      return { ok: false, reason: `${artifactPath}: timed out after ${options.timeoutMs} ms` };
    // grep-style guards exit 1 when they find nothing; anything else (or a signal) is a crash.
    if (result.exitCode === null || result.exitCode > 1) {
      const how = result.exitCode === null ? 'was killed' : `exited ${result.exitCode}`;
      return {
        ok: false,
        reason: `${artifactPath}: the guard ${how}${stderrTail(result.stderr, file, artifactPath)}`,
      };
    }
    const parsed = parseGuardOutput(result.stdout, guardId(artifactPath));
    return { ok: true, findings: parsed.violations.map((v) => toFinding(root, v, rules)) };
  } catch (error) {
    return { ok: false, reason: `${artifactPath}: the guard could not run: ${describeError(error)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `bash` for shell scripts (and scripts without a shebang), the shebang's program otherwise. */
function interpreterFor(script: string, file: string): [string, string[]] {
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(script);
  if (!shebang) return ['bash', [file]];
  const program = path.basename(shebang[1] ?? '');
  const viaEnv = program === 'env' ? path.basename(shebang[2] ?? '') : program;
  return viaEnv === 'bash' || viaEnv === 'sh' ? ['bash', [file]] : [file, []];
}

/** `bash -n`: a syntax error becomes `artifact:LINE: what bash said`, before anything runs. */
async function bashSyntax(
  artifactPath: string,
  file: string,
  options: GuardReplayOptions,
): Promise<string | null> {
  const result = await options.processes.run('bash', ['-n', file], {
    cwd: path.dirname(file),
    timeoutMs: options.timeoutMs,
    killGraceMs: 0,
  });
  if (result.exitCode === 0) return null;
  const first = result.stderr.split('\n').find((l) => l.trim() !== '') ?? `bash -n exited ${result.exitCode}`;
  const located = new RegExp(`^${escape(file)}: line (\\d+): (.*)$`).exec(first);
  if (located) return `${artifactPath}:${located[1]}: ${located[2]}`;
  return `${artifactPath}: ${first.replaceAll(file, artifactPath)}`;
}

function stderrTail(stderr: string, file: string, artifactPath: string): string {
  const lines = stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-STDERR_LINES)
    .map((l) => l.replaceAll(file, artifactPath));
  return lines.length === 0 ? '' : `: ${lines.join('; ')}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
