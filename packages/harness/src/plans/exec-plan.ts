import type { ExecPlanData, PlanProgress, PlanStatus } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, newId, systemClock } from '../core/index.js';
import { renderPlan } from './markdown.js';
import { emptyPlan, type ParseOptions, parsePlan } from './parse.js';
import { nestHeadings } from './sections.js';

export interface ExecPlanOptions {
  id?: string;
  clock?: Clock;
}

/**
 * An ExecPlan: the living document of the `PLANS.md` convention, with its status, progress
 * milestones, concrete steps, decision log, surprises and outcomes. Every update stamps
 * `updated_at` (and the entry it adds) from the clock; `toMarkdown` and `ExecPlan.parse` are each
 * other's inverse.
 */
export class ExecPlan {
  private constructor(
    private readonly data: ExecPlanData,
    private readonly clock: Clock,
  ) {}

  /**
   * A new draft plan from a spec: its first `#` heading is the title ("Untitled Plan" without one)
   * and the rest is the Purpose / Big Picture, its own headings nested below the section's.
   */
  static fromSpec(spec: string, projectRoot: string, options: ExecPlanOptions = {}): ExecPlan {
    if (spec.trim() === '') {
      throw new HarnessError(
        ErrorCodes.invalidParams,
        'spec: the spec is empty; give at least a "# title" line',
      );
    }
    const clock = options.clock ?? systemClock;
    const lines = spec.replace(/\r\n?/g, '\n').split('\n');
    const titleAt = lines.findIndex((l) => l.startsWith('#'));
    const title = oneLine((lines[titleAt] ?? '').replace(/^#+/, '').replace(/^ExecPlan:/i, ''));
    const rest = lines.filter((_, i) => i !== titleAt).join('\n');
    const data = emptyPlan(options.id ?? newId('plan'), title || 'Untitled Plan');
    const now = clock.now().toISOString();
    Object.assign(data, {
      project_root: projectRoot,
      created_at: now,
      updated_at: now,
      purpose: nestHeadings(rest),
    });
    return new ExecPlan(data, clock);
  }

  /** A plan from its Markdown, in the convention's format or the original Harness one. */
  static parse(markdown: string, options: ParseOptions & { clock?: Clock } = {}): ExecPlan {
    return new ExecPlan(parsePlan(markdown, options), options.clock ?? systemClock);
  }

  static fromData(data: ExecPlanData, clock: Clock = systemClock): ExecPlan {
    return new ExecPlan(structuredClone(data), clock);
  }

  get id(): string {
    return this.data.id;
  }

  get title(): string {
    return this.data.title;
  }

  get status(): PlanStatus {
    return this.data.status;
  }

  /** A copy of the plan's data (the wire shape). */
  toJSON(): ExecPlanData {
    return structuredClone(this.data);
  }

  toMarkdown(): string {
    return renderPlan(this.data);
  }

  /** Checked items of Progress and Concrete Steps, out of all of them. */
  progress(): PlanProgress {
    const items = [...this.data.progress, ...this.data.steps];
    return { done: items.filter((i) => i.done).length, total: items.length };
  }

  activate(): this {
    return this.setStatus('active');
  }

  complete(): this {
    return this.setStatus('completed');
  }

  abandon(): this {
    return this.setStatus('abandoned');
  }

  addMilestone(description: string): this {
    this.data.progress.push({ description: required(description, 'description'), done: false, at: null });
    return this.touch();
  }

  /** Checks (or unchecks) the milestone at `index`, stamping when it was done. */
  completeMilestone(index: number, done = true): this {
    const milestone = at(this.data.progress, index, 'milestone');
    milestone.done = done;
    milestone.at = done ? this.now() : null;
    return this.touch();
  }

  addStep(description: string, files: readonly string[] = []): this {
    const paths = files.map((f, i) => required(f, `files[${i}]`).replace(/`/g, ''));
    this.data.steps.push({ description: required(description, 'description'), files: paths, done: false });
    return this.touch();
  }

  completeStep(index: number, done = true): this {
    at(this.data.steps, index, 'step').done = done;
    return this.touch();
  }

  logDecision(decision: string, rationale: string, author = 'harness'): this {
    this.data.decisions.push({
      decision: required(decision, 'decision'),
      rationale: required(rationale, 'rationale'),
      date: this.now(),
      author: oneLine(author),
    });
    return this.touch();
  }

  logSurprise(observation: string, evidence: string): this {
    this.data.surprises.push({
      observation: required(observation, 'observation'),
      evidence: required(evidence, 'evidence'),
      date: this.now(),
    });
    return this.touch();
  }

  /** Appends a paragraph to Outcomes & Retrospective. */
  addOutcome(text: string): this {
    const paragraph = nestHeadings(text);
    if (paragraph.trim() === '')
      throw new HarnessError(ErrorCodes.invalidParams, 'text: the outcome is empty');
    this.data.outcomes = [this.data.outcomes, paragraph].filter((p) => p !== '').join('\n\n');
    return this.touch();
  }

  private setStatus(status: PlanStatus): this {
    this.data.status = status;
    return this.touch();
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private touch(): this {
    this.data.updated_at = this.now();
    return this;
  }
}

/** Entries are one line each in the file: newlines and runs of spaces become one space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function required(text: string, field: string): string {
  const line = oneLine(text);
  if (line === '') throw new HarnessError(ErrorCodes.invalidParams, `${field}: must not be empty`);
  return line;
}

function at<T>(items: T[], index: number, kind: string): T {
  const item = Number.isInteger(index) ? items[index] : undefined;
  if (item === undefined) {
    const range = items.length === 0 ? `the plan has no ${kind}s` : `0..${items.length - 1}`;
    throw new HarnessError(ErrorCodes.invalidParams, `index: no ${kind} ${index} (${range})`);
  }
  return item;
}
