import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveGroupMembers, processStartTime, silentLogger, systemClock } from '../core/index.js';
import { EventLog } from '../observe/index.js';
import { SqliteStore } from '../store/index.js';
import { ServerProcessGroups } from './process-groups.js';

let dir: string;
let store: SqliteStore;
let events: EventLog;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-groups-'));
  store = SqliteStore.open(dir);
  events = new EventLog(store, silentLogger);
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function sleeper(): ChildProcess {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child;
}

/** The owner string of a server that has exited: a pid that no longer exists on this host. */
function deadOwner(): string {
  const gone = spawnSync('true');
  return `${hostname()}/${gone.pid}/old-instance`;
}

const record = (child: ChildProcess, owner: string) => ({
  pgid: child.pid!,
  start_time: processStartTime(child.pid!)!,
  owner,
  command: 'sleep 300',
  task_id: 'task_1',
  turn_id: 'turn_1',
  started_at: new Date().toISOString(),
});

describe('process groups left by a dead server', () => {
  it('are ended at start-up, forgotten, and reported as an event of their task', async () => {
    const orphan = sleeper();
    await store.processGroups.add(record(orphan, deadOwner()));
    const groups = new ServerProcessGroups(store, events, systemClock, silentLogger);

    expect(await groups.endOrphans(500)).toBe(1);

    const group = { pgid: orphan.pid!, start_time: record(orphan, '').start_time };
    expect(liveGroupMembers(group)).toEqual([]);
    expect(await store.processGroups.list()).toEqual([]);
    const [event] = await events.query({ task_id: 'task_1', limit: 10, order: 'asc' });
    expect(event?.kind).toBe('process.orphan_ended');
  });

  it('belonging to a live server on the same data directory are left alone', async () => {
    const otherServer = sleeper();
    const agent = sleeper();
    await store.processGroups.add(record(agent, `${hostname()}/${otherServer.pid}/live-instance`));
    const groups = new ServerProcessGroups(store, events, systemClock, silentLogger);

    expect(await groups.endOrphans(500)).toBe(0);
    expect(liveGroupMembers({ pgid: agent.pid!, start_time: processStartTime(agent.pid!)! })).toEqual([
      agent.pid,
    ]);
    expect(await store.processGroups.list()).toHaveLength(1);
  });

  it('started by another instance in this very process are not killed, only forgotten once gone', async () => {
    const running = sleeper();
    const ended = sleeper();
    const sameProcess = `${hostname()}/${process.pid}/earlier-instance`;
    await store.processGroups.add(record(running, sameProcess));
    await store.processGroups.add(record(ended, sameProcess));
    const endedGroup = { pgid: ended.pid!, start_time: processStartTime(ended.pid!)! };
    process.kill(ended.pid!, 'SIGKILL');
    await new Promise((resolve) => ended.once('exit', resolve));
    expect(liveGroupMembers(endedGroup)).toEqual([]);
    const groups = new ServerProcessGroups(store, events, systemClock, silentLogger);

    expect(await groups.endOrphans(500)).toBe(0);
    expect((await store.processGroups.list()).map((r) => r.pgid)).toEqual([running.pid]);
    expect(liveGroupMembers({ pgid: running.pid!, start_time: processStartTime(running.pid!)! })).toEqual([
      running.pid,
    ]);
  });

  it('are written down while they run and crossed out when they end', async () => {
    const groups = new ServerProcessGroups(store, events, systemClock, silentLogger);
    const journal = groups.journal({ task_id: 'task_2', turn_id: null });
    const group = { pgid: 4242, start_time: '17', command: 'npm test' };
    await journal.started(group);
    expect(await store.processGroups.list()).toMatchObject([{ pgid: 4242, task_id: 'task_2' }]);
    await journal.ended(group);
    expect(await store.processGroups.list()).toEqual([]);
  });
});
