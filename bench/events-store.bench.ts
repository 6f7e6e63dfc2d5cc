/**
 * The event log at a million events, SQLite against PostgreSQL: appending through the store, and
 * the queries the API and the dashboard make (a task's timeline, a kind over a time range, the
 * page after a seq, an aggregate over a day), each timed through `store.events`. PostgreSQL runs
 * durable (fsync, synchronous commit), as SQLite's `synchronous = FULL` is.
 *
 * Loading: `EventRepository` has no batch append, and one append is one durable commit (about
 * 2 ms on SQLite here), so a million of them would take most of an hour. The million are loaded
 * in batches of BATCH rows per transaction with plain SQL on each store's own file or database
 * (the same columns the store writes; SQLite: one prepared INSERT per row inside a transaction,
 * PostgreSQL: one INSERT … SELECT FROM unnest(arrays) per batch), and timed apart; what one
 * `append` through the store costs is measured on APPENDS more events on top of the million:
 * one after another, and (PostgreSQL, whose commits can overlap) CONCURRENT at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { startPostgres } from '@harness/testkit';
import { type EventFilter, PgStore, SqliteStore, type Store } from '../packages/harness/src/store/index.js';

const EVENTS = 1_000_000;
const BATCH = 20_000;
const APPENDS = 1_000;
const CONCURRENT = 16;
const REPEAT = 15;
const TASKS = 10_000;
const KINDS = [
  'turn.started',
  'tool.call',
  'policy.decision',
  'task.stage',
  'file.change',
  'turn.completed',
  'task.checkpoint',
  'task.finished',
];
const DECISIONS = ['pass', 'warn', 'block', null];
/** One event every 2.5 s: a million span about a month. */
const START = Date.parse('2026-01-01T00:00:00.000Z');
const STEP_MS = 2_500;

const dir = mkdtempSync(path.join(tmpdir(), 'harness-bench-events-'));
const tsOf = (i: number) => new Date(START + i * STEP_MS).toISOString();

/** Event i of the load, as columns in the store's order; each task's events spread over the month. */
function row(i: number): (string | number | null)[] {
  return [
    `ev-${i}`,
    tsOf(i),
    KINDS[i % KINDS.length]!,
    `thread-${i % TASKS}`,
    `turn-${Math.floor(i / 10)}`,
    `task-${i % TASKS}`,
    null,
    i % KINDS.length === 1 ? 'shell' : null,
    DECISIONS[i % DECISIONS.length]!,
    null,
    i % 1000,
    JSON.stringify({ n: i, note: 'an event of the benchmark, about the size of a real one' }),
    `project-${i % 3}`,
  ];
}
const columns =
  'id, ts, kind, thread_id, turn_id, task_id, session_id, tool, decision, reason, duration_ms, data, project';

function loadSqlite(file: string): number {
  const db = new Database(file);
  db.pragma('synchronous = FULL');
  const insert = db.prepare(`INSERT INTO events (${columns}) VALUES (${columns.replace(/(\w+)/g, '?')})`);
  const batch = db.transaction((from: number) => {
    for (let i = from; i < Math.min(from + BATCH, EVENTS); i++) insert.run(...row(i));
  });
  const start = performance.now();
  for (let from = 0; from < EVENTS; from += BATCH) batch(from);
  const ms = performance.now() - start;
  db.close();
  return ms;
}

async function loadPostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const types = [
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'text',
    'float8',
    'text',
    'text',
  ];
  const start = performance.now();
  for (let from = 0; from < EVENTS; from += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, k) => row(from + k));
    const arrays = types.map((_, c) => rows.map((r) => r[c]));
    await client.query(
      `INSERT INTO events (${columns}) SELECT * FROM unnest(${types.map((t, c) => `$${c + 1}::${t}[]`).join(', ')})`,
      arrays,
    );
  }
  const ms = performance.now() - start;
  // Autovacuum analyzes a table that grew this much soon after; the benchmark does not wait for it.
  await client.query('ANALYZE events');
  await client.end();
  return ms;
}

/** Appends through the store: one after another, then `parallel` at once. Mean µs per event. */
async function appendCost(store: Store, parallel: number): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < APPENDS; i = next++)
      await store.events.append({
        id: `api-${parallel}-${i}`,
        ts: tsOf(EVENTS + i),
        kind: 'task.stage',
        task_id: `task-${i % TASKS}`,
        decision: 'pass',
        data: { stage: 'implementing' },
      });
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return ((performance.now() - start) * 1000) / APPENDS;
}

const day = 86_400_000 / STEP_MS;
const queries: { name: string; run: (store: Store) => Promise<unknown> }[] = [
  {
    name: "a task's timeline (100 events)",
    run: (store) => store.events.query({ task_id: 'task-4242', limit: 1000, order: 'asc' }),
  },
  {
    name: 'one kind over a day, newest 1000',
    run: (store) =>
      store.events.query({
        kinds: ['task.stage'],
        since: tsOf(400_000),
        until: tsOf(400_000 + day),
        limit: 1000,
        order: 'desc',
      } satisfies EventFilter),
  },
  {
    name: 'the 1000 after a seq (a stream resuming)',
    run: (store) => store.events.query({ after_seq: 500_000, limit: 1000, order: 'asc' }),
  },
  {
    name: 'aggregate over a day',
    run: (store) => store.events.aggregate({ since: tsOf(600_000), until: tsOf(600_000 + day) }, 1000),
  },
];

/** Median ms of each query, after one untimed run (a cold cache is not what is compared). */
async function queryTimes(store: Store): Promise<number[]> {
  const medians: number[] = [];
  for (const query of queries) {
    await query.run(store);
    const times: number[] = [];
    for (let i = 0; i < REPEAT; i++) {
      const start = performance.now();
      await query.run(store);
      times.push(performance.now() - start);
    }
    medians.push(times.sort((a, b) => a - b)[Math.floor(REPEAT / 2)]!);
  }
  return medians;
}

async function main(): Promise<void> {
  const sqliteDir = path.join(dir, 'sqlite');
  // Opened first so its migrations create the schema the load writes into.
  await SqliteStore.open(sqliteDir).close();
  const sqliteLoad = loadSqlite(path.join(sqliteDir, 'harness.db'));
  const sqlite = SqliteStore.open(sqliteDir);
  const sqliteAppend = await appendCost(sqlite, 1);
  const sqliteQueries = await queryTimes(sqlite);
  await sqlite.close();

  const postgres = await startPostgres({ durable: true });
  try {
    const url = await postgres.createDatabase('events');
    await (await PgStore.open(url)).close();
    const pgLoad = await loadPostgres(url);
    const store = await PgStore.open(url, { poolSize: CONCURRENT });
    const pgAppend = await appendCost(store, 1);
    const pgAppendParallel = await appendCost(store, CONCURRENT);
    const pgQueries = await queryTimes(store);
    await store.close();

    const us = (ms: number) => `${((ms * 1000) / EVENTS).toFixed(1)} µs/event`;
    const ratio = (pgValue: number, sqliteValue: number) => `${(pgValue / sqliteValue).toFixed(2)}×`;
    console.log(`load ${EVENTS.toLocaleString('en')} events, ${BATCH} per transaction (plain SQL):`);
    console.log(`  SQLite ${(sqliteLoad / 1000).toFixed(1)} s (${us(sqliteLoad)})`);
    console.log(
      `  PostgreSQL ${(pgLoad / 1000).toFixed(1)} s (${us(pgLoad)}), ${ratio(pgLoad, sqliteLoad)} SQLite`,
    );
    console.log(`store.events.append on top of the million, ${APPENDS} events:`);
    console.log(`  SQLite, one at a time:          ${sqliteAppend.toFixed(0)} µs/event`);
    console.log(
      `  PostgreSQL, one at a time:      ${pgAppend.toFixed(0)} µs/event, ${ratio(pgAppend, sqliteAppend)} SQLite`,
    );
    console.log(
      `  PostgreSQL, ${CONCURRENT} at once:         ${pgAppendParallel.toFixed(0)} µs/event, ${ratio(pgAppendParallel, sqliteAppend)} SQLite`,
    );
    console.log(`store.events queries at a million events (median of ${REPEAT}):`);
    queries.forEach((query, i) => {
      const [s, p] = [sqliteQueries[i]!, pgQueries[i]!];
      console.log(
        `  ${query.name}: SQLite ${s.toFixed(2)} ms, PostgreSQL ${p.toFixed(2)} ms, ${ratio(p, s)} SQLite`,
      );
    });
  } finally {
    await postgres.stop();
  }
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
