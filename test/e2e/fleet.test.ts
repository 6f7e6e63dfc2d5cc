/**
 * Fleet mode end to end: three `harness serve` processes (three "hosts": their own data directory,
 * worktrees and project clones) on one PostgreSQL database, with a scripted model, the GitHub
 * stand-in and real bare origins. 60 tasks over two projects (and 12 more through the real Claude
 * Code CLI, in a fleet of their own), submitted through all three servers;
 * one server is killed with SIGKILL mid-run. Every task must end done exactly once (one
 * task.finished, one pr_opened checkpoint, one pull request, one branch on the origin), the killed
 * server's tasks finished by the others, and the fleet-wide limits never exceeded — measured in
 * the database at every claim, not trusted from the servers. Then a server stopped (SIGSTOP) past
 * its lease: its tasks are taken over, and when it runs again its stale runs write nothing.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimPeaks,
  type Fleet,
  type FleetHost,
  git,
  HttpClient,
  recordClaims,
  type RunningPostgres,
  startFleet,
  startPostgres,
  tempDir,
} from '@harness/testkit';

let postgres: RunningPostgres;
const dirs: { remove: () => void }[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);

afterAll(async () => {
  await postgres?.stop();
  dirs.forEach((d) => d.remove());
});

const finishedStates = `('done', 'failed', 'cancelled', 'needs_input')`;
const runningStates = `NOT IN ('queued', 'needs_input', 'done', 'failed', 'cancelled')`;

/**
 * Polls `condition` until it holds; a hang guard, not a speed check. When it gives up, it says
 * what the database shows: the tasks by state and owner, and the sessions and what they wait on.
 */
async function until(
  fleet: Fleet,
  what: string,
  condition: () => Promise<boolean> | boolean,
  seconds = 150,
): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const tasks = await fleet.sql(
    'SELECT state, lease_owner, lease_expires_at, count(*) AS n FROM tasks GROUP BY 1, 2, 3 ORDER BY 1',
  );
  const sessions = await fleet.sql(
    `SELECT pid, state, wait_event_type, wait_event, left(query, 120) AS query FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()`,
  );
  throw new Error(`gave up waiting for ${what}: ${JSON.stringify({ tasks, sessions }, null, 1)}`);
}

/** A server's owner (of leases and turns) is `host/pid/instance`: a pattern matching it. */
const ownerOf = (host: FleetHost) => `%/${host.server.child.pid}/%`;

/** What a server holds, as the database says. */
async function heldBy(fleet: Fleet, host: FleetHost): Promise<string[]> {
  const rows = await fleet.sql<{ id: string }>(
    `SELECT id FROM tasks WHERE lease_owner LIKE $1 AND state ${runningStates} ORDER BY id`,
    [ownerOf(host)],
  );
  return rows.map((r) => r.id);
}

/**
 * Stops one of `hosts` (SIGSTOP) at a moment it holds running tasks, and returns it and them:
 * frozen, it cannot finish one between the look and what follows (a kill). Which host is up to the
 * scheduling, so the first one seen holding tasks is taken; tries again when its last run ended
 * just as it stopped.
 */
async function freezeOneHolding(
  fleet: Fleet,
  hosts: FleetHost[],
  ready: () => Promise<boolean>,
): Promise<{ host: FleetHost; held: string[] }> {
  for (;;) {
    let host: FleetHost | undefined;
    await until(fleet, 'a server holding running tasks', async () => {
      if (!(await ready())) return false;
      for (const candidate of hosts) if ((await heldBy(fleet, candidate)).length > 0) host = candidate;
      return host !== undefined;
    });
    host!.server.child.kill('SIGSTOP');
    // A commit it sent just before it stopped lands meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const held = await heldBy(fleet, host!);
    if (held.length > 0) return { host: host!, held };
    host!.server.child.kill('SIGCONT');
  }
}

async function countFinished(fleet: Fleet): Promise<number> {
  const [row] = await fleet.sql<{ n: string }>(
    `SELECT count(*) AS n FROM tasks WHERE state IN ${finishedStates}`,
  );
  return Number(row!.n);
}

/** How many of each task's events are of `kind` (every task listed, 0 included). */
async function eventsPerTask(fleet: Fleet, kind: string): Promise<Map<string, number>> {
  const rows = await fleet.sql<{ id: string; n: string }>(
    `SELECT t.id, count(e.seq) AS n FROM tasks t LEFT JOIN events e ON e.task_id = t.id AND e.kind = $1
     GROUP BY t.id`,
    [kind],
  );
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/**
 * What says a task was run to completion once and only once: its state, one task.finished, one
 * pr_opened checkpoint, and one pull request and one pushed branch per task on each project.
 */
async function expectEachDoneOnce(fleet: Fleet, projects: string[], total: number): Promise<void> {
  const tasks = await fleet.sql<{
    id: string;
    project: string;
    state: string;
    error: unknown;
    pr_url: string;
    lease_owner: string | null;
  }>('SELECT id, project, state, error, pr_url, lease_owner FROM tasks');
  expect(tasks).toHaveLength(total);
  // With what the servers logged about it: a failure's cause is in the log, not in the task's error.
  const logged = (id: string) =>
    fleet.hosts.flatMap((h) => h.server.stderr.filter((line) => line.includes(id)));
  expect(
    tasks.filter((t) => t.state !== 'done').map((t) => [t.id, t.state, t.error, logged(t.id).slice(-5)]),
  ).toEqual([]);
  expect(new Set(tasks.map((t) => t.pr_url)).size).toBe(total);

  const finished = await eventsPerTask(fleet, 'task.finished');
  // With its last owner: a run cut off between the state change and its announcement shows here.
  const ownerOf = new Map(tasks.map((t) => [t.id, t.lease_owner]));
  expect([...finished].filter(([, n]) => n !== 1).map(([id, n]) => [id, n, ownerOf.get(id)])).toEqual([]);
  const prCheckpoints = await fleet.sql<{ id: string; n: string }>(
    `SELECT t.id, count(c.task_id) AS n FROM tasks t
     LEFT JOIN task_checkpoints c ON c.task_id = t.id AND c.stage = 'pr_opened' GROUP BY t.id`,
  );
  expect(prCheckpoints.filter((r) => Number(r.n) !== 1)).toEqual([]);

  for (const project of projects) {
    const ofProject = tasks.filter((t) => t.project === project);
    const pulls = fleet.hub.pullRequests(`acme/${project}`);
    expect(pulls, project).toHaveLength(ofProject.length);
    // A head is `owner:branch`, as Harness names it when it opens the pull request.
    const heads = new Set(pulls.map((p) => p.head.replace(/^acme:/, '')));
    expect(heads.size, project).toBe(ofProject.length);
    // The origin has main and one branch per task: the pull requests' heads, nothing else.
    const branches = git(fleet.origins[project]!, 'for-each-ref', '--format=%(refname:short)', 'refs/heads')
      .split('\n')
      .filter((b) => b !== 'main');
    expect(new Set(branches), project).toEqual(heads);
  }
}

/**
 * `total` tasks over the projects of `limits` on three servers, submitted through all three; one
 * server killed (SIGKILL) while it holds running tasks, once `killAfter` have finished; then every
 * task must be done exactly once, the killed server's taken over, the limits never exceeded.
 */
async function runWhileOneServerIsKilled(options: {
  agent: 'anthropic_api' | 'claude';
  total: number;
  limits: Record<string, number>;
  globalLimit: number;
  killAfter: number;
}): Promise<void> {
  const { total, limits, globalLimit } = options;
  const dir = tempDir('harness-fleet-');
  dirs.push(dir);
  const fleet = await startFleet(dir.path, {
    databaseUrl: await postgres.createDatabase(),
    hosts: 3,
    projects: Object.entries(limits).map(([name, max_concurrent]) => ({ name, max_concurrent })),
    concurrency: { global: globalLimit, queue: 100, leaseSeconds: 5 },
    // A model that takes a moment: a server killed at any time has runs mid-turn.
    modelDelayMs: 300,
    agent: options.agent,
  });
  try {
    await recordClaims(fleet);
    const names = Object.keys(limits);
    const ids: string[] = [];
    for (let i = 0; i < total; i++)
      ids.push(await fleet.hosts[i % 3]!.submit(`fleet task ${i}`, names[i % names.length]!));
    expect(new Set(ids).size).toBe(total);

    // Kill a server while it holds running tasks, once some tasks are done.
    const { host: victim, held: orphaned } = await freezeOneHolding(
      fleet,
      fleet.hosts,
      async () => (await countFinished(fleet)) >= options.killAfter,
    );
    await victim.server.stop('SIGKILL');
    expect(await heldBy(fleet, victim)).toEqual(orphaned);

    await until(fleet, `all ${total} tasks finished`, async () => (await countFinished(fleet)) === total);
    await expectEachDoneOnce(fleet, names, total);
    // Every turn was the agent's asked for (the real CLI, not a stand-in), and none is left running:
    // those the killed server was running ended when their tasks were taken over.
    expect(await fleet.sql('SELECT DISTINCT agent FROM turns')).toEqual([{ agent: options.agent }]);
    expect(
      await fleet.sql(`SELECT id, status FROM turns WHERE status NOT IN ('completed', 'interrupted')`),
    ).toEqual([]);

    // The killed server's tasks were taken over (back to the queue, claimed by another server).
    const recovered = await eventsPerTask(fleet, 'task.recovered');
    expect(orphaned.filter((id) => (recovered.get(id) ?? 0) < 1)).toEqual([]);
    const [owners] = await fleet.sql<{ n: string }>(
      `SELECT count(*) AS n FROM tasks WHERE id = ANY($1) AND lease_owner LIKE $2`,
      [orphaned, ownerOf(victim)],
    );
    expect(Number(owners!.n)).toBe(0);

    // Measured at every claim in the database: never above a project's limit or the fleet's.
    const peaks = await claimPeaks(fleet);
    expect(peaks.claims).toBeGreaterThanOrEqual(total + orphaned.length);
    for (const [name, limit] of Object.entries(limits))
      expect(peaks.projects[name], name).toBeLessThanOrEqual(limit);
    expect(peaks.global).toBeLessThanOrEqual(globalLimit);
    // The limits were reached at all, or the check would say nothing.
    expect(peaks.global).toBeGreaterThanOrEqual(Math.min(3, globalLimit));

    // The survivors still answer for every task, wherever it ran.
    const view = await fleet.hosts.find((h) => h !== victim)!.task(orphaned[0]!);
    expect(view.state).toBe('done');
    expect(view.timeline.map((e) => e.kind)).toContain('task.recovered');
  } finally {
    await fleet.stop();
  }
}

describe('a fleet of harness servers on one PostgreSQL database', () => {
  it('runs 60 tasks over two projects exactly once within the fleet-wide limits while one server is killed', async () => {
    await runWhileOneServerIsKilled({
      agent: 'anthropic_api',
      total: 60,
      limits: { alpha: 2, beta: 3 },
      globalLimit: 4,
      killAfter: 8,
    });
  }, 240_000);

  it('runs tasks through the real Claude Code CLI exactly once while one server is killed', async () => {
    await runWhileOneServerIsKilled({
      agent: 'claude',
      total: 12,
      limits: { alpha: 2, beta: 2 },
      globalLimit: 3,
      killAfter: 2,
    });
  }, 240_000);

  it('runs every task exactly once while servers are killed and restarted at random moments', async () => {
    const limits = { alpha: 2, beta: 2 };
    const total = 30;
    const dir = tempDir('harness-fleet-chaos-');
    dirs.push(dir);
    const fleet = await startFleet(dir.path, {
      databaseUrl: await postgres.createDatabase(),
      hosts: 3,
      projects: Object.entries(limits).map(([name, max_concurrent]) => ({ name, max_concurrent })),
      concurrency: { global: 3, queue: 100, leaseSeconds: 5 },
      modelDelayMs: 200,
    });
    // Seeded, so that a failure names the sequence of kills that led to it.
    const seed = Date.now() % 100_000;
    let state = seed;
    const random = () => (state = (state * 48271) % 2147483647) / 2147483647;
    const kills: string[] = [];
    try {
      await recordClaims(fleet);
      const names = Object.keys(limits);
      for (let i = 0; i < total; i++)
        await fleet.hosts[i % 3]!.submit(`chaos task ${i}`, names[i % names.length]!);
      // Kill -9 a random server at a random moment, restart it on its data directory, again.
      for (let round = 0; round < 6 && (await countFinished(fleet)) < total; round++) {
        await new Promise((resolve) => setTimeout(resolve, 300 + random() * 2500));
        const host = fleet.hosts[Math.floor(random() * 3)]!;
        kills.push(`${host.name} with ${(await heldBy(fleet, host)).length} running`);
        await host.crashAndRestart();
      }
      await until(
        fleet,
        `all ${total} tasks finished (seed ${seed}, kills: ${kills.join('; ')})`,
        async () => (await countFinished(fleet)) === total,
      );
      await expectEachDoneOnce(fleet, names, total);
      expect(
        await fleet.sql(`SELECT id, status FROM turns WHERE status NOT IN ('completed', 'interrupted')`),
      ).toEqual([]);
      const peaks = await claimPeaks(fleet);
      for (const [name, limit] of Object.entries(limits))
        expect(peaks.projects[name], name).toBeLessThanOrEqual(limit);
      expect(peaks.global).toBeLessThanOrEqual(3);
    } catch (error) {
      console.error(`chaos seed ${seed}, kills: ${kills.join('; ')}`);
      throw error;
    } finally {
      await fleet.stop();
    }
  }, 240_000);

  it('fences a server stopped past its lease: its tasks finish elsewhere and its late runs write nothing', async () => {
    const dir = tempDir('harness-fleet-stale-');
    dirs.push(dir);
    const fleet = await startFleet(dir.path, {
      databaseUrl: await postgres.createDatabase(),
      hosts: 2,
      projects: [{ name: 'gamma', max_concurrent: 4 }],
      concurrency: { global: 4, host: 2, queue: 20, leaseSeconds: 5 },
      // Slow enough that the stopped server is mid-turn, its model's answer waiting for it.
      modelDelayMs: 1500,
    });
    try {
      const [stalled, survivor] = fleet.hosts as [FleetHost, FleetHost];
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await fleet.hosts[i % 2]!.submit(`stale task ${i}`, 'gamma'));
      // Stopped mid-turn: the answer its model sends meanwhile is read when it runs again.
      const ownsRunningTurn = async () =>
        (
          await fleet.sql(`SELECT 1 FROM turns WHERE status = 'running' AND owner LIKE $1`, [
            ownerOf(stalled),
          ])
        ).length > 0;
      const { held: taken } = await freezeOneHolding(fleet, [stalled], ownsRunningTurn);

      // Its lease expires; the survivor takes the tasks over and finishes everything.
      await until(fleet, 'all 6 tasks finished', async () => (await countFinished(fleet)) === 6);
      const recovered = await eventsPerTask(fleet, 'task.recovered');
      expect(taken.filter((id) => (recovered.get(id) ?? 0) < 1)).toEqual([]);

      // Running again, the stale runs carry on until the database refuses their next write.
      stalled.server.child.kill('SIGCONT');
      const stopped = (id: string) =>
        stalled.server.stderr.some(
          (line) => line.includes(id) && line.includes('the task passed to another owner; this run stopped'),
        );
      await until(fleet, 'the stale runs to stop', () => taken.every(stopped));

      await expectEachDoneOnce(fleet, ['gamma'], 6);
      expect(await survivor.task(taken[0]!)).toMatchObject({ state: 'done' });

      // The turns it was running were ended at the takeover, and its late answers changed nothing:
      // still interrupted, with the one end the takeover announced and none of its own.
      const cutOff = await fleet.sql<{ id: string; ends: string }>(
        `SELECT t.id, string_agg(e.kind || ':' || (e.data::jsonb ->> 'status'), ',') AS ends FROM turns t
         LEFT JOIN events e ON e.turn_id = t.id AND e.kind IN ('turn.completed', 'turn.failed')
         WHERE t.owner LIKE $1 AND t.status = 'interrupted' GROUP BY t.id`,
        [ownerOf(stalled)],
      );
      expect(cutOff.length).toBeGreaterThan(0);
      expect(cutOff.filter((t) => t.ends !== 'turn.failed:interrupted')).toEqual([]);
      expect(stalled.server.stderr.some((line) => line.includes('its outcome here is dropped'))).toBe(true);
    } finally {
      await fleet.stop();
    }
  }, 180_000);

  it("ends, on a live server, the interactive turn of a server stopped past its lease (another host's, as far as a lease can tell)", async () => {
    const dir = tempDir('harness-fleet-turn-');
    dirs.push(dir);
    const fleet = await startFleet(dir.path, {
      databaseUrl: await postgres.createDatabase(),
      hosts: 2,
      projects: [{ name: 'delta', max_concurrent: 1 }],
      concurrency: { global: 2, queue: 5, leaseSeconds: 5 },
      // The turn is still waiting for its model when its server stops.
      modelDelayMs: 60_000,
    });
    try {
      const [stalled, survivor] = fleet.hosts as [FleetHost, FleetHost];
      const rpc = async (host: FleetHost) => {
        const client = new HttpClient(host.server.url);
        await client.request('initialize');
        await client.send('{"jsonrpc":"2.0","method":"initialized"}');
        return client;
      };
      const onStalled = await rpc(stalled);
      const thread = (await onStalled.request('thread/start', {
        cwd: path.join(stalled.dir, 'projects', 'delta'),
      })) as { result: { thread_id: string } };
      const threadId = thread.result.thread_id;
      const turn = (await onStalled.request('turn/start', { thread_id: threadId, input: 'long work' })) as {
        result: { turn_id: string };
      };
      const turnId = turn.result.turn_id;
      const statusOf = async () =>
        (await fleet.sql<{ status: string }>('SELECT status FROM turns WHERE id = $1', [turnId]))[0]?.status;
      await until(fleet, 'the turn to run', async () => (await statusOf()) === 'running');

      // Its process is still there (stopped, not gone): only its lease can say it stopped.
      stalled.server.child.kill('SIGSTOP');
      await until(
        fleet,
        'the survivor to end the turn',
        async () => (await statusOf()) === 'interrupted',
        30,
      );

      // The survivor says so to whoever follows the thread there, and the thread is free again.
      const onSurvivor = await rpc(survivor);
      const ends = (await onSurvivor.request('event/query', {
        turn_id: turnId,
        kind: ['turn.completed', 'turn.failed'],
      })) as { result: { events: { kind: string; data: { status: string } }[] } };
      expect(ends.result.events).toMatchObject([{ kind: 'turn.failed', data: { status: 'interrupted' } }]);
      const [row] = await fleet.sql<{ status: string }>('SELECT status FROM threads WHERE id = $1', [
        threadId,
      ]);
      expect(row?.status).toBe('idle');

      // Running again and stopping, the stopped server's own end of the turn is dropped.
      stalled.server.child.kill('SIGCONT');
      await stalled.stop();
      expect(await statusOf()).toBe('interrupted');
      expect(stalled.server.stderr.some((line) => line.includes('its outcome here is dropped'))).toBe(true);
    } finally {
      await fleet.stop();
    }
  }, 120_000);
});
