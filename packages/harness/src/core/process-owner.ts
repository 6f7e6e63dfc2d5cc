import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who holds something (a task's lease, a GC run): `host/pid/instance`. On the same host an owner
 * whose process is gone is dead at once, so a restarted server recovers without waiting for a
 * lease to expire; an owner on another host cannot be checked, so it is presumed alive.
 */
export function newProcessOwner(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

/**
 * True when `owner` ran on this host in a process that is gone (or in an earlier instance within
 * this very process).
 */
export function isOwnerGone(owner: string): boolean {
  const [host, pid] = owner.split('/');
  if (host !== hostname()) return false;
  if (Number(pid) === process.pid) return true;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Whether two owners are the same process (`host/pid`), whichever of its instances they name. */
export function sameProcess(a: string, b: string): boolean {
  const process = (owner: string) => owner.split('/').slice(0, 2).join('/');
  return process(a) === process(b);
}
