import {
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Event } from '@harness/protocol';
import { ErrorType, Harness } from './attributes.js';
import { clip, dataOf, errorOf, num, str, timeOf } from './event-data.js';
import { type EntryTable, type TaskEntry, entryOf, keys, takeOf } from './entries.js';
import type { HarnessMetrics } from './metrics.js';

/** Remembered so a `task.finished` that follows a `task.cancelled` is not counted twice. */
const cancelledMemory = 1000;

/**
 * A span per task (queued → end state) with a child span per pipeline stage; validation results,
 * guard scans and review rounds become span events on the stage they happened in.
 */
export class TaskSpans {
  private readonly cancelled = new Set<string>();

  constructor(
    private readonly tracer: Tracer,
    private readonly table: EntryTable,
    private readonly metrics: HarnessMetrics,
    private readonly logUserPrompt: boolean,
  ) {}

  handle(event: Event): void {
    const taskId = event.task_id;
    if (taskId === null) return;
    switch (event.kind) {
      case 'task.queued':
        this.open(event, taskId, false);
        return;
      case 'task.recovered':
        this.ensure(event, taskId).span.addEvent(
          'harness.task.recovered',
          { from: str(dataOf(event), 'from') ?? 'unknown' },
          timeOf(event),
        );
        return;
      case 'task.stage':
        this.stage(event, taskId);
        return;
      case 'task.validation':
      case 'task.guards':
      case 'task.review':
        this.annotate(event, taskId);
        return;
      case 'task.finished':
        this.finish(event, taskId, str(dataOf(event), 'state') ?? 'unknown');
        return;
      case 'task.cancelled':
        this.finish(event, taskId, 'cancelled');
        return;
      default:
        return;
    }
  }

  /** The context a turn of this task starts under: its current stage, else the task itself. */
  parentOf(taskId: string | null): Context {
    if (taskId === null) return ROOT_CONTEXT;
    const parent =
      entryOf(this.table, keys.stage(taskId), 'stage')?.span ??
      entryOf(this.table, keys.task(taskId), 'task')?.span;
    return parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
  }

  projectOf(taskId: string | null): string | undefined {
    return taskId === null ? undefined : entryOf(this.table, keys.task(taskId), 'task')?.project;
  }

  private open(event: Event, taskId: string, resumed: boolean): TaskEntry {
    const data = dataOf(event);
    const project = str(data, 'project');
    const startMs = timeOf(event);
    const span = this.tracer.startSpan(
      'harness.task',
      {
        kind: SpanKind.INTERNAL,
        startTime: startMs,
        attributes: {
          [Harness.taskId]: taskId,
          ...(project === undefined ? {} : { [Harness.project]: project }),
          ...(num(data, 'priority') === undefined ? {} : { [Harness.taskPriority]: num(data, 'priority') }),
          ...(resumed ? { [Harness.taskResumed]: true } : {}),
        },
      },
      ROOT_CONTEXT,
    );
    const entry: TaskEntry = { kind: 'task', span, startMs, project, resumed };
    this.table.add(keys.task(taskId), entry, startMs);
    return entry;
  }

  /** Events of a task whose span we never opened (started before this process) open one now. */
  private ensure(event: Event, taskId: string): TaskEntry {
    return entryOf(this.table, keys.task(taskId), 'task') ?? this.open(event, taskId, true);
  }

  private stage(event: Event, taskId: string): void {
    const data = dataOf(event);
    const stage = clip(str(data, 'stage') ?? 'unknown', 64);
    const nowMs = timeOf(event);
    const task = this.ensure(event, taskId);
    const current = entryOf(this.table, keys.stage(taskId), 'stage');
    const entered = data.entered !== false;
    // An explicit "left stage X" only closes X; a new stage always closes whatever came before.
    if (current && (entered || current.stage === stage)) {
      this.table.take(keys.stage(taskId));
      current.span.end(Math.max(nowMs, current.startMs));
    }
    if (!entered) return;
    const span = this.tracer.startSpan(
      `harness.stage ${stage}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: nowMs,
        attributes: { [Harness.taskId]: taskId, [Harness.stage]: stage },
      },
      trace.setSpan(ROOT_CONTEXT, task.span),
    );
    this.table.add(keys.stage(taskId), { kind: 'stage', span, startMs: nowMs, stage }, nowMs);
  }

  private annotate(event: Event, taskId: string): void {
    const data = dataOf(event);
    const target = entryOf(this.table, keys.stage(taskId), 'stage')?.span ?? this.ensure(event, taskId).span;
    if (event.kind === 'task.validation') {
      const passed = data.passed === true;
      const commands = Array.isArray(data.commands) ? data.commands.length : undefined;
      target.addEvent(
        'harness.validation',
        { passed, ...(commands === undefined ? {} : { commands }) },
        timeOf(event),
      );
    } else if (event.kind === 'task.guards') {
      // The guard scan of the changed files: what it found new, what was already there, what blocks.
      const counts = Object.fromEntries(
        (['round', 'new', 'preexisting', 'blocking'] as const).flatMap((key) => {
          const value = num(data, key);
          return value === undefined ? [] : [[key, value]];
        }),
      );
      target.addEvent(
        'harness.guards',
        { passed: event.decision !== 'block', scanned: data.scanned === true, ...counts },
        timeOf(event),
      );
    } else {
      const round = num(data, 'round');
      const verdict = str(data, 'verdict');
      target.addEvent(
        'harness.review',
        { ...(round === undefined ? {} : { round }), ...(verdict === undefined ? {} : { verdict }) },
        timeOf(event),
      );
    }
  }

  private finish(event: Event, taskId: string, state: string): void {
    if (this.cancelled.has(taskId) && state === 'cancelled') return;
    if (event.kind === 'task.cancelled') this.remember(taskId);
    const data = dataOf(event);
    const nowMs = timeOf(event);
    const failed = state === 'failed';
    const error = errorOf(data);
    // A task's error often quotes a failed command or the agent's words: prompt text.
    if (!this.logUserPrompt) error.message = undefined;
    const stage = takeOf(this.table, keys.stage(taskId), 'stage');
    if (stage) {
      if (failed)
        stage.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message ?? 'task failed' });
      stage.span.end(Math.max(nowMs, stage.startMs));
    }
    const task = takeOf(this.table, keys.task(taskId), 'task');
    if (task) this.endTask(task.span, data, state, error, nowMs, task.startMs);
    const seconds =
      event.duration_ms !== null
        ? event.duration_ms / 1000
        : task && !task.resumed
          ? Math.max(0, nowMs - task.startMs) / 1000
          : undefined;
    this.metrics.taskEnded(state, task?.project ?? str(data, 'project'), seconds);
  }

  private endTask(
    span: Span,
    data: Record<string, unknown>,
    state: string,
    error: ReturnType<typeof errorOf>,
    nowMs: number,
    startMs: number,
  ): void {
    span.setAttribute(Harness.taskState, state);
    const score = num(data, 'score');
    if (score !== undefined) span.setAttribute(Harness.taskScore, score);
    const grade = str(data, 'grade');
    if (grade !== undefined) span.setAttribute(Harness.taskGrade, grade);
    const cost = num(data, 'cost_usd');
    if (cost !== undefined) span.setAttribute(Harness.costUsd, cost);
    if (state === 'failed') {
      if (error.type !== undefined) span.setAttribute(ErrorType, error.type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message ?? 'task failed' });
    }
    span.end(Math.max(nowMs, startMs));
  }

  private remember(taskId: string): void {
    this.cancelled.add(taskId);
    if (this.cancelled.size > cancelledMemory) {
      const oldest = this.cancelled.values().next().value;
      if (oldest !== undefined) this.cancelled.delete(oldest);
    }
  }
}
