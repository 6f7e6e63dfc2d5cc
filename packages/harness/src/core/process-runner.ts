import { spawn, type ChildProcess } from 'node:child_process';
import { HarnessError, ErrorCodes } from './errors.js';
import { type ProcessGroupJournal, trackProcessGroup } from './process-groups.js';
import { killProcessTree } from './process-tree.js';

/**
 * The process port. Everything Harness runs that is not an agent itself (git, validation commands,
 * hooks, guard scanners, the commands the Anthropic API adapter runs for its model) goes through
 * it, so that every such process has stdin closed, its own process group, a bounded memory
 * footprint and a guaranteed end: nothing it started outlives the call.
 */
export interface RunOptions {
  cwd: string;
  /** The complete environment of the child; the runner's default environment when absent. */
  env?: NodeJS.ProcessEnv;
  /** Written to the child's stdin, which is then closed; without it stdin is closed from the start. */
  input?: string;
  /** Wall-clock limit; the whole process group is killed when it passes. */
  timeoutMs?: number;
  /** Aborting kills the whole process group; the call still resolves with the result so far. */
  signal?: AbortSignal;
  /** Bytes kept per stream (and for the interleaved `output`); the tail is kept. */
  maxOutputBytes?: number;
  /** Between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** Live output, e.g. to stream a validation run; called with raw chunks in arrival order. */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /**
   * For long commands run on an agent's behalf (validation): the group is written down while it
   * runs and guarded, so it ends with the server even on `kill -9` (see process-groups.ts).
   */
  journal?: ProcessGroupJournal;
  /**
   * Whether a guard process ends the group should the server die (see process-groups.ts): on by
   * default when `journal` is given; off for a process that bubblewrap's `--die-with-parent`
   * already ties to the server, on without a journal for one that nothing else would end.
   */
  dieWithServer?: boolean;
  /** What the journal and the guard call the process; the argv by default (it may hold a script). */
  label?: string;
}

export interface RunResult {
  /** The argv that ran, for messages and logs. */
  argv: readonly string[];
  /** Null when the process was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order (bounded the same way). */
  output: string;
  /** True when the start of some stream was dropped to keep the bound. */
  truncated: boolean;
  /** Bytes the process wrote in total, before truncation. */
  outputBytes: number;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  pid: number | undefined;
}

export interface ProcessRunner {
  /** Runs `command` with `args` directly (no shell: arguments are never re-parsed). */
  run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult>;
  /**
   * Runs a user-configured command line through `/bin/sh -c`. Only for commands the operator
   * wrote (validation, hooks): shell syntax is the point there, never for data from elsewhere.
   */
  runShell(commandLine: string, options: RunOptions): Promise<RunResult>;
}

export interface ProcessRunnerDefaults {
  env?: NodeJS.ProcessEnv;
  maxOutputBytes?: number;
  killGraceMs?: number;
}

export const defaultMaxOutputBytes = 1_048_576;
const defaultKillGraceMs = 2_000;
/** How long to wait for pipes held open by escaped descendants once the group is dead. */
const drainGraceMs = 1_000;

/** Keeps the last `max` bytes of a byte stream. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  private total = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.max && this.chunks.length > 0) {
      const first = this.chunks[0] as Buffer;
      const excess = this.size - this.max;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
      }
    }
  }

  get truncated(): boolean {
    return this.total > this.size;
  }

  get totalBytes(): number {
    return this.total;
  }

  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    // A cut may land inside a multi-byte character; drop the replacement characters it leaves.
    return this.truncated ? text.replace(/^\uFFFD+/, '') : text;
  }
}

/** SIGTERM to the group and the tree below the leader, SIGKILL to whatever is left after the grace. */
async function killGroup(pid: number, graceMs: number): Promise<void> {
  await killProcessTree(pid, { graceMs });
}

/**
 * After a command exits on its own: ends what it left running in its group. This runs after every
 * command (a task runs dozens of git commands), so the usual case, an empty group, costs one
 * `kill(-pgid, 0)` instead of a walk over /proc.
 */
async function endLeftovers(pid: number, graceMs: number): Promise<void> {
  if (groupAlive(pid)) await killGroup(pid, graceMs);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function waitForExit(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function pipesClosed(child: ChildProcess): Promise<void> {
  const closed = (stream: NodeJS.ReadableStream | null): Promise<void> =>
    stream === null ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
  return Promise.all([closed(child.stdout), closed(child.stderr)]).then(() => undefined);
}

/** Waits for the pipes, but not forever: a descendant that left the group may hold them open. */
async function drain(child: ChildProcess, closed: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([closed, limit]);
  clearTimeout(timer);
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Collects both streams into bounded tails and forwards live output. */
function captureOutput(child: ChildProcess, max: number, onOutput: RunOptions['onOutput']) {
  const out = new TailBuffer(max);
  const err = new TailBuffer(max);
  const both = new TailBuffer(max);
  const collect = (stream: 'stdout' | 'stderr', tail: TailBuffer) => (chunk: Buffer) => {
    tail.push(chunk);
    both.push(chunk);
    onOutput?.(stream, chunk);
  };
  child.stdout?.on('data', collect('stdout', out));
  child.stderr?.on('data', collect('stderr', err));
  return {
    snapshot: () => ({
      stdout: out.text(),
      stderr: err.text(),
      output: both.text(),
      truncated: out.truncated || err.truncated,
      outputBytes: both.totalBytes,
    }),
  };
}

/** Arms the timeout and the abort signal; both end in one group kill. */
function guard(child: ChildProcess, options: RunOptions, grace: number) {
  const state = { timedOut: false, aborted: false, killing: null as Promise<void> | null };
  const stop = (): void => {
    if (state.killing === null && child.pid !== undefined) state.killing = killGroup(child.pid, grace);
  };
  const timer =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          state.timedOut = true;
          stop();
        }, options.timeoutMs);
  const onAbort = (): void => {
    state.aborted = true;
    stop();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const disarm = (): void => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  };
  return { state, disarm };
}

async function runProcess(
  argv: readonly string[],
  options: RunOptions,
  defaults: ProcessRunnerDefaults,
): Promise<RunResult> {
  const [command, ...args] = argv as [string, ...string[]];
  const grace = options.killGraceMs ?? defaults.killGraceMs ?? defaultKillGraceMs;
  const started = performance.now();
  if (options.signal?.aborted) return abortedBeforeStart(argv);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? defaults.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  // A child that exits without reading it all makes the write fail (EPIPE): its exit says what happened.
  child.stdin?.on('error', () => undefined).end(options.input);
  const dieWithServer = options.dieWithServer ?? options.journal !== undefined;
  const tracking =
    options.journal === undefined && !dieWithServer
      ? null
      : trackProcessGroup(child, options.journal, {
          guard: dieWithServer,
          command: options.label ?? argv.join(' '),
        });
  const closed = pipesClosed(child);
  const capture = captureOutput(
    child,
    options.maxOutputBytes ?? defaults.maxOutputBytes ?? defaultMaxOutputBytes,
    options.onOutput,
  );
  const { state, disarm } = guard(child, options, grace);
  let exit: Exit;
  try {
    exit = await waitForExit(child);
  } catch (error) {
    throw spawnError(argv, options.cwd, error);
  } finally {
    disarm();
  }
  // The leader is gone; whatever it left running in its group (`cmd &`) goes with it.
  if (child.pid !== undefined) await (state.killing ?? endLeftovers(child.pid, grace));
  await drain(child, closed, drainGraceMs);
  await tracking?.release();
  return {
    argv,
    exitCode: exit.code,
    signal: exit.signal,
    ...capture.snapshot(),
    durationMs: Math.round(performance.now() - started),
    timedOut: state.timedOut,
    aborted: state.aborted,
    pid: child.pid,
  };
}

function abortedBeforeStart(argv: readonly string[]): RunResult {
  return {
    argv,
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    output: '',
    truncated: false,
    outputBytes: 0,
    durationMs: 0,
    timedOut: false,
    aborted: true,
    pid: undefined,
  };
}

function spawnError(argv: readonly string[], cwd: string, error: unknown): HarnessError {
  const reason = error instanceof Error ? error.message : String(error);
  return new HarnessError(ErrorCodes.unavailable, `could not start ${argv[0] ?? 'process'}: ${reason}`, {
    data: { command: argv[0], cwd },
    cause: error,
  });
}

/** The real runner. `defaults` apply to every call that does not set its own. */
export function createProcessRunner(defaults: ProcessRunnerDefaults = {}): ProcessRunner {
  return {
    run: (command, args, options) => runProcess([command, ...args], options, defaults),
    runShell: (commandLine, options) => runProcess(['/bin/sh', '-c', commandLine], options, defaults),
  };
}

/** `"exited with code 2"`, `"timed out"`, `"was killed by SIGTERM"`: for messages. */
export function describeRunOutcome(result: RunResult): string {
  if (result.timedOut) return 'timed out';
  if (result.aborted) return 'was cancelled';
  if (result.signal !== null) return `was killed by ${result.signal}`;
  return `exited with code ${result.exitCode ?? 'unknown'}`;
}
