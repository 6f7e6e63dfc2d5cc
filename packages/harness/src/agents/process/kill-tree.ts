import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

function readStat(pid: number): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]) };
  } catch {
    return null;
  }
}

function allProcesses(): ProcStat[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat !== null) out.push(stat);
  }
  return out;
}

/**
 * `root` and every live process below it or in its process group. Agents start helpers that leave
 * the group (setsid shells, daemons), so the group alone is not enough; walking /proc finds them.
 */
export function processTree(root: number): number[] {
  const procs = allProcesses().filter((p) => p.state !== 'Z');
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found = new Set<number>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    for (const child of children.get(pid) ?? []) {
      if (!found.has(child)) {
        found.add(child);
        stack.push(child);
      }
    }
  }
  for (const p of procs) if (p.pgid === root) found.add(p.pid);
  return [...found];
}

/** True if `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && stat.state !== 'Z';
}

function signalAll(pids: number[], pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group may already be gone
  }
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already exited
    }
  }
}

/**
 * SIGTERM to the tree and the group, then SIGKILL to whatever is left after `graceMs`. `exited`
 * resolves when the direct child has been reaped by Node.
 */
export async function killTree(root: number, exited: Promise<unknown>, graceMs = 2_000): Promise<void> {
  const pids = processTree(root);
  signalAll(pids, root, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([exited, graceOver]);
  clearTimeout(timer);
  const survivors = [...new Set([...pids, ...processTree(root)])].filter(isAlive);
  if (survivors.length > 0) signalAll(survivors, root, 'SIGKILL');
  await exited;
}
