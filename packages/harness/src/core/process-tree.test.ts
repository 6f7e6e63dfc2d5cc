import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, killProcessTree, processTree } from './process-tree.js';

const leftovers: number[] = [];
afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Group id of a live process, from /proc (field 5 of stat). */
function groupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/**
 * A group leader with a `sleep` in its group and one that left it: `setsid -w` gives the inner
 * shell a session and group of its own and keeps waiting for it, so it stays in the tree. The
 * escaped sleep prints its pid.
 */
async function treeWithEscapee(): Promise<{ leader: ChildProcess; escaped: number }> {
  const leader = spawn('/bin/sh', ['-c', "sleep 300 & setsid -w sh -c 'sleep 300 & echo $!; wait' & wait"], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: leader.stdout! }).once('line', resolve),
  );
  const escaped = Number(line);
  leftovers.push(leader.pid!, escaped);
  return { leader, escaped };
}

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('the process-tree killer', () => {
  it('finds the group and the descendants that left it, and ends them all', async () => {
    const { leader, escaped } = await treeWithEscapee();
    expect(groupOf(escaped)).not.toBe(leader.pid);
    const tree = processTree(leader.pid!);
    // the leader, its sleep, the inner shell (setsid, not a group leader, becomes it) and its sleep
    expect(tree).toContain(escaped);
    expect(tree).toHaveLength(4);
    const exited = new Promise((resolve) => leader.once('exit', resolve));
    expect(await killProcessTree(leader.pid!, { graceMs: 2_000 })).toBe(tree.length);
    await exited;
    // A signalled process ends when the kernel next schedules it, not the moment kill() returns.
    await until(() => tree.filter(isAlive).length === 0);
    expect(tree.filter(isAlive)).toEqual([]);
  });

  it('kills with SIGKILL what ignores SIGTERM once the grace is over', async () => {
    const leader = spawn('/bin/sh', ['-c', "trap '' TERM; echo ready; while :; do sleep 1; done"], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    leftovers.push(leader.pid!);
    await new Promise<void>((resolve) =>
      createInterface({ input: leader.stdout! }).once('line', () => resolve()),
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      leader.once('exit', (_code, signal) => resolve(signal)),
    );
    await killProcessTree(leader.pid!, { graceMs: 100 });
    expect(await exited).toBe('SIGKILL');
  });

  it('gives no more grace once the leader has exited: what it left is killed at once', async () => {
    // The leader exits on SIGTERM; its child ignores it and would outlive any grace.
    const leader = spawn(
      '/bin/sh',
      ['-c', 'sh -c \'trap "" TERM; echo $$; while :; do sleep 1; done\' & wait'],
      {
        detached: true,
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const stubborn = Number(
      await new Promise<string>((resolve) =>
        createInterface({ input: leader.stdout! }).once('line', resolve),
      ),
    );
    leftovers.push(leader.pid!, stubborn);
    const exited = new Promise((resolve) => leader.once('exit', resolve));
    // A grace far beyond the test's own timeout: only the leader's exit can end the wait.
    await killProcessTree(leader.pid!, { graceMs: 3_600_000, leaderExited: exited });
    expect(await until(() => !isAlive(stubborn))).toBe(true);
  });

  it('finds nothing to kill when nothing is left, and touches no one else', async () => {
    const leader = spawn('/bin/true', { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => leader.once('exit', resolve));
    expect(processTree(leader.pid!)).toEqual([]);
    expect(await killProcessTree(leader.pid!)).toBe(0);
  });
});
