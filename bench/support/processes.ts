import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** Prefixes a command with `taskset -c CPU` where taskset exists, so server and load generator don't share a core. */
export function pinned(cpu: number, command: string, args: string[]): [string, string[]] {
  const hasTaskset = spawnSync('taskset', ['--version']).status === 0;
  return hasTaskset ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

/** Spawns a process and resolves with it once a line of `stream` satisfies `ready` (returning a value). */
export function spawnUntil<T>(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stream: 'stdout' | 'stderr' },
  ready: (line: string) => T | undefined,
): Promise<{ child: ChildProcess; value: T }> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child[options.stream] as Readable });
    lines.on('line', (line) => {
      const value = ready(line);
      if (value !== undefined) resolve({ child, value });
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before it was ready`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
