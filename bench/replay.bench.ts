/**
 * Replay of a draft policy rule over the stored history: 100,000 agent command events (gate
 * decisions and the commands that ran, as turn-service writes them) of one project in a real
 * SQLite store (in memory, so seeding is quick), every command checked again under the project's
 * policy with and without the draft. Printed as time per event and as a ratio to a plain paged
 * scan of the same rows (same query, same pages, no checking) measured in the same run: what
 * re-deciding the past costs over reading it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeRepo } from '@harness/testkit';
import { newTask, type Draft } from '@harness/protocol';
import { replayDraft } from '../packages/harness/src/quality/index.js';
import { SqliteStore } from '../packages/harness/src/store/index.js';

const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const dir = mkdtempSync(path.join(tmpdir(), 'harness-bench-replay-'));

const commands = (i: number): string => {
  const n = i % 5000;
  switch (i % 6) {
    case 0:
      return `git push origin feature-${n}`;
    case 1:
      return `npm test -- --grep case${n}`;
    case 2:
      return `curl -s https://example.com/api/${n} | jq .items`;
    case 3:
      return `rg -n "TODO ${n}" src && ls -la src/${n}`;
    case 4:
      return `bash -c "make build-${n} && ./dist/run --seed ${n}"`;
    default:
      return `git status --short`;
  }
};

async function seed(store: SqliteStore): Promise<void> {
  const at = Date.parse('2026-01-01T00:00:00Z');
  await store.tasks.enqueue(
    newTask({ id: 'task_bench', project: 'bench', kind: 'prompt', created_at: new Date(at).toISOString() }),
    10,
  );
  for (let i = 0; i < EVENTS; i += 2) {
    const command = commands(i / 2);
    const turn = `turn_${Math.floor(i / 40)}`;
    const base = { thread_id: 'thr_bench', turn_id: turn, task_id: 'task_bench', tool: 'command' };
    await store.events.append({
      ...base,
      id: `evt_g${i}`,
      ts: new Date(at + i * 1000).toISOString(),
      kind: 'agent.command_gate',
      decision: 'allow',
      data: { command, decision: 'allow', reason: null },
    });
    await store.events.append({
      ...base,
      id: `evt_c${i}`,
      ts: new Date(at + i * 1000 + 500).toISOString(),
      kind: 'agent.command',
      data: { call_id: `call_${i}`, command, exit_code: 0, output: 'ok', status: 'completed' },
    });
  }
}

/** The floor: the same pages of the same rows, read and dropped. */
async function plainScan(store: SqliteStore): Promise<number> {
  let after = 0;
  let rows = 0;
  for (;;) {
    const page = await store.events.query({
      kinds: ['agent.command_gate', 'agent.command'],
      after_seq: after,
      limit: 2000,
      order: 'asc',
    });
    rows += page.length;
    if (page.length < 2000) return rows;
    after = page.at(-1)?.seq ?? after;
  }
}

function draft(): Draft {
  const at = '2026-02-01T00:00:00.000Z';
  return {
    id: 'draft_bench',
    project: 'bench',
    status: 'pending',
    signal: {
      id: 'sig_bench',
      project: 'bench',
      type: 'policy_denials',
      key: 'git push',
      strength: 1,
      threshold: 1,
      remediation: 'policy_rule',
      summary: 'bench',
      details: {},
      evidence: { event_ids: [], event_count: 0, files: [], task_ids: [], first_seen: null, last_seen: null },
      detected_at: at,
    },
    artifacts: [
      {
        path: '.harness/policy/draft.star',
        kind: 'policy_rule',
        format: 'file',
        content:
          'prefix_rule(pattern = ["git", "push"], decision = "forbidden")\nprefix_rule(pattern = ["curl"], decision = "prompt")\n',
      },
    ],
    rationale: 'bench',
    agent: 'bench',
    model: null,
    cost_usd: 0,
    replay: null,
    created_at: at,
    expires_at: at,
    decided_at: null,
    decided_by: null,
    reject_reason: null,
    task_id: null,
  };
}

async function main(): Promise<void> {
  const root = makeRepo(path.join(dir, 'bench'), {
    'README.md': 'bench\n',
    '.harness/policy/base.star': 'prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden")\n',
  });
  // In memory: seeding 100k rows one durable append at a time would take minutes; reads are alike.
  const store = SqliteStore.open(':memory:');
  await seed(store);
  const scans: number[] = [];
  const replays: number[] = [];
  let blocked = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    let start = performance.now();
    const rows = await plainScan(store);
    const scanMs = performance.now() - start;
    start = performance.now();
    const report = await replayDraft(draft(), { root, store });
    const replayMs = performance.now() - start;
    if (rows !== EVENTS || report.history.commands_checked !== EVENTS / 2)
      throw new Error(`replay read ${report.history.commands_checked} commands of ${rows} rows`);
    blocked = report.history.commands_blocked;
    // The first round warms SQLite's page cache and the JIT.
    if (round > 0) {
      scans.push(scanMs);
      replays.push(replayMs);
    }
  }
  await store.close();
  const best = (xs: number[]) => Math.min(...xs);
  const perEvent = (ms: number) => `${((ms * 1e6) / EVENTS).toFixed(0)} ns/event`;
  console.log(`events: ${EVENTS} (${EVENTS / 2} commands, ${blocked} would have been stopped by the draft)`);
  console.log(`plain scan:    ${best(scans).toFixed(0)} ms  ${perEvent(best(scans))}`);
  console.log(`policy replay: ${best(replays).toFixed(0)} ms  ${perEvent(best(replays))}`);
  console.log(`ratio replay / plain scan: ${(best(replays) / best(scans)).toFixed(2)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
