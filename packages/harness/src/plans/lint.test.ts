import { describe, expect, it } from 'vitest';
import { ExecPlan } from './exec-plan.js';
import { lintPlan } from './lint.js';

describe('lintPlan', () => {
  it('passes a plan Harness wrote, entries and all', () => {
    const plan = ExecPlan.fromSpec('# Clean', '.');
    plan.addMilestone('m');
    plan.completeMilestone(0);
    plan.logDecision('d', 'r');
    plan.logSurprise('o', 'e');
    expect(lintPlan(plan.toMarkdown())).toEqual({ ok: true, problems: [] });
  });

  it('names missing and malformed sections with their lines', () => {
    const md = [
      '# Half a plan', //                       1
      '- **Status**: paused', //                2
      '## Progress', //                         3
      '- [x] done without a time', //           4
      'a note', //                              5
      '## Decision Log', //                     6
      '- Decision: use X', //                   7
      '  Rationale: because', //                8
      '## Surprises & Discoveries', //          9
      '- Observation: odd', //                  10
      '## Progress', //                         11
    ].join('\n');
    const { ok, problems } = lintPlan(md);
    expect(ok).toBe(false);
    const at = (line: number): string[] => problems.filter((p) => p.line === line).map((p) => p.message);
    expect(at(2)).toEqual(['unknown status "paused" (draft, active, completed or abandoned)']);
    expect(at(4)).toEqual(['a checked item has no "(YYYY-MM-DD HH:MMZ)" timestamp']);
    expect(at(5)).toEqual(['Progress holds checkbox items only ("- [ ] …" or "- [x] (time) …")']);
    expect(at(7)).toEqual(['the decision has no "Date/Author:" line']);
    expect(at(10)).toEqual(['the observation has no "Evidence:" line']);
    expect(at(11)[0]).toMatch(/"Progress" again \(first at line 3\)/);
    const missing = at(1);
    expect(missing).toContain('missing section "## Purpose / Big Picture"');
    expect(missing).toContain('missing section "## Interfaces and Dependencies"');
    expect(missing).not.toContain('missing section "## Progress"');
    expect(missing).toHaveLength(9);
  });

  it('reports a file without a title', () => {
    expect(lintPlan('no heading here').problems[0]).toEqual({
      line: 1,
      section: null,
      message: 'no "# title" line opens the plan',
    });
  });
});
