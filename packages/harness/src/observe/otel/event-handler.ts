import type { Tracer } from '@opentelemetry/api';
import type { Event } from '@harness/protocol';
import { dataOf, str } from './event-data.js';
import { GcSpans } from './gc-spans.js';
import type { Entry } from './entries.js';
import type { HarnessMetrics } from './metrics.js';
import { type ForcedEnd, SpanTable } from './span-table.js';
import { TaskSpans } from './task-spans.js';
import { TurnSpans } from './turn-spans.js';

export interface EventHandlerOptions {
  tracer: Tracer;
  metrics: HarnessMetrics;
  logUserPrompt: boolean;
  maxOpenSpans: number;
}

/**
 * Turns the event log into spans and metric points. Runs inside `EventLog.append`, so it only
 * updates in-memory state and hands finished spans to the batch processor: no I/O, no awaiting.
 */
export class EventHandler {
  private readonly table: SpanTable<Entry>;
  private readonly tasks: TaskSpans;
  private readonly turns: TurnSpans;
  private readonly gc: GcSpans;

  constructor(private readonly o: EventHandlerOptions) {
    this.table = new SpanTable<Entry>(o.maxOpenSpans);
    this.tasks = new TaskSpans(o.tracer, this.table, o.metrics, o.logUserPrompt);
    this.turns = new TurnSpans(o.tracer, this.table, o.metrics, this.tasks, o.logUserPrompt);
    this.gc = new GcSpans(o.tracer, this.table, o.metrics);
  }

  get openSpans(): number {
    return this.table.size;
  }

  handle(event: Event): void {
    if (event.kind.startsWith('task.')) {
      this.tasks.handle(event);
      return;
    }
    if (event.kind.startsWith('gc.')) {
      this.gc.handle(event);
      return;
    }
    if (event.kind === 'agent.command_gate') {
      this.o.metrics.policyDecision(event.decision ?? str(dataOf(event), 'decision') ?? 'unknown');
    }
    this.turns.handle(event);
  }

  endAll(reason: ForcedEnd, nowMs: number): number {
    return this.table.endAll(reason, nowMs);
  }
}
