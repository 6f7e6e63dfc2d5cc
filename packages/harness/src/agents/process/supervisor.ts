import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import {
  killProcessTree,
  type Logger,
  type ProcessGroupJournal,
  trackProcessGroup,
} from '../../core/index.js';

export interface SuperviseOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** `ignore` connects /dev/null; `pipe` is for control protocols, and is closed by the adapter. */
  stdin: 'ignore' | 'pipe';
  /** Aborting kills the whole process tree. */
  signal: AbortSignal;
  stallTimeoutMs: number;
  onStall: () => void;
  onLine: (line: string) => void;
  logger: Logger;
  stderrTailBytes?: number;
  /** Where the agent's process group is written down while it runs (the store, in the server). */
  journal?: ProcessGroupJournal;
  /**
   * Watch the group with a guard that ends it when the server dies. Not needed under bubblewrap,
   * whose `--die-with-parent` has the kernel do it.
   */
  guard?: boolean;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  spawnError: Error | null;
}

export interface Supervised {
  readonly pid: number | undefined;
  writeLine(line: string): void;
  closeStdin(): void;
  /** Resolves once the process has exited, stdout is drained and every descendant is gone. */
  readonly finished: Promise<ExitStatus>;
  stderrTail(): string;
}

class BoundedTail {
  private text = '';
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    this.text = (this.text + chunk).slice(-this.max);
  }
  value(): string {
    return this.text;
  }
}

function waitExit(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
    child.once('exit', (code, signal) => resolve({ code, signal, spawnError: null }));
  });
}

/**
 * Spawns an agent in its own process group with piped output, a stall watchdog on stdout and a
 * bounded stderr tail. Lines are delivered in order; `finished` waits for the last one.
 */
export function supervise(options: SuperviseOptions): Supervised {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: [options.stdin, 'pipe', 'pipe'],
    detached: true,
  });
  const tail = new BoundedTail(options.stderrTailBytes ?? 8_192);
  const exited = waitExit(child);
  const tracking = trackProcessGroup(child, options.journal, {
    guard: options.guard === true,
    command: options.command,
  });
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = (): void => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(options.onStall, options.stallTimeoutMs);
  };
  armStall();
  child.stdout?.on('data', armStall);
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => tail.push(chunk));
  // A closed pipe on the agent side must not crash Harness with EPIPE.
  child.stdin?.on('error', (error) => options.logger.debug({ err: error.message }, 'agent stdin closed'));

  const lines = child.stdout === null ? Promise.resolve() : readLines(child, options.onLine);
  // The kill a cancel started: the turn is not over until what it killed has ended.
  let cancelKill: Promise<unknown> = Promise.resolve();
  const onAbort = (): void => {
    // killProcessTree only signals and waits for `exited`, which resolves on close: nothing to reject.
    if (child.pid !== undefined) cancelKill = killProcessTree(child.pid, { leaderExited: exited });
  };
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });

  const finished = (async (): Promise<ExitStatus> => {
    const status = await exited;
    await lines;
    clearTimeout(stallTimer);
    options.signal.removeEventListener('abort', onAbort);
    await cancelKill;
    // The agent exited on its own, but helpers it started may not have: take them down too, at once.
    if (child.pid !== undefined) await killProcessTree(child.pid, { graceMs: 0 });
    await tracking.release();
    return status;
  })();

  return {
    pid: child.pid,
    writeLine: (line) => {
      if (child.stdin !== null && child.stdin.writable) child.stdin.write(`${line}\n`);
    },
    closeStdin: () => child.stdin?.end(),
    finished,
    stderrTail: () => tail.value(),
  };
}

async function readLines(child: ChildProcess, onLine: (line: string) => void): Promise<void> {
  if (child.stdout === null) return;
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() !== '') onLine(line);
  }
}
