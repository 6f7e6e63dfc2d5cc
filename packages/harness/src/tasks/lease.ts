import { isOwnerGone, newProcessOwner } from '../core/index.js';

/**
 * Who holds a task: `host/pid/instance`. On the same host a lease whose process is gone is dead at
 * once, so a restarted server recovers its tasks without waiting for the lease to expire; a lease
 * from another host is dead only when it expires (the shared-queue case with Postgres).
 */
export const newLeaseOwner = newProcessOwner;
export { isOwnerGone };

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
