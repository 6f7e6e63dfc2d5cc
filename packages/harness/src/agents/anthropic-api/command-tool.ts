import { describeError, type ProcessGroupJournal, type ProcessRunner } from '../../core/index.js';
import { buildBwrapArgv, type SandboxCapabilities, type SandboxSpec } from '../../sandbox/index.js';

export interface CommandRun {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/** Bytes of output the model sees; the tail is kept, where errors and summaries are. */
const MAX_OUTPUT_BYTES = 30_000;

/**
 * Runs a model-requested command with bash in the workspace through the process runner: under
 * bubblewrap unless the mode is danger-full-access, with the environment the adapter built from
 * the allowlist, in its own process group that is killed (with everything below it) on abort or
 * timeout. stdin is /dev/null: nothing can wait for input.
 */
export async function runSandboxedCommand(
  processes: ProcessRunner,
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
  try {
    const result = await processes.run(file, args, {
      cwd: spec.workspace,
      env: options.env,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      maxOutputBytes: MAX_OUTPUT_BYTES,
      journal: options.journal,
      // Outside bubblewrap (whose --die-with-parent covers it) a guard ends the command with the server.
      dieWithServer: spec.mode === 'danger-full-access',
      label: `bash -c ${command.slice(0, 200)}`,
    });
    const output =
      result.outputBytes > MAX_OUTPUT_BYTES ? `[output truncated]\n${result.output}` : result.output;
    return { exitCode: result.exitCode, output, timedOut: result.timedOut };
  } catch (error) {
    return { exitCode: null, output: describeError(error), timedOut: false };
  }
}
