import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { killProcessTree } from './process-tree.js';

/**
 * Process groups that must not outlive the server. Node cannot ask the kernel to signal a child
 * when its parent dies (no `prctl(PR_SET_PDEATHSIG)`), and bubblewrap's `--die-with-parent` only
 * helps sandboxed processes. So every agent and validation group is (1) written down in a journal
 * (the store) while it runs, so the next start-up can end it, and (2) watched by a tiny guard
 * process that ends it as soon as the server's end of a pipe closes, which the kernel does for
 * any death of the server, `kill -9` included.
 */
export interface TrackedProcessGroup {
  /** The group id: the leader's pid, since every tracked process is spawned as a group leader. */
  pgid: number;
  /** The leader's start time in clock ticks since boot (/proc/<pid>/stat field 22): with the pid, it
   * names one process for good, so a recycled pid is never mistaken for it. */
  start_time: string;
  /** What ran, for logs. */
  command: string;
}

/** Where tracked groups are written down; the server's is backed by the store. */
export interface ProcessGroupJournal {
  started(group: TrackedProcessGroup): Promise<void>;
  ended(group: TrackedProcessGroup): Promise<void>;
}

interface ProcStat {
  pid: number;
  state: string;
  pgid: number;
  startTime: string;
}

function readStat(pid: number | string): ProcStat | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; the fields resume after the last ')'.
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 of stat(5): state; pgrp is field 5, starttime field 22.
    return {
      pid: Number(pid),
      state: fields[0] ?? '?',
      pgid: Number(fields[2]),
      startTime: fields[19] ?? '',
    };
  } catch {
    return null;
  }
}

/** The start time of `pid` (clock ticks since boot), or null when there is no such process. */
export function processStartTime(pid: number): string | null {
  return readStat(pid)?.startTime ?? null;
}

/**
 * The running members of a recorded group. The kernel does not hand out a number still in use as
 * a process group id, so members of group `pgid` that started no earlier than its recorded leader
 * are that group's survivors, even after the leader itself is gone. When a process with the
 * leader's pid exists but started at another time, the number was recycled: nothing is ours.
 */
export function liveGroupMembers(group: Pick<TrackedProcessGroup, 'pgid' | 'start_time'>): number[] {
  const leader = readStat(group.pgid);
  if (leader !== null && leader.startTime !== group.start_time) return [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const since = BigInt(group.start_time || '0');
  return entries
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readStat(name))
    .filter(
      (s): s is ProcStat =>
        s !== null && s.state !== 'Z' && s.pgid === group.pgid && BigInt(s.startTime || '0') >= since,
    )
    .map((s) => s.pid);
}

/**
 * Ends what is left of a recorded group: SIGTERM to the group, SIGKILL after `graceMs`. Returns how
 * many processes were found alive.
 */
export function endRecordedGroup(
  group: Pick<TrackedProcessGroup, 'pgid' | 'start_time'>,
  graceMs = 2_000,
): Promise<number> {
  return killProcessTree(group.pgid, { graceMs, members: () => liveGroupMembers(group) });
}

/**
 * The guard: `read` blocks on a pipe whose only writer is the server; it returns when that end
 * closes, which happens when the server dies however it dies. It then ends the group (TERM, then
 * KILL two seconds later). On a normal end the server kills the guard first, so it does nothing.
 * Its own process group keeps a terminal's ^C, meant for the server, away from it.
 */
const guardScript =
  'read -r _; kill -s TERM -- "-$1" 2>/dev/null; sleep 2; kill -s KILL -- "-$1" 2>/dev/null';

function spawnGuard(pgid: number): ChildProcess | null {
  try {
    const guard = spawn('/bin/sh', ['-c', guardScript, 'harness-group-guard', String(pgid)], {
      cwd: '/',
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    guard.on('error', () => undefined);
    (guard.stdin as (Writable & { unref?: () => void }) | null)?.on('error', () => undefined);
    (guard.stdin as (Writable & { unref?: () => void }) | null)?.unref?.();
    guard.unref();
    return guard;
  } catch {
    return null;
  }
}

export interface GroupTracking {
  /** Call once the group is gone: stops the guard and crosses the group out of the journal. */
  release(): Promise<void>;
}

/**
 * Tracks a freshly spawned group leader (spawned with `detached: true`): journal entry and, when
 * `guard` is set, the guard process. Spawned under bubblewrap with `--die-with-parent`, a group
 * needs no guard: the kernel ends the sandbox with the server.
 */
export function trackProcessGroup(
  child: ChildProcess,
  journal: ProcessGroupJournal | undefined,
  options: { guard: boolean; command: string },
): GroupTracking {
  const pid = child.pid;
  if (pid === undefined) return { release: () => Promise.resolve() };
  const guard = options.guard ? spawnGuard(pid) : null;
  const startTime = processStartTime(pid);
  const group: TrackedProcessGroup | null =
    startTime === null ? null : { pgid: pid, start_time: startTime, command: options.command };
  const recorded =
    journal !== undefined && group !== null ? journal.started(group).catch(() => undefined) : null;
  return {
    release: async () => {
      guard?.kill('SIGKILL');
      if (recorded === null || group === null || journal === undefined) return;
      await recorded;
      await journal.ended(group).catch(() => undefined);
    },
  };
}
