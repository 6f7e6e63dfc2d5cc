import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { Event } from '@harness/protocol';
import { Harness } from './attributes.js';
import { dataOf, num, str, timeOf } from './event-data.js';
import { type EntryTable, keys, takeOf, entryOf } from './entries.js';
import type { HarnessMetrics } from './metrics.js';

/**
 * GC: a span per run (`gc.run_started` → `gc.run_finished`) with each step of the run (signal,
 * draft created, budget exhausted) as a span event, and every `gc.*` event counted by step and
 * project, with what a finished run spent.
 */
export class GcSpans {
  constructor(
    private readonly tracer: Tracer,
    private readonly table: EntryTable,
    private readonly metrics: HarnessMetrics,
  ) {}

  handle(event: Event): void {
    const data = dataOf(event);
    const step = event.kind.slice('gc.'.length);
    const project = str(data, 'project');
    this.metrics.gcStep(step, project, num(data, 'run_spent_usd'));
    const runId = str(data, 'run_id');
    if (runId === undefined) return;
    const nowMs = timeOf(event);
    if (step === 'run_started') {
      const span = this.tracer.startSpan(
        'harness.gc.run',
        {
          kind: SpanKind.INTERNAL,
          startTime: nowMs,
          attributes: {
            [Harness.gcRunId]: runId,
            ...(project === undefined ? {} : { [Harness.project]: project }),
            ...(str(data, 'trigger') === undefined ? {} : { [Harness.gcTrigger]: str(data, 'trigger') }),
          },
        },
        ROOT_CONTEXT,
      );
      this.table.add(keys.gc(runId), { kind: 'gc', span, startMs: nowMs }, nowMs);
      return;
    }
    if (step !== 'run_finished') {
      entryOf(this.table, keys.gc(runId), 'gc')?.span.addEvent(`gc.${step}`, stepAttributes(data), nowMs);
      return;
    }
    const run = takeOf(this.table, keys.gc(runId), 'gc');
    if (run === undefined) return;
    const failed = str(data, 'failed');
    run.span.setAttributes({
      [Harness.gcSignals]: num(data, 'signals') ?? 0,
      [Harness.costUsd]: num(data, 'run_spent_usd') ?? 0,
      [Harness.gcBudgetExhausted]: data.budget_exhausted === true,
    });
    if (failed !== undefined) run.span.setStatus({ code: SpanStatusCode.ERROR, message: failed });
    run.span.end(Math.max(nowMs, run.startMs));
  }
}

function stepAttributes(data: Record<string, unknown>): Record<string, string | number> {
  const attributes: Record<string, string | number> = {};
  for (const key of ['signal_id', 'type', 'key', 'draft_id', 'strength', 'cost_usd']) {
    const value = data[key];
    if (typeof value === 'string' || typeof value === 'number') attributes[`harness.gc.${key}`] = value;
  }
  return attributes;
}
