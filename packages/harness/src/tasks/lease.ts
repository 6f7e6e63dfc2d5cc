import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who holds a task: `host/pid/instance`. On the same host a lease whose process is gone is dead at
 * once, so a restarted server recovers its tasks without waiting for the lease to expire; a lease
 * from another host is dead only when it expires (the shared-queue case with Postgres).
 */
export function newLeaseOwner(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

export function isLeaseDead(
  owner: string | null,
  expiresAt: string | null,
  now: Date,
  self: string,
): boolean {
  if (owner === self) return false;
  if (owner === null || expiresAt === null || Date.parse(expiresAt) < now.getTime()) return true;
  return isOwnerGone(owner);
}

/**
 * True when `owner` ran on this host in a process that is gone (or in an earlier instance within
 * this very process); an owner on another host cannot be checked, so it is presumed alive.
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
