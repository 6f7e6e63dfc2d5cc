import { readdirSync, readFileSync } from 'node:fs';

/**
 * The one way Harness ends a process and what it started: agents, the commands they run, git,
 * validation, guard scanners, and groups left over from a dead server. It reads /proc, so it finds
 * helpers that left the process group (setsid shells, daemons) as long as they are still children
 * of the tree, and it never counts zombies as alive (a reparented zombie is reaped by init, and
 * some container inits never do).
 */

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

function liveProcesses(): ProcStat[] {
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
    if (stat !== null && stat.state !== 'Z') out.push(stat);
  }
  return out;
}

/**
 * `root` (while it lives) and every live process below it or in its process group. Agents start
 * helpers that leave the group, so the group alone is not enough; walking /proc finds them.
 */
export function processTree(root: number): number[] {
  const procs = liveProcesses();
  const children = new Map<number, number[]>();
  for (const p of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const found = new Set<number>();
  if (procs.some((p) => p.pid === root)) found.add(root);
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

function signalAll(pgid: number, pids: readonly number[], signal: NodeJS.Signals): void {
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

export interface KillTreeOptions {
  /** Between SIGTERM and SIGKILL. */
  graceMs?: number;
  /**
   * Who belongs to the tree, asked again while waiting: `processTree(root)` by default; a group
   * recorded by an earlier server passes its own (see process-groups.ts), since its leader's pid
   * may have been given to someone else.
   */
  members?: () => number[];
  /**
   * The leader's exit, as its parent sees it: once it settles, whatever the leader left running gets
   * no more grace and is killed at once. An agent CLI that exits on SIGTERM may leave helpers that
   * shut down slowly, and slowly is long enough for them to send one more request.
   */
  leaderExited?: Promise<unknown>;
}

const defaultGraceMs = 2_000;
const pollMs = 25;
/** How long a SIGKILLed process may take to end before killProcessTree returns anyway. */
const killWaitMs = 2_000;

/**
 * Ends process group `root` and every process below `root`: SIGTERM to all of them, then, once
 * `graceMs` has passed (or `leaderExited` settled) with some still alive, SIGKILL to whatever is
 * left. Resolves once they have all ended (or, for a process the kernel has not ended two seconds
 * after SIGKILL, been killed), with how many were found alive at the start.
 */
export async function killProcessTree(root: number, options: KillTreeOptions = {}): Promise<number> {
  const members = options.members ?? (() => processTree(root));
  const found = members();
  if (found.length === 0) return 0;
  signalAll(root, found, 'SIGTERM');
  const graceMs = options.graceMs ?? defaultGraceMs;
  if (options.leaderExited !== undefined) await settledOrAfter(options.leaderExited, graceMs);
  else {
    const deadline = Date.now() + graceMs;
    while (members().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, pollMs));
  }
  const survivors = [...new Set([...found, ...members()])].filter(isAlive);
  if (survivors.length > 0) {
    signalAll(root, survivors, 'SIGKILL');
    // A killed process ends when the kernel next schedules it; callers that report "nothing left
    // running" must not beat it. SIGKILL cannot be caught, so this wait is short.
    const deadline = Date.now() + killWaitMs;
    while (survivors.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, pollMs));
  }
  return found.length;
}

/** Resolves when `promise` settles or `ms` have passed, whichever comes first. */
async function settledOrAfter(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise.then(undefined, () => undefined), timeUp]);
  clearTimeout(timer);
}
