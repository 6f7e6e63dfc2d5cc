import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';

export interface ProcessInfo {
  pid: number;
  /** Start time in clock ticks since boot: with the pid, it names one process for good. */
  startTime: string;
  command: string;
}

/** Every live (non-zombie) process whose working directory is `dir` or inside it. */
export function processesIn(dir: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cwd = readlinkSync(`/proc/${name}/cwd`);
      if (cwd !== dir && !cwd.startsWith(`${dir}${path.sep}`)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(name), startTime: fields[19] ?? '', command });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/** Which of `processes` are still running (same pid and start time, not a zombie). */
export function stillRunning(processes: ProcessInfo[]): ProcessInfo[] {
  return processes.filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return fields[0] !== 'Z' && fields[19] === p.startTime;
    } catch {
      return false;
    }
  });
}

/** Polls `condition` (up to about 30 s); resolves with its last value. No timing is asserted. */
export async function eventually<T>(condition: () => T | Promise<T>, ok: (value: T) => boolean): Promise<T> {
  let value = await condition();
  for (let i = 0; i < 600 && !ok(value); i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await condition();
  }
  return value;
}
