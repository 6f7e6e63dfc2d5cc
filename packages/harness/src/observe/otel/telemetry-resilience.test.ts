import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Event } from '@harness/protocol';
import type { Logger } from '../../core/index.js';
import { SqliteStore } from '../../store/index.js';
import { EventLog } from '../event-log.js';
import { type OtelConfig, type Telemetry, startTelemetry } from './index.js';

// No receiver here: these tests are about a collector that is not there or does not answer.

let dir: string;
let store: SqliteStore;
let events: EventLog;
let telemetry: Telemetry | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'harness-otel-'));
  store = SqliteStore.open(dir);
  events = new EventLog(store, capturingLogger([]));
});

afterEach(async () => {
  await telemetry?.shutdown(500);
  telemetry = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(overrides: Partial<OtelConfig>): OtelConfig {
  return {
    exporter: 'otlp-http',
    environment: 'test',
    service_name: 'harness-test',
    log_user_prompt: false,
    ...overrides,
  };
}

async function waitFor(what: string, ready: () => boolean, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const usage = { input_tokens: 1, output_tokens: 1, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0 };

type Line = { level: string; message: string | undefined };

function capturingLogger(lines: Line[]): Logger {
  const at = (level: string) => (_fields: object, message?: string) => void lines.push({ level, message });
  const logger: Logger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/** 1000 appends of turn events, as a busy server would make them. */
async function appendTurns(log: EventLog, from: number): Promise<void> {
  for (let i = from; i < from + 250; i++) {
    const turn = { thread_id: 'thr_load', turn_id: `turn_load_${i}` };
    await log.append({ ...turn, kind: 'turn.started', data: { agent: 'claude' } });
    await log.append({
      ...turn,
      kind: 'agent.tool_call',
      data: { call_id: `c${i}`, name: 'Bash', input: {} },
    });
    await log.append({
      ...turn,
      kind: 'agent.command',
      data: { call_id: `c${i}`, command: 'ls', exit_code: 0, status: 'completed' },
    });
    await log.append({
      ...turn,
      kind: 'turn.completed',
      data: { status: 'completed', usage, error: null },
    });
  }
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether `promise` settled before the safety-net deadline (a hang fails the test, not the run). */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return Promise.race([
    promise.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), ms)),
  ]);
}

describe('an unreachable collector', () => {
  it.each(['otlp-http', 'otlp-grpc'] as const)(
    'over %s: appends all go through and shutdown keeps its deadline',
    async (exporter) => {
      const lines: Line[] = [];
      const cfg = config({ exporter, endpoint: `http://127.0.0.1:${await closedPort()}` });
      telemetry = await startTelemetry({ config: cfg, events, logger: capturingLogger(lines), version: '1' });
      const seen: Event[] = [];
      events.onAppend((event) => seen.push(event));

      await appendTurns(events, 0);
      expect(seen).toHaveLength(1000);
      expect(seen.every((event, i) => i === 0 || event.seq > (seen[i - 1]?.seq ?? 0))).toBe(true);

      await waitFor('a warning about the collector', () => lines.some((l) => l.level === 'warn'));
      expect(await settlesWithin(telemetry.shutdown(1_000), 10_000)).toBe(true);
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    },
  );

  it('that accepts connections and never answers does not hold up appends or shutdown', async () => {
    const sockets: Socket[] = [];
    let received = 0;
    const blackhole: Server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (chunk) => (received += chunk.length));
    });
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    try {
      const lines: Line[] = [];
      const { port } = blackhole.address() as AddressInfo;
      const cfg = config({ endpoint: `http://127.0.0.1:${port}` });
      // A long export timeout keeps the first export hanging for the whole test.
      telemetry = await startTelemetry({
        config: cfg,
        events,
        logger: capturingLogger(lines),
        version: '1',
        exportTimeoutMs: 120_000,
      });
      await appendTurns(events, 0);
      void telemetry.flush(10); // never rejects; the test watches the export it starts
      await waitFor('an export in flight', () => received > 0);

      const seen: Event[] = [];
      events.onAppend((event) => seen.push(event));
      await appendTurns(events, 250);
      expect(seen).toHaveLength(1000);
      // The export sent before these appends is still unanswered: they did not wait for it.
      expect(lines.filter((l) => l.message?.includes('export failed'))).toEqual([]);
      expect(await settlesWithin(telemetry.shutdown(500), 10_000)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });
});

describe('no endpoint configured', () => {
  it.each(['otlp-http', 'otlp-grpc'] as const)(
    'over %s: starts no exporter and logs nothing',
    async (exporter) => {
      const lines: Line[] = [];
      telemetry = await startTelemetry({
        config: config({ exporter }),
        events,
        logger: capturingLogger(lines),
        version: '1',
      });
      expect(telemetry.enabled).toBe(false);
      expect(telemetry.endpoint).toBeNull();
      await appendTurns(events, 0);
      await telemetry.flush(100);
      expect(lines).toEqual([]);
    },
  );
});
