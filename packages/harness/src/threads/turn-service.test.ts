import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentAdapter, AgentRegistry, type TerminalEvent } from '../agents/index.js';
import { loadConfig, silentLogger, systemClock } from '../core/index.js';
import { EventLog } from '../observe/index.js';
import { SqliteStore, type Store } from '../store/index.js';
import { NotificationHub } from './notification-hub.js';
import { ThreadService } from './thread-service.js';
import { TurnService } from './turn-service.js';

const usage = { input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0 };

/** An agent whose turns answer only when `answer()` is called: a server that stalls mid-turn. */
function heldAgent(): { adapter: AgentAdapter; answer: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const adapter: AgentAdapter = {
    name: 'claude',
    probe: async () => ({
      ...{ name: 'claude' as const, enabled: true, usable: true, reason: null, version: 'held' },
      ...{ binary_path: null, default_model: null, command_gate: 'enforced' as const },
      ...{ model_access: null, model_access_reason: null },
    }),
    startTurn() {
      const terminal: TerminalEvent = {
        ...{ turn_id: 'held-1', agent: 'claude', type: 'result', text: 'late answer' },
        ...{ session_id: 'held-session', num_turns: 1, usage },
      };
      const done = released.then(() => terminal);
      return {
        id: 'held-1',
        interrupt: () => undefined,
        done,
        async *[Symbol.asyncIterator]() {
          yield await done;
        },
      };
    },
  };
  return { adapter, answer: release };
}

let dir: string;
let store: Store;

afterEach(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function services(adapter: AgentAdapter, leaseMs?: number) {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-turn-service-'));
  store = SqliteStore.open(path.join(dir, 'data'));
  const { config } = loadConfig({ env: {} });
  const events = new EventLog(store, silentLogger, systemClock);
  const hub = new NotificationHub();
  const threads = new ThreadService(store, events, hub, systemClock, {
    projectRoot: dir,
    allowedProjectRoots: [],
  });
  const agents = new AgentRegistry(config.agents, [adapter]);
  const deps = { store, events, hub, threads, agents, clock: systemClock, logger: silentLogger, leaseMs };
  return { threads, events, running: new TurnService(deps), takingOver: new TurnService(deps) };
}

describe('TurnService', () => {
  it("keeps a turn interrupted by a takeover: the stalled server's late result is not stored", async () => {
    const held = heldAgent();
    const { threads, events, running, takingOver } = services(held.adapter);
    const thread = await threads.start({ cwd: dir });
    const turn = await running.start({ thread_id: thread.id, input: 'work' }, { taskId: 'task-1' });
    const [stalled] = await store.turns.listRunning();
    expect(stalled?.owner).toBeTruthy();

    // Another server takes the task over from the process it takes for dead.
    expect(await takingOver.interruptTaskTurns('task-1', stalled!.owner!)).toBe(1);
    held.answer();
    const settled = await running.wait(turn.id);

    expect(settled.status).toBe('interrupted');
    expect(await store.turns.get(turn.id)).toMatchObject({
      status: 'interrupted',
      error: { code: 'server_restarted' },
    });
    // One end announced, the takeover's, tagged with the task; none for the late answer.
    const ends = await events.query({
      turn_id: turn.id,
      kinds: ['turn.completed', 'turn.failed'],
      order: 'asc',
      limit: 10,
    });
    expect(ends).toMatchObject([{ kind: 'turn.failed', task_id: 'task-1', data: { status: 'interrupted' } }]);
    // The thread is free again, for a turn that will be stored.
    expect((await threads.get(thread.id))?.status).toBe('idle');
  });

  it("renews its turns' leases, and marks interrupted the turns of a server that stopped renewing", async () => {
    const held = heldAgent();
    const { threads, events, running } = services(held.adapter, 150);
    const thread = await threads.start({ cwd: dir });
    const mine = await running.start({ thread_id: thread.id, input: 'work' });
    const firstLease = (await store.turns.listRunning())[0]?.lease_expires_at ?? '';
    // Turns of servers elsewhere: one whose lease ran out (a host that died), one still renewed.
    const other = await threads.start({ cwd: dir });
    const live = { status: 'running' as const, items: [], usage: null, error: null, completed_at: null };
    const base = { input: 'x', agent: 'claude' as const, started_at: new Date().toISOString(), ...live };
    const lease = (ms: number) => ({
      owner: 'elsewhere/1/x',
      expires_at: new Date(Date.now() + ms).toISOString(),
    });
    await store.turns.create({ ...base, id: 'turn-dead', thread_id: other.id, seq: 1 }, lease(-1));
    const third = await threads.start({ cwd: dir });
    await store.turns.create({ ...base, id: 'turn-alive', thread_id: third.id, seq: 1 }, lease(60_000));

    running.watchLeases();
    try {
      await until(async () => (await store.turns.get('turn-dead'))?.status === 'interrupted');
      await until(async () => {
        const renewed = (await store.turns.listRunning()).find((t) => t.id === mine.id);
        return renewed !== undefined && renewed.lease_expires_at! > firstLease;
      });
    } finally {
      await running.stopWatching();
    }
    expect(await store.turns.get('turn-dead')).toMatchObject({
      status: 'interrupted',
      error: { code: 'server_restarted', message: 'the server running this turn stopped renewing its lease' },
    });
    expect((await store.turns.get('turn-alive'))?.status).toBe('running');
    expect((await store.turns.get(mine.id))?.status).toBe('running');
    expect(
      await events.query({ turn_id: 'turn-dead', kinds: ['turn.failed'], order: 'asc', limit: 5 }),
    ).toMatchObject([{ thread_id: other.id, data: { status: 'interrupted' } }]);
    held.answer();
    expect((await running.wait(mine.id)).status).toBe('completed');
  });
});

/** Polls until `condition` holds; a hang guard, not a speed check. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('gave up waiting');
}
