import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { assertSandboxSupported, buildBwrapArgv, type SandboxCapabilities } from '../../sandbox/index.js';
import type { TurnContext } from '../turn.js';
import { supervise, type ExitStatus, type Supervised } from './supervisor.js';

export interface CliInvocation {
  command: string;
  args: string[];
  env: Record<string, string>;
  stdin: 'ignore' | 'pipe';
  /**
   * `bwrap`: wrap the CLI in Harness's bubblewrap sandbox; `native`: the CLI enforces the mode
   * itself (Codex's own sandbox); `none`: danger-full-access.
   */
  enforcement: 'bwrap' | 'native' | 'none';
  /** Paths the CLI must write whatever the mode (its own config and session state). */
  stateDirs: string[];
  /** Paths outside the worktree the CLI must read (the run's skills), shown under bubblewrap. */
  readOnlyDirs?: string[];
}

export interface CliHooks {
  onLine(line: string, proc: Supervised): void;
  /** Called after the process is gone, to classify an exit that produced no terminal event. */
  onExit(status: ExitStatus, proc: Supervised): void;
}

/**
 * Runs an agent CLI for one turn under the supervisor: bubblewrap when asked (refusing a mode
 * this host cannot enforce), stall watchdog wired to the turn, kill on any stop, and a process
 * that is always gone before the turn's terminal event goes out.
 */
export async function runCliTurn(
  ctx: TurnContext,
  invocation: CliInvocation,
  caps: () => Promise<SandboxCapabilities>,
  hooks: CliHooks,
  localStop: AbortSignal,
  onSpawn?: (proc: Supervised) => void,
): Promise<void> {
  let argv = [invocation.command, ...invocation.args];
  if (invocation.enforcement === 'bwrap') {
    const found = await caps();
    try {
      assertSandboxSupported(ctx.options.sandbox.mode, found);
    } catch (error) {
      ctx.fail('sandbox_unavailable', (error as Error).message, { retryable: false });
      return;
    }
    argv = buildBwrapArgv(ctx.options.sandbox, argv, {
      bwrapPath: found.bwrap_path as string,
      stateDirs: invocation.stateDirs,
      shareNetwork: true,
      dropCapabilities: found.is_root,
      programDirs: [...programDirs(invocation.command), ...(invocation.readOnlyDirs ?? [])],
    });
  }
  const [command, ...args] = argv as [string, ...string[]];
  const stallMs = ctx.options.limits.stallTimeoutMs;
  let proc: Supervised | null = null;
  proc = supervise({
    command,
    args,
    cwd: ctx.options.cwd,
    env: invocation.env,
    stdin: invocation.stdin,
    signal: AbortSignal.any([ctx.signal, localStop]),
    stallTimeoutMs: stallMs,
    onStall: () =>
      ctx.stop({ code: 'stalled', message: `the agent produced no output for ${stallMs} ms and was killed` }),
    onLine: (line) => {
      if (proc !== null) hooks.onLine(line, proc);
    },
    logger: ctx.logger,
    ...(ctx.options.processGroups ? { journal: ctx.options.processGroups } : {}),
    // Under bubblewrap `--die-with-parent` ends the agent with the server; otherwise a guard does.
    guard: invocation.enforcement !== 'bwrap',
  });
  onSpawn?.(proc);
  const status = await proc.finished;
  if (status.spawnError !== null) {
    ctx.fail('spawn_failed', `could not start ${invocation.command}: ${status.spawnError.message}`, {
      retryable: false,
    });
    return;
  }
  hooks.onExit(status, proc);
}

/** `"<cli> exited with code 3"` / `"... was killed by SIGKILL"`. */
export function describeExit(name: string, status: ExitStatus): string {
  if (status.signal !== null) return `${name} was killed by ${status.signal}`;
  return `${name} exited with code ${status.code ?? 'unknown'}`;
}

/**
 * Where the agent's executable really lives (symlinks resolved), and the link's own directory. An
 * npm-installed CLI may load sibling packages (Codex's launcher runs the binary of
 * `@openai/codex-linux-x64`), so a path inside `node_modules` stands for that whole tree.
 */
function programDirs(name: string): string[] {
  const command = path.isAbsolute(name) ? name : onPath(name);
  if (command === undefined) return [];
  let real = command;
  try {
    real = realpathSync(command);
  } catch {
    // a dangling link: bind what we have
  }
  return [...new Set([path.dirname(command), path.dirname(real)].map(nodeModulesTreeOf))];
}

/** The outermost `node_modules` directory above `dir`, or `dir` itself outside one. */
function nodeModulesTreeOf(dir: string): string {
  const at = dir.split(path.sep).indexOf('node_modules');
  return at < 0
    ? dir
    : dir
        .split(path.sep)
        .slice(0, at + 1)
        .join(path.sep);
}

function onPath(name: string): string | undefined {
  if (name.includes('/')) return path.resolve(name);
  return (process.env.PATH ?? '')
    .split(':')
    .map((dir) => path.join(dir, name))
    .find((file) => existsSync(file));
}
