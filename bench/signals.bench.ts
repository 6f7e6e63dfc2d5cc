/**
 * Signal detection over 1,000,000 stored events of one project, as time per event and as a ratio
 * to a plain scan (`SELECT *` of the same rows in seq order, each row read) measured in the same
 * run; then an incremental pass after 10,000 new events, against a plain scan of those. The rows
 * are a realistic mix (agent text and commands, gate decisions, file changes, findings, warnings,
 * validations, failed tasks), written directly with one prepared INSERT in one transaction.
 * `SIGNAL_BENCH_EVENTS` sets a smaller count for a quick look.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../packages/harness/src/core/index.js';
import { detectSignals } from '../packages/harness/src/quality/index.js';
import { SqliteStore, databaseFileName } from '../packages/harness/src/store/index.js';

const total = Number(process.env.SIGNAL_BENCH_EVENTS ?? 1_000_000);
const increment = 10_000;
const project = 'bench';
const dir = mkdtempSync(path.join(tmpdir(), 'harness-bench-signals-'));

/** A small deterministic generator: the same rows every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

type Row = [string, string | null, string | null, string | null, number | null, string | null];

/** kind, tool, decision, reason, duration_ms, data — in proportions an agent-heavy project shows. */
function rowMaker(random: () => number): () => Row {
  const pick = (n: number) => Math.floor(random() * n);
  return () => {
    const r = random();
    if (r < 0.35)
      return ['agent.text', null, null, null, null, JSON.stringify({ text: 'Looking at the parser…' })];
    if (r < 0.5) {
      const command = `npm run test -- --grep case${pick(200)}`;
      return [
        'agent.command',
        'command',
        null,
        null,
        200 + pick(9000),
        JSON.stringify({ command, exit_code: pick(2) }),
      ];
    }
    if (r < 0.65) {
      const forbidden = random() < 0.05;
      const reason = forbidden
        ? `forbidden: \`rm -rf build${pick(9)}\` matches prefix_rule \`rm -rf\` (policy.star:${3 + pick(3)}): no deletes`
        : 'allow: `git status` matches prefix_rule `git status` (policy.star:9)';
      return [
        'agent.command_gate',
        'command',
        forbidden ? 'forbidden' : 'allow',
        reason,
        null,
        JSON.stringify({ command: 'x' }),
      ];
    }
    if (r < 0.75)
      return [
        'agent.file_change',
        null,
        null,
        null,
        null,
        JSON.stringify({
          path: `/data/worktrees/bench/tsk_${pick(999)}/src/m${pick(500)}.ts`,
          kind: 'update',
        }),
      ];
    if (r < 0.83) {
      const rule = `R-${pick(30)}`;
      const decision = ['block', 'warn', 'pass'][pick(3)] as string;
      return [
        'rule.finding',
        rule,
        decision,
        'finding',
        null,
        JSON.stringify({ rule_id: rule, file: `src/m${pick(500)}.ts`, line: pick(400) }),
      ];
    }
    if (r < 0.9)
      return [
        'hook.pre_tool_use',
        'Edit',
        random() < 0.3 ? 'warn' : 'pass',
        `warning ${pick(50)}`,
        null,
        null,
      ];
    if (r < 0.95)
      return [
        'turn.completed',
        null,
        'complete',
        null,
        1000 + pick(60_000),
        JSON.stringify({ status: 'completed' }),
      ];
    if (r < 0.98) {
      const passed = random() < 0.7;
      const commands = [
        { command: `npm run lint${pick(3)}`, passed, exit_code: passed ? 0 : 1, timed_out: false },
      ];
      return [
        'task.validation',
        null,
        passed ? 'pass' : 'block',
        null,
        null,
        JSON.stringify({ attempt: 1, passed, commands }),
      ];
    }
    const error = { code: ['validation_failed', 'turn_failed', 'no_changes'][pick(3)], message: 'm' };
    return ['task.finished', null, 'block', 'failed', null, JSON.stringify({ state: 'failed', error })];
  };
}

function insertRows(file: string, from: number, count: number, random: () => number): void {
  const db = new Database(file);
  const insert = db.prepare(
    `INSERT INTO events (id, ts, kind, tool, decision, reason, duration_ms, data, project, task_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const next = rowMaker(random);
  const start = Date.parse('2026-06-01T00:00:00Z');
  db.transaction(() => {
    for (let i = from; i < from + count; i++) {
      const [kind, tool, decision, reason, duration, data] = next();
      const ts = new Date(start + i * 1000).toISOString();
      insert.run(`evt_${i}`, ts, kind, tool, decision, reason, duration, data, project, `tsk_${i % 997}`);
    }
  })();
  db.close();
}

/** The peer: every row of the project after `afterSeq`, read in seq order and touched. */
function plainScan(file: string, afterSeq: number): { ms: number; rows: number } {
  const db = new Database(file, { readonly: true });
  const start = performance.now();
  let rows = 0;
  let bytes = 0;
  for (const row of db
    .prepare('SELECT * FROM events WHERE project = ? AND seq > ? ORDER BY seq')
    .iterate(project, afterSeq) as Iterable<{ data: string | null }>) {
    rows++;
    bytes += row.data?.length ?? 0;
  }
  const ms = performance.now() - start;
  db.close();
  if (bytes < 0) throw new Error('unreachable');
  return { ms, rows };
}

const perEvent = (ms: number, n: number) => `${((ms * 1e6) / n / 1000).toFixed(2)} µs/event`;

async function main(): Promise<void> {
  const { config } = loadConfig({ env: {}, home: dir });
  const thresholds = config.gc.signal_thresholds;
  const clock = { now: () => new Date('2026-12-01T00:00:00Z') };
  const store = SqliteStore.open(dir);
  const file = path.join(dir, databaseFileName);
  const random = prng(42);
  let start = performance.now();
  insertRows(file, 0, total, random);
  process.stdout.write(`wrote ${total} events in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);

  const scan = plainScan(file, 0);
  start = performance.now();
  const signals = await detectSignals(store, project, thresholds, clock);
  const full = performance.now() - start;
  process.stdout.write(
    `plain scan:        ${scan.rows} rows in ${scan.ms.toFixed(0)} ms (${perEvent(scan.ms, scan.rows)})\n` +
      `detection (full):  ${signals.length} signals in ${full.toFixed(0)} ms (${perEvent(full, total)}), ` +
      `${(full / scan.ms).toFixed(2)}× the plain scan\n`,
  );

  const checkpoint = (await store.signals.checkpoint(project))?.last_seq ?? 0;
  insertRows(file, total, increment, random);
  const newScan = plainScan(file, checkpoint);
  start = performance.now();
  await detectSignals(store, project, thresholds, clock);
  const incremental = performance.now() - start;
  process.stdout.write(
    `plain scan of the ${newScan.rows} new rows: ${newScan.ms.toFixed(1)} ms\n` +
      `detection (incremental, ${increment} new events): ${incremental.toFixed(0)} ms ` +
      `(${perEvent(incremental, increment)}), ${(incremental / newScan.ms).toFixed(2)}× the plain scan of them, ` +
      `${((incremental / full) * 100).toFixed(1)}% of the full pass\n`,
  );
  await store.close();
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
