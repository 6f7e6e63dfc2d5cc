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

function services(adapter: AgentAdapter) {
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
  const deps = { store, events, hub, threads, agents, clock: systemClock, logger: silentLogger };
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
    const ends = await events.query({
      turn_id: turn.id,
      kinds: ['turn.completed', 'turn.failed'],
      order: 'asc',
      limit: 10,
    });
    expect(ends).toEqual([]);
    // The thread is free again, for a turn that will be stored.
    expect((await threads.get(thread.id))?.status).toBe('idle');
  });
});
