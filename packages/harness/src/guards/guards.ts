import { access, constants, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createProcessRunner, describeError, type ProcessRunner } from '../core/index.js';

/**
 * Guard scanners: project scripts in `<root>/.harness/guards/` that print one violation per line as
 * `FILE:LINE:RULE_ID:MESSAGE`. `*.sh` files run with bash, other executable files directly, each
 * with the project root as its first argument, in its own process group, under a timeout. A guard's
 * exit status is ignored (grep-style scripts exit 1 when they find nothing); lines that are not
 * violations are reported as garbage, never fatal. When the scan is limited to some files, they
 * follow the root as further arguments (relative to the root); a guard may use them or scan
 * everything (its report is filtered to those files either way).
 */
export const GUARDS_DIR = path.join('.harness', 'guards');

export interface GuardViolation {
  readonly guard: string;
  readonly file: string;
  readonly line: number | null;
  readonly ruleId: string;
  readonly message: string;
}

export interface GuardRun {
  readonly guard: string;
  readonly path: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** The last part of stderr, for diagnosing a broken guard. */
  readonly stderr: string;
  readonly error: string | undefined;
}

export interface GuardScan {
  readonly guards: readonly GuardRun[];
  readonly violations: readonly GuardViolation[];
  readonly garbage: readonly { readonly guard: string; readonly line: string }[];
  /** Files in the guards directory that are neither `*.sh` nor executable. */
  readonly skipped: readonly string[];
}

export interface GuardOptions {
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /** Runs the scanners; a real runner by default. */
  readonly processes?: ProcessRunner;
  /** Where the scanners are, when not the root's own `.harness/guards/` (a task's: its base commit's). */
  readonly guardsDir?: string;
  /** The files the scan is limited to, relative to the root: passed to each guard after the root. */
  readonly files?: readonly string[];
}

const MAX_OUTPUT = 8 * 1024 * 1024;
const STDERR_TAIL = 4000;
const DEFAULT_TIMEOUT_MS = 60_000;
const RULE_ID = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export async function runGuards(projectRoot: string, options: GuardOptions = {}): Promise<GuardScan> {
  const root = path.resolve(projectRoot);
  const { runnable, skipped } = await listGuards(options.guardsDir ?? path.join(root, GUARDS_DIR));
  const guards: GuardRun[] = [];
  const violations: GuardViolation[] = [];
  const garbage: { guard: string; line: string }[] = [];
  const processes = options.processes ?? createProcessRunner();
  for (const file of runnable) {
    const guard = guardId(file);
    const { run, stdout } = await runOne(processes, guard, file, root, options);
    guards.push(run);
    const parsed = parseGuardOutput(stdout, guard);
    violations.push(...parsed.violations);
    garbage.push(...parsed.garbage);
  }
  return { guards, violations, garbage, skipped };
}

/** `rs-03-unwrap.sh` → `RS-03-UNWRAP`, the original's guard id. */
export function guardId(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base).toUpperCase();
}

export function parseGuardOutput(stdout: string, guard: string): Pick<GuardScan, 'violations' | 'garbage'> {
  const violations: GuardViolation[] = [];
  const garbage: { guard: string; line: string }[] = [];
  for (const raw of stdout.split('\n')) {
    const text = raw.replace(/\r$/, '');
    if (text.trim() === '') continue;
    const parts = text.split(':');
    const [file, lineText, ruleId] = parts;
    const message = parts.slice(3).join(':').trim();
    const lineOk = lineText !== undefined && (/^\s*\d+\s*$/.test(lineText) || lineText.trim() === '');
    if (parts.length < 4 || !file || !lineOk || !RULE_ID.test((ruleId ?? '').trim())) {
      garbage.push({ guard, line: text.slice(0, 500) });
      continue;
    }
    const line = (lineText as string).trim() === '' ? null : Number((lineText as string).trim());
    violations.push({ guard, file, line, ruleId: (ruleId as string).trim(), message });
  }
  return { violations, garbage };
}

async function listGuards(dir: string): Promise<{ runnable: string[]; skipped: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return { runnable: [], skipped: [] };
  }
  const runnable: string[] = [];
  const skipped: string[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    if (name.endsWith('.sh') || (await isExecutable(file))) runnable.push(file);
    else skipped.push(file);
  }
  return { runnable, skipped };
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function runOne(
  processes: ProcessRunner,
  guard: string,
  file: string,
  root: string,
  options: GuardOptions,
): Promise<{ run: GuardRun; stdout: string }> {
  const targets = [root, ...(options.files ?? [])];
  const [cmd, args] = file.endsWith('.sh') ? ['bash', [file, ...targets]] : [file, targets];
  try {
    // Own process group, so a timeout also stops whatever the guard started (find | xargs grep …).
    const result = await processes.run(cmd, args, {
      cwd: root,
      ...(options.env === undefined ? {} : { env: options.env }),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxOutputBytes: MAX_OUTPUT,
      // A scanner has nothing to save: it is killed outright.
      killGraceMs: 0,
    });
    const run = {
      guard,
      path: file,
      exitCode: result.exitCode,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      stderr: result.stderr.slice(-STDERR_TAIL),
      error: undefined,
    };
    return { run, stdout: result.stdout };
  } catch (error) {
    const run = {
      guard,
      path: file,
      exitCode: null,
      timedOut: false,
      durationMs: 0,
      stderr: '',
      error: describeError(error),
    };
    return { run, stdout: '' };
  }
}
