/**
 * Fleet mode: how fast a queue drains with an instant agent on one server and on three servers
 * sharing one PostgreSQL database (the same tasks and the same fleet-wide limits), against one
 * server on SQLite measured in the same run; and how long a claim (`store.tasks.claimNext`) takes
 * when three stores claim at once. Real git, bare remotes, pull requests on the GitHub stand-in.
 *
 * The servers run in this process (each its own Harness, store connection pool, data directory,
 * worktrees and project clone, as separate hosts have), so the instant agent can be used: the
 * JavaScript of all three shares one thread, while their git processes and the database use both
 * cores. The limits are fleet-wide, so three servers are not allowed more tasks at once than one:
 * the ratio says what sharing the queue costs (or gains), not how a bigger fleet scales.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newTask } from '@harness/protocol';
import {
  git,
  type GithubStandIn,
  instantAgent,
  makeProject,
  startGithubStandIn,
  startPostgres,
  testIdentity,
} from '@harness/testkit';
import { AgentRegistry } from '../packages/harness/src/agents/index.js';
import { loadConfig, silentLogger } from '../packages/harness/src/core/index.js';
import { createPorts } from '../packages/harness/src/cli/compose.js';
import { Harness } from '../packages/harness/src/server/index.js';
import { PgStore, SqliteStore, type Store } from '../packages/harness/src/store/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'harness-bench-fleet-'));
const TASKS = 120;
const GLOBAL_LIMIT = 4;
const PROJECTS = ['north', 'south'];
const PROJECT_LIMIT = 3;

/** The origins every scenario's servers clone (one per project), on one GitHub stand-in. */
interface Remotes {
  hub: GithubStandIn;
  origins: Record<string, string>;
}

async function remotes(): Promise<Remotes> {
  const hub = await startGithubStandIn({ token: 't' });
  const origins: Record<string, string> = {};
  for (const name of PROJECTS) {
    hub.addRepo(`acme/${name}`);
    origins[name] = makeProject(path.join(dir, 'seed'), name, '[validation]\npre_commit = []\n').remote;
  }
  return { hub, origins };
}

/** One server of a scenario: its own clones, config, data directory and store. */
async function startServer(scenario: string, index: number, store: Store, r: Remotes): Promise<Harness> {
  const home = path.join(dir, scenario, `server-${index}`);
  const projects = PROJECTS.map((name) => {
    const root = path.join(home, 'projects', name);
    git(dir, 'clone', '-q', r.origins[name]!, root);
    git(root, 'config', 'user.email', testIdentity.email);
    git(root, 'config', 'user.name', testIdentity.name);
    return `[[projects]]\nname = "${name}"\nroot = "${root}"\nmax_concurrent = ${PROJECT_LIMIT}\n`;
  });
  const configFile = path.join(home, 'config.toml');
  writeFileSync(
    configFile,
    `[agents]\ndefault_agent = "claude"\n[agents.review]\nenabled = false\n[concurrency]\nmax_concurrent_tasks = ${GLOBAL_LIMIT}\nmax_queue_size = 1000\n[otel]\nexporter = "disabled"\n[github]\napi_url = "${r.hub.url}"\ntoken = "t"\n${projects.join('')}`,
  );
  const { config } = loadConfig({ configPath: configFile });
  return Harness.start({
    config,
    store,
    ports: createPorts(config, silentLogger),
    agents: new AgentRegistry(config.agents, [instantAgent()]),
    dataDir: path.join(home, 'data'),
  });
}

/**
 * Queues TASKS tasks over the projects, spread over the servers' APIs, and waits until every one
 * finished; returns the seconds from the first submission to the last task.finished.
 */
async function drain(servers: Harness[]): Promise<number> {
  const finished = new Set<string>();
  let allDone!: () => void;
  const done = new Promise<void>((resolve) => (allDone = resolve));
  // A server may also announce the other servers' events: a set counts each task once.
  for (const server of servers)
    server.events.onAppend((event) => {
      if (event.kind !== 'task.finished' || !event.task_id) return;
      finished.add(event.task_id);
      if (finished.size === TASKS) allDone();
    });
  const start = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const server = servers[i % servers.length]!;
    const task = await server.tasks.create({ prompt: `drain ${i}`, project: PROJECTS[i % 2]!, priority: 0 });
    ids.push(task.id);
  }
  await done;
  const seconds = (performance.now() - start) / 1000;
  for (const id of ids) {
    const state = (await servers[0]!.tasks.get(id)).state;
    if (state !== 'done') throw new Error(`task ${id} ended ${state}`);
  }
  return seconds;
}

async function scenario(name: string, stores: Store[], r: Remotes): Promise<number> {
  const servers: Harness[] = [];
  for (const [i, store] of stores.entries()) servers.push(await startServer(name, i, store, r));
  try {
    return await drain(servers);
  } finally {
    for (const server of servers) await server.close();
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/**
 * Every claim of CLAIMS queued tasks, by `claimers` loops on each store at once, timed one by one
 * (no limit in the way: what is measured is the claim itself, under contention).
 */
async function claimLatency(stores: Store[], claimers: number, claims: number): Promise<number[]> {
  const at = new Date().toISOString();
  for (let i = 0; i < claims; i++)
    await stores[0]!.tasks.enqueue(
      newTask({ id: `claim-${i}`, project: PROJECTS[i % 2]!, kind: 'prompt', prompt: 'x', created_at: at }),
      claims,
    );
  const times: number[] = [];
  const claimed = new Set<string>();
  const loop = async (store: Store, owner: string) => {
    for (;;) {
      const start = performance.now();
      const got = await store.tasks.claimNext({
        owner,
        expires_at: '2999-01-01T00:00:00.000Z',
        now: new Date().toISOString(),
        globalLimit: Number.MAX_SAFE_INTEGER,
        projectLimits: {},
        defaultProjectLimit: Number.MAX_SAFE_INTEGER,
      });
      if (got === null) return;
      times.push(performance.now() - start);
      if (claimed.has(got.task.id)) throw new Error(`task ${got.task.id} claimed twice`);
      claimed.add(got.task.id);
    }
  };
  await Promise.all(
    stores.flatMap((store, s) => Array.from({ length: claimers }, (_, c) => loop(store, `bench/${s}/${c}`))),
  );
  if (claimed.size !== claims) throw new Error(`claimed ${claimed.size} of ${claims} tasks`);
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const postgres = await startPostgres({ durable: true });
  const r = await remotes();
  try {
    const sqliteSeconds = await scenario(
      'sqlite-1',
      [SqliteStore.open(path.join(dir, 'sqlite-1', 'store'))],
      r,
    );
    const oneUrl = await postgres.createDatabase('drain_one');
    const pgOneSeconds = await scenario('pg-1', [await PgStore.open(oneUrl)], r);
    const threeUrl = await postgres.createDatabase('drain_three');
    const pgThree = await Promise.all([0, 1, 2].map(() => PgStore.open(threeUrl)));
    const pgThreeSeconds = await scenario('pg-3', pgThree, r);
    const rate = (seconds: number) => TASKS / seconds;
    const limits = `fleet limit ${GLOBAL_LIMIT}, ${PROJECT_LIMIT} per project`;
    console.log(`drain ${TASKS} tasks, instant agent, ${limits}:`);
    console.log(`  one server, SQLite:                ${rate(sqliteSeconds).toFixed(1)} tasks/s`);
    console.log(`  one server, PostgreSQL:            ${rate(pgOneSeconds).toFixed(1)} tasks/s`);
    console.log(`  three servers, one PostgreSQL:     ${rate(pgThreeSeconds).toFixed(1)} tasks/s`);
    console.log(`  three servers vs one (PostgreSQL): ${(pgOneSeconds / pgThreeSeconds).toFixed(2)}×`);
    console.log(`  PostgreSQL vs SQLite (one server): ${(sqliteSeconds / pgOneSeconds).toFixed(2)}×`);

    const claimUrl = await postgres.createDatabase('claims');
    const claimStores = await Promise.all([0, 1, 2].map(() => PgStore.open(claimUrl)));
    const pgClaims = await claimLatency(claimStores, 2, 600);
    await Promise.all(claimStores.map((store) => store.close()));
    const sqlite = SqliteStore.open(path.join(dir, 'claims-sqlite'));
    const sqliteClaims = await claimLatency([sqlite], 2, 600);
    await sqlite.close();
    const fmt = (times: number[]) =>
      `p50 ${percentile(times, 50).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`;
    console.log(`claimNext, 600 tasks: PostgreSQL, 3 stores × 2 claimers at once: ${fmt(pgClaims)}`);
    console.log(`claimNext, 600 tasks: SQLite, 1 store × 2 claimers (reference):  ${fmt(sqliteClaims)}`);
    console.log(
      `claim p50 PostgreSQL vs SQLite: ${(percentile(pgClaims, 50) / percentile(sqliteClaims, 50)).toFixed(2)}×`,
    );
  } finally {
    await r.hub.close();
    await postgres.stop();
  }
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
