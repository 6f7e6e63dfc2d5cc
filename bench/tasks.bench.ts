/**
 * Orchestration overhead of a task with an instant agent — submit → done, minus the agent's own
 * time — as a ratio to the unavoidable `git worktree add` + `git worktree remove` of the same
 * repository measured in the same run; and the time to drain 200 queued tasks. Real git, a real
 * bare remote, real SQLite, and a pull request on the local GitHub stand-in for every task.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { instantAgent, makeProject, startGithubStandIn } from '@harness/testkit';
import { AgentRegistry } from '../packages/harness/src/agents/index.js';
import {
  createGit,
  createProcessRunner,
  loadConfig,
  silentLogger,
} from '../packages/harness/src/core/index.js';
import { createPorts } from '../packages/harness/src/cli/compose.js';
import { Harness } from '../packages/harness/src/server/index.js';
import { SqliteStore } from '../packages/harness/src/store/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'harness-bench-tasks-'));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

/** The floor: what any worktree-per-task design pays, measured through the same git port. */
async function worktreeBaseline(root: string, rounds: number): Promise<number> {
  const port = createGit({ runner: createProcessRunner() });
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const wt = path.join(dir, 'baseline', `wt-${i}`);
    const start = performance.now();
    await port.worktreeAdd(root, wt, `baseline-${i}`, 'main');
    await port.worktreeRemove(root, wt, { force: true });
    times.push(performance.now() - start);
    await port.branchDelete(root, `baseline-${i}`, { force: true });
  }
  return mean(times.slice(2));
}

async function main(): Promise<void> {
  // Nothing to validate: what is measured is Harness's own work per task.
  const { root } = makeProject(dir, 'bench', '[validation]\npre_commit = []\n');
  const hub = await startGithubStandIn({ token: 't' });
  hub.addRepo('acme/bench');
  const configFile = path.join(dir, 'config.toml');
  writeFileSync(
    configFile,
    `[agents]\ndefault_agent = "claude"\n[agents.review]\nenabled = false\n[concurrency]\nmax_concurrent_tasks = 4\nmax_queue_size = 500\n[otel]\nexporter = "disabled"\n[github]\napi_url = "${hub.url}"\ntoken = "t"\n[[projects]]\nname = "bench"\nroot = "${root}"\nmax_concurrent = 4\n`,
  );
  const { config } = loadConfig({ configPath: configFile });
  const agents = new AgentRegistry(config.agents, [instantAgent()]);
  const harness = await Harness.start({
    config,
    store: SqliteStore.open(path.join(dir, 'data')),
    ports: createPorts(config, silentLogger),
    agents,
    dataDir: path.join(dir, 'data'),
  });
  const finished = new Map<string, () => void>();
  harness.events.onAppend((event) => {
    if (event.kind === 'task.finished' && event.task_id) finished.get(event.task_id)?.();
  });
  const runOne = async (i: number) => {
    const start = performance.now();
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    const task = await harness.tasks.create({ prompt: `bench ${i}`, project: 'bench', priority: 0 });
    finished.set(task.id, resolve);
    await done;
    const total = performance.now() - start;
    const turns = await harness.store.events.query({
      task_id: task.id,
      kinds: ['turn.started', 'turn.completed'],
      limit: 10,
      order: 'asc',
    });
    const agentMs = turns.length === 2 ? Date.parse(turns[1]!.ts) - Date.parse(turns[0]!.ts) : 0;
    const state = (await harness.tasks.get(task.id)).state;
    if (state !== 'done') throw new Error(`task ${task.id} ended ${state}`);
    return total - agentMs;
  };

  const baseline = await worktreeBaseline(root, 12);
  const overheads: number[] = [];
  for (let i = 0; i < 22; i++) overheads.push(await runOne(i));
  const overhead = mean(overheads.slice(2));
  console.log(`task overhead (instant agent, submit → done minus agent time): ${fmt(overhead)} per task`);
  console.log(`baseline git worktree add + remove: ${fmt(baseline)}`);
  console.log(`task overhead ratio: ${(overhead / baseline).toFixed(2)}× the worktree floor`);

  const drainStart = performance.now();
  const ids = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      const task = await harness.tasks.create({ prompt: `drain ${i}`, project: 'bench', priority: 0 });
      finished.set(task.id, resolve);
      return done;
    }),
  );
  await Promise.all(ids);
  const drain = performance.now() - drainStart;
  console.log(
    `drain 200 queued tasks (4 at a time): ${(drain / 1000).toFixed(2)} s, ${(200 / (drain / 1000)).toFixed(1)} tasks/s`,
  );
  console.log(`drain per task vs worktree floor: ${(drain / 200 / baseline).toFixed(2)}× (4 concurrent)`);
  await harness.close();
  await hub.close();
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
