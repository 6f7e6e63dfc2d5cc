import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

/**
 * Who runs GC: `host/pid/instance`, like a task lease. A run left `running` by an owner whose
 * process is gone (on this host) was cut off by a crash and may be marked abandoned; an owner on
 * another host cannot be checked and is presumed alive.
 */
export function newRunOwner(): string {
  return `${hostname()}/${process.pid}/${randomUUID()}`;
}

export function isRunOwnerGone(owner: string, self: string): boolean {
  if (owner === self) return false;
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
