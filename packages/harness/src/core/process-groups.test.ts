import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { endRecordedGroup, liveGroupMembers, processStartTime } from './process-groups.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** A shell leading its own group, with a `sleep` child that stays in the group. */
function groupWithChild(): ChildProcess {
  const child = spawn('/bin/sh', ['-c', 'sleep 300 & echo ready; wait'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  started.push(child);
  return child;
}

const ready = (child: ChildProcess) =>
  new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once('line', () => resolve()));

async function until(condition: () => boolean): Promise<boolean> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('recorded process groups', () => {
  it('ends the survivors of a group whose leader is already gone', async () => {
    const child = groupWithChild();
    await ready(child);
    const pgid = child.pid!;
    const group = { pgid, start_time: processStartTime(pgid)! };
    expect(liveGroupMembers(group)).toHaveLength(2);
    process.kill(pgid, 'SIGKILL'); // the leader only: its sleep lives on in the group
    await new Promise((resolve) => child.once('exit', resolve));
    expect(liveGroupMembers(group)).toHaveLength(1);

    expect(await endRecordedGroup(group, 500)).toBe(1);
    expect(await until(() => liveGroupMembers(group).length === 0)).toBe(true);
  });

  it('leaves alone a live process whose pid matches but whose start time does not (a recycled pid)', async () => {
    const child = groupWithChild();
    await ready(child);
    const pgid = child.pid!;
    const recycled = { pgid, start_time: String(BigInt(processStartTime(pgid)!) - 1n) };
    expect(liveGroupMembers(recycled)).toEqual([]);
    expect(await endRecordedGroup(recycled, 100)).toBe(0);
    expect(liveGroupMembers({ pgid, start_time: processStartTime(pgid)! })).toHaveLength(2);
  });
});

describe('the guard', () => {
  it('ends a guarded group when the process that spawned it is killed with SIGKILL', async () => {
    // A stand-in server: spawns a guarded group, prints its id, then waits to be killed.
    const module = fileURLToPath(new URL('./process-groups.ts', import.meta.url));
    const script = `
      import { spawn } from 'node:child_process';
      import { trackProcessGroup } from ${JSON.stringify(module)};
      const agent = spawn('/bin/sh', ['-c', 'sleep 300 & wait'], { detached: true, stdio: 'ignore' });
      trackProcessGroup(agent, undefined, { guard: true, command: 'sh' });
      console.log(agent.pid);
      setInterval(() => {}, 1000);
    `;
    const server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pgid = await new Promise<number>((resolve) =>
      createInterface({ input: server.stdout! }).once('line', (line) => resolve(Number(line))),
    );
    started.push({ pid: pgid } as ChildProcess);
    const group = { pgid, start_time: processStartTime(pgid)! };
    expect(await until(() => liveGroupMembers(group).length === 2)).toBe(true);

    server.kill('SIGKILL');
    expect(await until(() => liveGroupMembers(group).length === 0)).toBe(true);
  });
});
