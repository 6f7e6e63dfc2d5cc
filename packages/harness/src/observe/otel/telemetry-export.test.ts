import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/index.js';
import { SqliteStore } from '../../store/index.js';
import { EventLog, type EventInput } from '../event-log.js';
import { type OtelConfig, type Telemetry, startTelemetry } from './index.js';

// mockotlpserver is CommonJS without type declarations: describe the part these tests use.
interface Attributes {
  [key: string]: unknown;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: Attributes;
  events?: { name: string; attributes?: Attributes }[];
  status?: { code?: string | number; message?: string };
}
interface TraceRequest {
  resourceSpans: { resource: { attributes: Attributes }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}
interface DataPoint {
  attributes?: Attributes;
  asInt?: unknown;
  asDouble?: unknown;
  count?: unknown;
  sum?: unknown;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: DataPoint[] };
  histogram?: { dataPoints: DataPoint[] };
}
interface MetricsRequest {
  resourceMetrics: { resource: { attributes: Attributes }; scopeMetrics: { metrics: OtlpMetric[] }[] }[];
}
interface MockServer {
  start(): Promise<void>;
  close(): Promise<void>;
  httpUrl: URL;
  grpcUrl: URL;
}
const mock = createRequire(import.meta.url)('@elastic/mockotlpserver') as {
  MockOtlpServer: new (options: object) => MockServer;
  normalizeTrace(raw: unknown): TraceRequest;
  normalizeMetrics(raw: unknown): MetricsRequest;
};

const traces: TraceRequest[] = [];
const metricRequests: MetricsRequest[] = [];
let receiver: MockServer;
let dir: string;
let store: SqliteStore;
let events: EventLog;
let telemetry: Telemetry | null = null;
let serviceCount = 0;
const grpcServices = new Set<string>();

beforeAll(async () => {
  receiver = new mock.MockOtlpServer({
    logLevel: 'warn',
    services: ['http', 'grpc'],
    httpHostname: '127.0.0.1',
    grpcHostname: '127.0.0.1',
    httpPort: 0,
    grpcPort: 0,
    onTrace: (raw: unknown) => traces.push(mock.normalizeTrace(raw)),
    onMetrics: (raw: unknown) => metricRequests.push(mock.normalizeMetrics(raw)),
  });
  await receiver.start();
});

afterAll(async () => {
  await receiver.close();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'harness-otel-'));
  store = SqliteStore.open(dir);
  events = new EventLog(store, silentLogger);
});

afterEach(async () => {
  await telemetry?.shutdown(2_000);
  telemetry = null;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Each test exports under its own service name, so nothing a previous test sent can confuse it. */
function config(overrides: Partial<OtelConfig>): OtelConfig {
  serviceCount++;
  const cfg: OtelConfig = {
    exporter: 'otlp-http',
    environment: 'test',
    service_name: `harness-test-${serviceCount}`,
    log_user_prompt: false,
    ...overrides,
  };
  if (cfg.exporter === 'otlp-grpc') grpcServices.add(cfg.service_name);
  return cfg;
}

const endpoints = {
  'otlp-http': () => receiver.httpUrl.href,
  'otlp-grpc': () => receiver.grpcUrl.href,
} as const;

const t0 = Date.parse('2026-11-20T10:00:00.000Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
const nanos = (seconds: number) => String(BigInt(t0 + seconds * 1000) * 1_000_000n);

/** What the pipeline and the turn service record for one task, in the shapes they use. */
async function scriptTaskRun(log: EventLog): Promise<void> {
  const task = { task_id: 'task_1' };
  const turn = { thread_id: 'thr_1', turn_id: 'turn_1', task_id: 'task_1' };
  const command = 'deploy --token hunter2-secret-command';
  const steps: [number, EventInput][] = [
    [0, { ...task, kind: 'task.queued', data: { project: 'demo', priority: 1 } }],
    [1, { ...task, kind: 'task.stage', data: { stage: 'implementing', entered: true } }],
    // The turn service writes turn.started without the task id.
    [2, { thread_id: 'thr_1', turn_id: 'turn_1', kind: 'turn.started', data: { agent: 'claude' } }],
    [2.5, { ...turn, kind: 'agent.turn_started', data: { model: 'claude-sonnet-4-5', session_id: null } }],
    [3, { ...turn, kind: 'agent.tool_call', data: { call_id: 'c1', name: 'Bash', input: { command } } }],
    [
      3.5,
      {
        ...turn,
        kind: 'agent.command_gate',
        tool: 'command',
        decision: 'allow',
        data: { command, decision: 'allow', reason: null },
      },
    ],
    [4, { ...turn, kind: 'agent.tool_result', data: { call_id: 'c1', is_error: false, output: 'ok' } }],
    [
      4,
      {
        ...turn,
        kind: 'agent.command',
        tool: 'command',
        data: { call_id: 'c1', command, exit_code: 0, output: 'ok', status: 'completed' },
      },
    ],
    [5, { ...turn, kind: 'agent.usage', data: { usage: usage(100, 20, 5, 0.01), total_cost_usd: 0.01 } }],
    [
      6,
      {
        ...turn,
        kind: 'agent.command_gate',
        tool: 'command',
        decision: 'forbidden',
        data: { command: 'rm -rf /', decision: 'forbidden', reason: 'destructive' },
      },
    ],
    [7, { ...turn, kind: 'agent.usage', data: { usage: usage(50, 10, 0, 0.005), total_cost_usd: 0.015 } }],
    [
      8,
      {
        ...turn,
        kind: 'turn.completed',
        decision: 'complete',
        data: { status: 'completed', usage: usage(150, 30, 5, 0.015), error: null },
      },
    ],
    [9, { ...task, kind: 'task.stage', data: { stage: 'validating', entered: true } }],
    [10, { ...task, kind: 'task.validation', data: { passed: true, commands: ['npm test'] } }],
    [
      11,
      {
        ...task,
        kind: 'task.guards',
        decision: 'pass',
        data: { round: 1, scanned: true, new: 1, preexisting: 2, blocking: 0 },
      },
    ],
    [12, { ...task, kind: 'task.finished', data: { state: 'done', score: 92, grade: 'A', cost_usd: 0.015 } }],
    // A failed turn outside any task, and a task that fails.
    [20, { thread_id: 'thr_2', turn_id: 'turn_2', kind: 'turn.started', data: { agent: 'codex' } }],
    [
      23,
      {
        thread_id: 'thr_2',
        turn_id: 'turn_2',
        kind: 'turn.failed',
        data: { status: 'failed', usage: null, error: { code: 'crashed', message: 'agent exited with 1' } },
      },
    ],
    [30, { task_id: 'task_2', kind: 'task.queued', data: { project: 'demo', priority: 0 } }],
    [31, { task_id: 'task_2', kind: 'task.stage', data: { stage: 'implementing', entered: true } }],
    [
      35,
      {
        task_id: 'task_2',
        kind: 'task.finished',
        data: { state: 'failed', error: 'validation kept failing' },
      },
    ],
  ];
  for (const [seconds, input] of steps) await log.append({ ...input, ts: at(seconds) });
}

function usage(input: number, output: number, cacheRead: number, cost: number) {
  return {
    input_tokens: input,
    output_tokens: output,
    cache_read_tokens: cacheRead,
    cache_write_tokens: 0,
    cost_usd: cost,
  };
}

function spansOf(service: string): OtlpSpan[] {
  const spans = traces.flatMap((request) =>
    request.resourceSpans
      .filter((r) => r.resource.attributes['service.name'] === service)
      .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
  );
  return grpcServices.has(service) ? spans.map(intsFromGrpc) : spans;
}

/** normalizeTrace renders OTLP/gRPC's 64-bit int attributes as decimal strings; OTLP/JSON as numbers. */
function intsFromGrpc(span: OtlpSpan): OtlpSpan {
  const attributes = Object.fromEntries(
    Object.entries(span.attributes ?? {}).map(([k, v]) => [
      k,
      typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v,
    ]),
  );
  return { ...span, attributes };
}

/** Cumulative temporality: the last report of a metric holds its totals. */
function metricOf(service: string, name: string): OtlpMetric | undefined {
  let last: OtlpMetric | undefined;
  for (const request of metricRequests)
    for (const r of request.resourceMetrics)
      if (r.resource.attributes['service.name'] === service)
        for (const scope of r.scopeMetrics) last = scope.metrics.find((m) => m.name === name) ?? last;
  return last;
}

/** OTLP/gRPC delivers 64-bit integers as Long objects. */
function numberOf(value: unknown): number {
  if (typeof value === 'object' && value !== null && 'low' in value && 'high' in value) {
    const long = value as { low: number; high: number };
    return (long.low >>> 0) + long.high * 2 ** 32;
  }
  return Number(value);
}

function pointValue(service: string, name: string, attributes: Attributes): number | undefined {
  const metric = metricOf(service, name);
  const points = metric?.sum?.dataPoints ?? [];
  const point = points.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes?.[k] === v));
  return point ? numberOf(point.asInt ?? point.asDouble) : undefined;
}

const statusOf = (span: OtlpSpan) => String(span.status?.code ?? 'STATUS_CODE_UNSET');

async function waitFor(what: string, ready: () => boolean, deadlineMs = 15_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(['otlp-http', 'otlp-grpc'] as const)('export over %s to a real OTLP receiver', (exporter) => {
  it('sends task, stage, turn and tool spans with their structure, GenAI attributes and statuses', async () => {
    const cfg = config({ exporter, endpoint: endpoints[exporter]() });
    telemetry = await startTelemetry({ config: cfg, events, logger: silentLogger, version: '9.9.9' });
    await scriptTaskRun(events);
    await telemetry.flush();
    await waitFor('7 spans', () => spansOf(cfg.service_name).length >= 7);

    const spans = spansOf(cfg.service_name);
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'execute_tool Bash',
        'harness.stage implementing',
        'harness.stage implementing',
        'harness.stage validating',
        'harness.task',
        'harness.task',
        'invoke_agent claude',
        'invoke_agent codex',
      ].sort(),
    );
    const [task] = named('harness.task').filter((s) => s.attributes?.['harness.task.id'] === 'task_1');
    const implementing = named('harness.stage implementing').find((s) => s.parentSpanId === task?.spanId);
    const [validating] = named('harness.stage validating');
    const [turn] = named('invoke_agent claude');
    const [tool] = named('execute_tool Bash');
    expect(task && implementing && validating && turn && tool).toBeTruthy();
    if (!task || !implementing || !validating || !turn || !tool) return;

    // One trace per task: task → stage → turn → tool.
    expect(task.parentSpanId || undefined).toBeUndefined();
    expect(validating.parentSpanId).toBe(task.spanId);
    expect(turn.parentSpanId).toBe(implementing.spanId);
    expect(tool.parentSpanId).toBe(turn.spanId);
    expect(new Set([task, implementing, validating, turn, tool].map((s) => s.traceId)).size).toBe(1);

    // Span times are the events' times.
    expect([task.startTimeUnixNano, task.endTimeUnixNano]).toEqual([nanos(0), nanos(12)]);
    expect([implementing.startTimeUnixNano, implementing.endTimeUnixNano]).toEqual([nanos(1), nanos(9)]);
    expect([turn.startTimeUnixNano, turn.endTimeUnixNano]).toEqual([nanos(2), nanos(8)]);
    expect([tool.startTimeUnixNano, tool.endTimeUnixNano]).toEqual([nanos(3), nanos(4)]);

    expect(task.attributes).toMatchObject({
      'harness.task.id': 'task_1',
      'harness.project': 'demo',
      'harness.task.state': 'done',
      'harness.task.score': 92,
      'harness.task.grade': 'A',
      'harness.cost_usd': 0.015,
    });
    expect(turn.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.system': 'anthropic',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.agent.name': 'claude',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.conversation.id': 'thr_1',
      'gen_ai.usage.input_tokens': 150,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.usage.cache_read.input_tokens': 5,
      'harness.task.id': 'task_1',
      'harness.project': 'demo',
      'harness.turn.status': 'completed',
      'harness.cost_usd': 0.015,
    });
    expect(turn.events?.map((e) => e.attributes?.['harness.policy.decision'])).toEqual([
      'allow',
      'forbidden',
    ]);
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'Bash',
      'gen_ai.tool.call.id': 'c1',
      'harness.command.exit_code': 0,
      'harness.command.status': 'completed',
    });
    expect(validating.events?.map((e) => [e.name, e.attributes?.passed])).toEqual([
      ['harness.validation', true],
      ['harness.guards', true],
    ]);
    // OTLP/gRPC renders 64-bit ints as decimal strings, OTLP/JSON as numbers.
    const guards = validating.events?.[1]?.attributes ?? {};
    expect(['new', 'preexisting', 'blocking'].map((key) => Number(guards[key]))).toEqual([1, 2, 0]);
    expect([task, implementing, validating, turn, tool].map(statusOf)).not.toContain('STATUS_CODE_ERROR');

    const [failedTurn] = named('invoke_agent codex');
    expect(failedTurn?.parentSpanId || undefined).toBeUndefined();
    expect(failedTurn && statusOf(failedTurn)).toBe('STATUS_CODE_ERROR');
    expect(failedTurn?.status?.message).toBe('turn failed: crashed');
    expect(failedTurn?.attributes?.['error.type']).toBe('crashed');
    const failedTask = named('harness.task').find((s) => s.attributes?.['harness.task.id'] === 'task_2');
    expect(failedTask && statusOf(failedTask)).toBe('STATUS_CODE_ERROR');
    expect(failedTask?.status?.message).toBe('task failed');

    const resource = traces
      .flatMap((r) => r.resourceSpans)
      .find((r) => r.resource.attributes['service.name'] === cfg.service_name);
    expect(resource?.resource.attributes).toMatchObject({
      'service.version': '9.9.9',
      'deployment.environment.name': 'test',
    });
  });

  it('sends task, turn, token, cost and policy metrics with the right values', async () => {
    const cfg = config({ exporter, endpoint: endpoints[exporter]() });
    telemetry = await startTelemetry({ config: cfg, events, logger: silentLogger, version: '1.0.0' });
    await scriptTaskRun(events);
    await telemetry.flush();
    const name = cfg.service_name;
    await waitFor('metrics', () => metricOf(name, 'harness.tasks') !== undefined);

    expect(
      pointValue(name, 'harness.tasks', { 'harness.task.state': 'done', 'harness.project': 'demo' }),
    ).toBe(1);
    expect(
      pointValue(name, 'harness.tasks', { 'harness.task.state': 'failed', 'harness.project': 'demo' }),
    ).toBe(1);
    expect(
      pointValue(name, 'harness.turns', { 'harness.turn.status': 'completed', 'harness.agent': 'claude' }),
    ).toBe(1);
    expect(
      pointValue(name, 'harness.turns', { 'harness.turn.status': 'failed', 'harness.agent': 'codex' }),
    ).toBe(1);
    expect(pointValue(name, 'harness.policy.decisions', { 'harness.policy.decision': 'allow' })).toBe(1);
    expect(pointValue(name, 'harness.policy.decisions', { 'harness.policy.decision': 'forbidden' })).toBe(1);
    // Streamed deltas and the final total are counted once.
    expect(
      pointValue(name, 'harness.tokens', { 'gen_ai.token.type': 'input', 'harness.agent': 'claude' }),
    ).toBe(150);
    expect(
      pointValue(name, 'harness.tokens', { 'gen_ai.token.type': 'output', 'harness.agent': 'claude' }),
    ).toBe(30);
    expect(
      pointValue(name, 'harness.tokens', { 'gen_ai.token.type': 'cache_read', 'harness.agent': 'claude' }),
    ).toBe(5);
    expect(pointValue(name, 'harness.cost_usd', { 'harness.agent': 'claude' })).toBeCloseTo(0.015, 10);

    const taskDuration = metricOf(name, 'harness.task.duration');
    expect(taskDuration?.unit).toBe('s');
    const done = taskDuration?.histogram?.dataPoints.find(
      (p) => p.attributes?.['harness.task.state'] === 'done',
    );
    expect(done && [numberOf(done.count), numberOf(done.sum)]).toEqual([1, 12]);
    const turnDuration = metricOf(name, 'harness.turn.duration')?.histogram?.dataPoints;
    const claude = turnDuration?.find((p) => p.attributes?.['harness.agent'] === 'claude');
    expect(claude && [numberOf(claude.count), numberOf(claude.sum)]).toEqual([1, 6]);
  });
});

describe('what the spans may contain', () => {
  it('keeps command text out unless log_user_prompt is set', async () => {
    const quiet = config({ endpoint: receiver.httpUrl.href });
    telemetry = await startTelemetry({ config: quiet, events, logger: silentLogger, version: '1' });
    await scriptTaskRun(events);
    await telemetry.shutdown(5_000);
    await waitFor('spans', () => spansOf(quiet.service_name).length >= 7);
    const sent = JSON.stringify([spansOf(quiet.service_name), metricRequests]);
    expect(sent).not.toContain('hunter2');
    expect(sent).not.toContain('rm -rf');
    // Error messages quote commands and agent output, so they count as prompt text.
    expect(sent).not.toContain('agent exited');
    expect(sent).not.toContain('validation kept failing');

    const verbose = config({ endpoint: receiver.httpUrl.href, log_user_prompt: true });
    telemetry = await startTelemetry({ config: verbose, events, logger: silentLogger, version: '1' });
    await scriptTaskRun(events);
    await telemetry.flush();
    await waitFor('spans', () => spansOf(verbose.service_name).length >= 7);
    const tool = spansOf(verbose.service_name).find((s) => s.name === 'execute_tool Bash');
    expect(tool?.attributes?.['harness.command']).toBe('deploy --token hunter2-secret-command');
    const messages = spansOf(verbose.service_name).map((s) => s.status?.message);
    expect(messages).toContain('agent exited with 1');
    expect(messages).toContain('validation kept failing');
  });
});

describe('bounded and complete', () => {
  it('ends spans still open at shutdown, and the oldest when too many are open, saying why', async () => {
    const cfg = config({ endpoint: receiver.httpUrl.href });
    telemetry = await startTelemetry({
      config: cfg,
      events,
      logger: silentLogger,
      version: '1',
      maxOpenSpans: 3,
    });
    for (let i = 1; i <= 4; i++)
      await events.append({
        task_id: `task_${i}`,
        kind: 'task.queued',
        ts: at(i),
        data: { project: 'demo' },
      });
    await telemetry.shutdown(5_000);
    await waitFor('4 task spans', () => spansOf(cfg.service_name).length >= 4);
    const endedBy = Object.fromEntries(
      spansOf(cfg.service_name).map((s) => [
        s.attributes?.['harness.task.id'],
        s.attributes?.['harness.span.ended_by'],
      ]),
    );
    expect(endedBy).toEqual({
      task_1: 'evicted',
      task_2: 'shutdown',
      task_3: 'shutdown',
      task_4: 'shutdown',
    });
  });
});
