import { spawn } from 'node:child_process';
import { buildBwrapArgv, type SandboxCapabilities, type SandboxSpec } from '../../sandbox/index.js';
import { type ProcessGroupJournal, trackProcessGroup } from '../../core/index.js';
import { killTree } from '../process/kill-tree.js';

export interface CommandRun {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

const MAX_OUTPUT = 30_000;

/**
 * Runs a model-requested command with bash in the workspace: under bubblewrap unless the mode is
 * danger-full-access, with the environment the adapter built from the allowlist, in its own process group that
 * is killed on abort or timeout. stdin is /dev/null: nothing can wait for input.
 */
export async function runSandboxedCommand(
  spec: SandboxSpec,
  command: string,
  caps: SandboxCapabilities,
  options: {
    timeoutMs: number;
    signal: AbortSignal;
    env: Record<string, string>;
    journal?: ProcessGroupJournal | undefined;
  },
): Promise<CommandRun> {
  // The command's shell is not Harness's own child: `/proc/$PPID/environ` is then a shell started
  // with the allowlisted environment, not Harness's (which holds its keys and tokens).
  let argv = ['bash', '-c', 'bash -c "$1"; exit $?', 'harness-command', command];
  if (spec.mode !== 'danger-full-access') {
    argv = buildBwrapArgv(spec, argv, {
      bwrapPath: caps.bwrap_path as string,
      dropCapabilities: caps.is_root,
    });
  }
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, {
    cwd: spec.workspace,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  // Outside bubblewrap (whose --die-with-parent covers it) a guard ends the command with the server.
  const tracking = trackProcessGroup(child, options.journal, {
    guard: spec.mode === 'danger-full-access',
    command: `bash -c ${command.slice(0, 200)}`,
  });
  let output = '';
  const append = (chunk: Buffer): void => {
    if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      output += `\n${error.message}`;
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  let timedOut = false;
  const stop = (): void => {
    // killTree only signals and waits for `exited`, which resolves on close: nothing to reject.
    if (child.pid !== undefined) void killTree(child.pid, exited);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, options.timeoutMs);
  options.signal.addEventListener('abort', stop, { once: true });
  const exitCode = await exited;
  clearTimeout(timer);
  options.signal.removeEventListener('abort', stop);
  if (child.pid !== undefined) await killTree(child.pid, Promise.resolve(), 200);
  await tracking.release();
  const clipped = output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}\n[output truncated]` : output;
  return { exitCode, output: clipped, timedOut };
}
