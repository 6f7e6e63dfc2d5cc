/**
 * The ExecPlan model and its Markdown: every update kind round-trips through the file without
 * loss (status and decision log included), unknown sections stay verbatim, and plans written by
 * hand in the convention's format and in the original Harness format read as written.
 */
import { describe, expect, it } from 'vitest';
import { ExecPlan } from './exec-plan.js';

let tick = 0;
const clock = { now: () => new Date(Date.UTC(2026, 11, 4, 12, 0, tick++)) };

function fullPlan(): ExecPlan {
  const plan = ExecPlan.fromSpec(
    '# Add rate limiting\n\nRequests over the limit get 429.\n\n## Notes\n\nKeep it simple.',
    '/repo',
    { clock, id: 'plan_1' },
  );
  plan.activate();
  plan.addMilestone('Middleware counts requests');
  plan.addMilestone('Limits come from config');
  plan.completeMilestone(0);
  plan.addStep('Write the middleware', ['src/limit.ts', 'src/limit.test.ts']);
  plan.addStep('Wire it in');
  plan.completeStep(1);
  plan.logDecision('Token bucket', 'Bursts are fine\nbut not floods', 'claude');
  plan.logDecision('No Redis', 'One process only');
  plan.logSurprise('Clock skew in tests', 'limit.test.ts failed at midnight');
  plan.addOutcome('The limit works.\n\n## Lessons\n\nMeasure first.');
  return plan;
}

describe('ExecPlan', () => {
  it('fromSpec takes the title from the first heading and the rest as the purpose', () => {
    const plan = ExecPlan.fromSpec('# Demo', '.');
    expect(plan.title).toBe('Demo');
    expect(plan.status).toBe('draft');
    expect(plan.id).toMatch(/^plan_/);
    expect(plan.toJSON().project_root).toBe('.');
    expect(ExecPlan.fromSpec('just words', '.').title).toBe('Untitled Plan');
    expect(() => ExecPlan.fromSpec('  \n', '.')).toThrow(/spec: the spec is empty/);
  });

  it('round-trips every kind of update through Markdown', () => {
    const plan = fullPlan();
    const data = plan.toJSON();
    expect(data.status).toBe('active');
    expect(data.decisions).toHaveLength(2);
    expect(data.decisions[0]).toMatchObject({
      rationale: 'Bursts are fine but not floods',
      author: 'claude',
    });
    expect(data.purpose).toContain('### Notes');
    expect(data.outcomes).toContain('### Lessons');
    const again = ExecPlan.parse(plan.toMarkdown());
    expect(again.toJSON()).toEqual(data);
    expect(again.toMarkdown()).toBe(plan.toMarkdown());
    expect(plan.progress()).toEqual({ done: 2, total: 4 });
  });

  it('keeps each status across a reload', () => {
    for (const status of ['draft', 'active', 'completed', 'abandoned'] as const) {
      const plan = ExecPlan.fromSpec('# S', '.', { clock });
      if (status === 'active') plan.activate();
      if (status === 'completed') plan.complete();
      if (status === 'abandoned') plan.abandon();
      expect(ExecPlan.parse(plan.toMarkdown()).status).toBe(status);
    }
  });

  it('keeps sections it does not know verbatim, in order, and code fences whole', () => {
    const md = [
      '# Plan',
      '',
      '## Purpose / Big Picture',
      '',
      'Why.',
      '',
      '```md',
      '## Not a section',
      '```',
      '',
      '## Risks',
      '',
      '  indented *text*',
      '',
      '## Glossary',
      '',
      '- term: meaning',
    ].join('\n');
    const data = ExecPlan.parse(md).toJSON();
    expect(data.purpose).toBe('Why.\n\n```md\n## Not a section\n```');
    expect(data.other_sections).toEqual([
      { heading: 'Risks', body: '  indented *text*' },
      { heading: 'Glossary', body: '- term: meaning' },
    ]);
    expect(ExecPlan.parse(ExecPlan.parse(md).toMarkdown()).toJSON()).toEqual(data);
  });

  it('refuses updates that name nothing', () => {
    const plan = ExecPlan.fromSpec('# P', '.');
    expect(() => plan.completeMilestone(0)).toThrow(/index: no milestone 0 \(the plan has no milestones\)/);
    plan.addStep('one');
    expect(() => plan.completeStep(3)).toThrow(/index: no step 3 \(0\.\.0\)/);
    expect(() => plan.addMilestone('  ')).toThrow(/description: must not be empty/);
    expect(() => plan.logDecision('d', '')).toThrow(/rationale: must not be empty/);
  });
});

describe('plans written by hand', () => {
  it('reads the PLANS.md convention', () => {
    const md = `# Make the CLI stream output

This ExecPlan is a living document.

## Purpose / Big Picture

Users see output as it happens.

## Progress

- [x] (2026-10-01 13:00Z) Spike the streaming reader.
- [ ] Wire it into the CLI (completed: parser; remaining: flags).
  and document it

## Surprises & Discoveries

- Observation: The pipe buffers 64 KiB.
  Evidence: strace shows one write.

## Decision Log

- Decision: Use line buffering.
  Rationale: Simplest fix.
  Date/Author: 2026-10-01 / alice

## Outcomes & Retrospective

Not yet.

## Context and Orientation

src/cli.ts prints.

## Plan of Work

Edit cli.ts.

## Concrete Steps

Run in the repo root:

    npm test

1. [x] Change the reader
   - \`src/cli.ts\`
2. [ ] Add a flag

## Validation and Acceptance

Output appears line by line.

## Idempotence and Recovery

Safe to rerun.

## Artifacts and Notes

None.

## Interfaces and Dependencies

None new.
`;
    const data = ExecPlan.parse(md, { fallbackId: 'stream' }).toJSON();
    expect(data).toMatchObject({
      id: 'stream',
      title: 'Make the CLI stream output',
      status: 'draft',
      preamble: 'This ExecPlan is a living document.',
      purpose: 'Users see output as it happens.',
      outcomes: 'Not yet.',
      steps_notes: 'Run in the repo root:\n\n    npm test',
      interfaces: 'None new.',
    });
    expect(data.progress).toEqual([
      { done: true, at: '2026-10-01 13:00Z', description: 'Spike the streaming reader.' },
      {
        done: false,
        at: null,
        description: 'Wire it into the CLI (completed: parser; remaining: flags). and document it',
      },
    ]);
    expect(data.surprises).toEqual([
      { observation: 'The pipe buffers 64 KiB.', evidence: 'strace shows one write.', date: '' },
    ]);
    expect(data.decisions).toEqual([
      { decision: 'Use line buffering.', rationale: 'Simplest fix.', date: '2026-10-01', author: 'alice' },
    ]);
    expect(data.steps).toEqual([
      { description: 'Change the reader', files: ['src/cli.ts'], done: true },
      { description: 'Add a flag', files: [], done: false },
    ]);
    expect(ExecPlan.parse(ExecPlan.parse(md).toMarkdown()).toJSON()).toEqual(ExecPlan.parse(md).toJSON());
  });

  it('reads the original format, keeping its status and decision log', () => {
    const md = `# ExecPlan: Migrate the queue

- **ID**: 6f1c
- **Status**: Completed
- **Project**: /srv/app
- **Created**: 2026-03-17 10:00:00.123 UTC
- **Updated**: 2026-03-18 09:00:00 UTC

## Progress
- [x] schema moved
- [ ] old table dropped

## Concrete Steps
1. [x] write migration
   - \`db/001.sql\`
2. [ ] drop table

## Decision Log
### Keep both tables for a week (2026-03-17 10:05)

Rollback must stay possible.

### Batch the copy (2026-03-17 11:00)

Locks.

## Surprises
- **Triggers fired twice**: duplicate audit rows

## Validation
- [ ] Test: queue drains
- [ ] Check: no duplicate rows
`;
    const data = ExecPlan.parse(md).toJSON();
    expect(data).toMatchObject({
      id: '6f1c',
      title: 'Migrate the queue',
      status: 'completed',
      project_root: '/srv/app',
      created_at: '2026-03-17 10:00:00.123 UTC',
      updated_at: '2026-03-18 09:00:00 UTC',
      validation: '- [ ] Test: queue drains\n- [ ] Check: no duplicate rows',
    });
    expect(data.progress.map((m) => [m.description, m.done])).toEqual([
      ['schema moved', true],
      ['old table dropped', false],
    ]);
    expect(data.steps[0]).toEqual({ description: 'write migration', files: ['db/001.sql'], done: true });
    expect(data.decisions).toEqual([
      {
        decision: 'Keep both tables for a week',
        rationale: 'Rollback must stay possible.',
        date: '2026-03-17 10:05',
        author: '',
      },
      { decision: 'Batch the copy', rationale: 'Locks.', date: '2026-03-17 11:00', author: '' },
    ]);
    expect(data.surprises).toEqual([
      { observation: 'Triggers fired twice', evidence: 'duplicate audit rows', date: '' },
    ]);
    // Rewritten in the convention's format, nothing of it is lost.
    expect(ExecPlan.parse(ExecPlan.parse(md).toMarkdown()).toJSON()).toEqual(data);
  });
});
