import { SpanStatusCode } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Event } from '@harness/protocol';
import { EventHandler } from './event-handler.js';
import { HarnessMetrics } from './metrics.js';

// The mapping on the real SDK, with its own in-memory exporters, for the event orders that the
// receiver tests do not script: each agent adapter closes tool calls in its own way.

let spans: InMemorySpanExporter;
let metrics: InMemoryMetricExporter;
let reader: PeriodicExportingMetricReader;
let handler: EventHandler;
let seq = 0;

beforeEach(() => {
  spans = new InMemorySpanExporter();
  metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 });
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('t');
  const meter = new MeterProvider({ readers: [reader] }).getMeter('t');
  handler = new EventHandler({
    tracer,
    metrics: new HarnessMetrics(meter),
    logUserPrompt: false,
    maxOpenSpans: 100,
  });
});

const t0 = Date.parse('2026-11-20T10:00:00.000Z');
const turn = { thread_id: 'thr', turn_id: 'turn' };

function send(seconds: number, kind: string, fields: Partial<Event> = {}): void {
  seq++;
  handler.handle({
    id: `evt_${seq}`,
    seq,
    ts: new Date(t0 + seconds * 1000).toISOString(),
    kind,
    thread_id: null,
    turn_id: null,
    task_id: null,
    session_id: null,
    tool: null,
    decision: null,
    reason: null,
    duration_ms: null,
    data: null,
    project: null,
    ...fields,
  });
}

const seconds = (span: ReadableSpan) =>
  [span.startTime, span.endTime].map(([s, ns]) => s + ns / 1e9 - t0 / 1000);
const named = (name: string) => spans.getFinishedSpans().filter((s) => s.name === name);

async function counter(name: string): Promise<{ attributes: object; value: unknown }[]> {
  await reader.forceFlush();
  const all = metrics.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
  const last = all.filter((m) => m.descriptor.name === name).at(-1);
  return last?.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })) ?? [];
}

describe('tool spans', () => {
  it('end at the command when no tool_result follows (Codex), or at the turn end at the latest', () => {
    send(0, 'turn.started', { ...turn, data: { agent: 'codex' } });
    send(1, 'agent.tool_call', { ...turn, data: { call_id: 'a', name: 'command_execution', input: {} } });
    send(2, 'agent.command', {
      ...turn,
      data: { call_id: 'a', command: 'ls', exit_code: 0, status: 'completed' },
    });
    send(3, 'agent.text', { ...turn, data: { text: 'done' } });
    send(4, 'agent.tool_call', { ...turn, data: { call_id: 'b', name: 'command_execution', input: {} } });
    send(5, 'agent.command', {
      ...turn,
      data: { call_id: 'b', command: 'ls', exit_code: 2, status: 'failed' },
    });
    send(6, 'agent.tool_call', { ...turn, data: { call_id: 'c', name: 'command_execution', input: {} } });
    send(7, 'turn.completed', { ...turn, data: { status: 'completed', usage: null, error: null } });

    const tools = named('execute_tool command_execution');
    expect(tools.map(seconds)).toEqual([
      [1, 2],
      [4, 5],
      [6, 7],
    ]);
    expect(tools.map((s) => s.status.code)).toEqual([
      SpanStatusCode.UNSET,
      SpanStatusCode.ERROR,
      SpanStatusCode.UNSET,
    ]);
    expect(tools.map((s) => s.attributes['harness.span.ended_by'])).toEqual([
      undefined,
      undefined,
      'turn_end',
    ]);
    expect(tools[1]?.attributes['harness.command.exit_code']).toBe(2);
  });

  it('make one span of command then tool_result (the API tool loop), ending at the later', () => {
    send(0, 'turn.started', { ...turn, data: { agent: 'anthropic_api' } });
    send(1, 'agent.tool_call', { ...turn, data: { call_id: 'a', name: 'bash', input: { command: 'x' } } });
    send(2, 'agent.command', {
      ...turn,
      data: { call_id: 'a', command: 'x', exit_code: null, status: 'declined' },
    });
    send(3, 'agent.tool_result', { ...turn, data: { call_id: 'a', is_error: true, output: 'declined' } });
    send(4, 'turn.completed', { ...turn, data: { status: 'completed', usage: null, error: null } });

    const [tool, ...more] = named('execute_tool bash');
    expect(more).toEqual([]);
    expect(tool && seconds(tool)).toEqual([1, 3]);
    expect(tool?.status.code).toBe(SpanStatusCode.ERROR);
    expect(tool?.attributes).toMatchObject({
      'harness.command.status': 'declined',
      'harness.tool.is_error': true,
    });
    expect(tool?.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
  });

  it('give a command with no known call its own span, timed by its duration', () => {
    send(0, 'turn.started', { ...turn, data: { agent: 'codex' } });
    send(5, 'agent.command', {
      ...turn,
      duration_ms: 1500,
      data: { call_id: null, command: 'ls', status: 'completed' },
    });
    send(6, 'turn.completed', { ...turn, data: { status: 'completed', usage: null, error: null } });
    const [command] = named('execute_tool command');
    expect(command && seconds(command)).toEqual([3.5, 5]);
    const [parent] = named('invoke_agent codex');
    expect(command?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
  });
});

describe('turns and tasks', () => {
  it('start a turn seen only from its agent events at the first of them', () => {
    send(2, 'agent.turn_started', { ...turn, data: { model: 'gpt-5' } });
    send(4, 'turn.failed', { ...turn, data: { status: 'cancelled', usage: null, error: null } });
    const [span] = spans.getFinishedSpans();
    expect(span && seconds(span)).toEqual([2, 4]);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes['gen_ai.request.model']).toBe('gpt-5');
  });

  it('close only the named stage on an explicit exit, and count a cancelled task once', async () => {
    const task = { task_id: 'task' };
    send(0, 'task.queued', { ...task, data: { project: 'p' } });
    send(1, 'task.stage', { ...task, data: { stage: 'reviewing', entered: true } });
    send(2, 'task.stage', { ...task, data: { stage: 'fixing', entered: false } });
    expect(named('harness.stage reviewing')).toEqual([]);
    send(3, 'task.stage', { ...task, data: { stage: 'reviewing', entered: false } });
    expect(named('harness.stage reviewing').map(seconds)).toEqual([[1, 3]]);
    send(4, 'task.cancelled', { ...task, decision: 'block', data: { from: 'needs_input' } });
    send(5, 'task.finished', { ...task, data: { state: 'cancelled' } });

    expect(named('harness.task').map((s) => [seconds(s), s.attributes['harness.task.state']])).toEqual([
      [[0, 4], 'cancelled'],
    ]);
    expect(await counter('harness.tasks')).toEqual([
      { attributes: { 'harness.task.state': 'cancelled', 'harness.project': 'p' }, value: 1 },
    ]);
  });
});

describe('GC metrics', () => {
  it('count each gc.* step by project, add what a finished run spent, and span the run', async () => {
    send(0, 'gc.run_started', { data: { project: 'p', run_id: 'r' } });
    send(1, 'gc.draft_created', { data: { project: 'p', run_id: 'r', draft_id: 'd' } });
    send(2, 'gc.run_finished', { data: { project: 'p', run_id: 'r', run_spent_usd: 0.25 } });
    expect(await counter('harness.gc.steps')).toEqual([
      { attributes: { 'harness.gc.step': 'run_started', 'harness.project': 'p' }, value: 1 },
      { attributes: { 'harness.gc.step': 'draft_created', 'harness.project': 'p' }, value: 1 },
      { attributes: { 'harness.gc.step': 'run_finished', 'harness.project': 'p' }, value: 1 },
    ]);
    expect(await counter('harness.gc.cost_usd')).toEqual([
      { attributes: { 'harness.project': 'p' }, value: 0.25 },
    ]);
    const [run] = named('harness.gc.run');
    expect(run && seconds(run)).toEqual([0, 2]);
    expect(run?.attributes).toMatchObject({
      'harness.gc.run_id': 'r',
      'harness.project': 'p',
      'harness.cost_usd': 0.25,
    });
    expect(run?.events.map((e) => [e.name, e.attributes])).toEqual([
      ['gc.draft_created', { 'harness.gc.draft_id': 'd' }],
    ]);
    expect(named('harness.task')).toEqual([]);
  });
});
