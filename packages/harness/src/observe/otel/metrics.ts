import { type Counter, type Histogram, type Meter, ValueType } from '@opentelemetry/api';
import { GenAi, Harness, Metrics } from './attributes.js';
import { type TokenUsage, roundUsd } from '@harness/protocol';

// Tasks run for minutes to hours and turns for seconds to tens of minutes; the SDK's default
// buckets (0…10000 with no unit in mind) would put nearly every task in the last one.
const taskBuckets = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14_400];
const turnBuckets = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

const unknown = 'unknown';

/** The Harness instruments. Attribute values are bounded sets (states, agents, decisions, projects). */
export class HarnessMetrics {
  private readonly tasks: Counter;
  private readonly turns: Counter;
  private readonly decisions: Counter;
  private readonly tokens: Counter;
  private readonly cost: Counter;
  private readonly taskDuration: Histogram;
  private readonly turnDuration: Histogram;
  private readonly gcSteps: Counter;
  private readonly gcCost: Counter;

  constructor(meter: Meter) {
    this.tasks = meter.createCounter(Metrics.tasks, {
      description: 'Tasks that reached an end state, by state and project',
      unit: '{task}',
      valueType: ValueType.INT,
    });
    this.turns = meter.createCounter(Metrics.turns, {
      description: 'Agent turns that ended, by status and agent',
      unit: '{turn}',
      valueType: ValueType.INT,
    });
    this.decisions = meter.createCounter(Metrics.policyDecisions, {
      description: 'Execution-policy decisions on agent commands',
      unit: '{decision}',
      valueType: ValueType.INT,
    });
    this.tokens = meter.createCounter(Metrics.tokens, {
      description: 'Model tokens used, by type (input, output, cache_read, cache_write) and agent',
      unit: '{token}',
      valueType: ValueType.INT,
    });
    this.cost = meter.createCounter(Metrics.costUsd, {
      description: 'Model cost reported by the agents, in US dollars',
      unit: 'USD',
      valueType: ValueType.DOUBLE,
    });
    this.taskDuration = meter.createHistogram(Metrics.taskDuration, {
      description: 'Task duration from queued to its end state',
      unit: 's',
      advice: { explicitBucketBoundaries: taskBuckets },
    });
    this.turnDuration = meter.createHistogram(Metrics.turnDuration, {
      description: 'Agent turn duration',
      unit: 's',
      advice: { explicitBucketBoundaries: turnBuckets },
    });
    this.gcSteps = meter.createCounter(Metrics.gcSteps, {
      description:
        'GC steps (run_started, signal, draft_created, budget_exhausted, draft_adopted …), by step and project',
      unit: '{step}',
      valueType: ValueType.INT,
    });
    this.gcCost = meter.createCounter(Metrics.gcCostUsd, {
      description: 'What GC drafting spent, by project, in US dollars',
      unit: 'USD',
      valueType: ValueType.DOUBLE,
    });
  }

  /** A `gc.*` event: one step counted; a finished run adds what it spent. */
  gcStep(step: string, project: string | undefined, spentUsd: number | undefined): void {
    const attributes = { [Harness.gcStep]: step, [Harness.project]: project ?? unknown };
    this.gcSteps.add(1, attributes);
    if (spentUsd !== undefined && spentUsd > 0)
      this.gcCost.add(roundUsd(spentUsd), { [Harness.project]: project ?? unknown });
  }

  taskEnded(state: string, project: string | undefined, seconds: number | undefined): void {
    const attributes = { [Harness.taskState]: state, [Harness.project]: project ?? unknown };
    this.tasks.add(1, attributes);
    if (seconds !== undefined) this.taskDuration.record(seconds, attributes);
  }

  turnEnded(status: string, agent: string | undefined, seconds: number): void {
    const attributes = { [Harness.turnStatus]: status, [Harness.agent]: agent ?? unknown };
    this.turns.add(1, attributes);
    this.turnDuration.record(seconds, attributes);
  }

  policyDecision(decision: string): void {
    this.decisions.add(1, { [Harness.decision]: decision });
  }

  usage(agent: string | undefined, usage: TokenUsage): void {
    const who = agent ?? unknown;
    const add = (type: string, count: number) => {
      if (count > 0) this.tokens.add(count, { [GenAi.tokenType]: type, [Harness.agent]: who });
    };
    add('input', usage.input_tokens);
    add('output', usage.output_tokens);
    add('cache_read', usage.cache_read_tokens);
    add('cache_write', usage.cache_write_tokens);
    if (usage.cost_usd > 0) this.cost.add(roundUsd(usage.cost_usd), { [Harness.agent]: who });
  }
}
