import type { ReviewFinding, Task } from '@harness/protocol';
import { wrapExternalData } from '../github/index.js';
import { preflightBrief } from '../review/index.js';

/** What the implementing agent is told the task is; external text always travels as data. */
export interface TaskBrief {
  title: string;
  body: string;
  source: string;
}

const houseRules = [
  'Work only inside this directory (a git worktree on its own branch).',
  'Make the change completely, and keep the project building and its tests passing.',
  'You may commit; do not push and do not open a pull request — Harness does that after validating your work.',
].join('\n');

export function implementPrompt(task: Task, brief: TaskBrief, branch: string): string {
  const description = task.description
    ? `\nNote from the requester:\n${wrapExternalData(task.description)}\n`
    : '';
  // The preflight read the project for this task: its findings are advice, quoted like the task itself.
  const preflight = task.preflight === null ? [] : [wrapExternalData(preflightBrief(task.preflight))];
  return [
    `You are implementing a task on branch ${branch}.`,
    `${brief.source}:`,
    wrapExternalData(`${brief.title}\n\n${brief.body}`.trim()),
    description,
    ...(task.plan === null ? [] : [planRules(task.plan.path)]),
    ...preflight,
    houseRules,
    'When you are done, reply with a short summary of what you changed.',
  ].join('\n');
}

/** The ExecPlan the task carries: the agent keeps it current; Harness reads it after each turn. */
function planRules(planPath: string): string {
  return [
    `This task has an ExecPlan at ${planPath} (the PLANS.md format). It is a living document: keep it current as you work.`,
    '- Fill in Purpose / Big Picture, Context and Orientation and Plan of Work before you change code; set "- **Status**: active".',
    '- Progress: one "- [ ]" item per milestone; check it off as "- [x] (YYYY-MM-DD HH:MMZ) …" when it is done.',
    '- Record each decision under Decision Log ("- Decision:", "  Rationale:", "  Date/Author:") and anything unexpected under Surprises & Discoveries ("- Observation:", "  Evidence:").',
    '- When the work is done, write Outcomes & Retrospective and set the status to completed.',
  ].join('\n');
}

/** What validation found: a failed command's report, the guards' findings, or both. */
export function validationFixPrompt(feedback: string | null, guardFindings: string | null = null): string {
  const what =
    feedback !== null && guardFindings !== null
      ? "The validation commands failed and the project's guards found problems in your change."
      : feedback !== null
        ? 'The validation commands failed on your change.'
        : "The project's guards found problems in your change.";
  return [
    `${what} Fix the problems below, then reply with a summary.`,
    // Guard output quotes the files the agent wrote: data, never instructions.
    ...[feedback, guardFindings].filter((text): text is string => text !== null).map(wrapExternalData),
    houseRules,
  ].join('\n');
}

export function reviewFixPrompt(round: number, summary: string, findings: ReviewFinding[]): string {
  const list = findings
    .map((f) => `- ${f.file}${f.line ? `:${f.line}` : ''} [${f.severity}] ${f.message}`)
    .join('\n');
  return [
    `An independent reviewer asked for changes (review round ${round}). Address every finding, then reply with a summary.`,
    wrapExternalData(`${summary}\n\n${list}`.trim()),
    houseRules,
  ].join('\n');
}
