import { describe, expect, it } from 'vitest';
import { parseReviewerAnswer } from './answer.js';
import { crossReview, type Reviewer } from './engine.js';

/** A reviewer that answers from a script, one answer per turn, and keeps the prompts it was given. */
function scripted(name: string, answers: string[]): Reviewer<string> & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    name,
    prompts,
    ask(prompt) {
      prompts.push(prompt);
      const text = answers.shift();
      if (text === undefined) return Promise.resolve({ ok: false, stop: 'no answer scripted', costUsd: 0 });
      return Promise.resolve({ ok: true, text, costUsd: 0.01 });
    },
  };
}

const json = (value: unknown) => `Here is my review.\n\`\`\`json\n${JSON.stringify(value)}\n\`\`\``;
const subject = { context: 'Add a parser', diff: 'diff --git a/src/p.ts b/src/p.ts\n+x', truncated: false };
const nullDeref = {
  file: 'src/p.ts',
  line: 12,
  severity: 'high',
  confidence: 0.9,
  message: 'dereferences null',
};

describe('crossReview', () => {
  it('approves when the challenger agrees there is nothing to change', async () => {
    const primary = scripted('claude', [json({ verdict: 'approve', summary: 'fine', issues: [] })]);
    const challenger = scripted('codex', [json({ verdict: 'approve', summary: 'agreed' })]);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 3, minConfidence: 0 });
    expect(run.kind === 'finished' && run.outcome).toMatchObject({
      status: 'approved',
      rounds: 2,
      challenger: 'codex',
      consensus_issues: [],
      cost_usd: 0.02,
    });
  });

  it('reports consensus issues with file:line, severity and confidence as changes requested', async () => {
    const primary = scripted('claude', [json({ verdict: 'changes_requested', issues: [nullDeref] })]);
    const challenger = scripted('codex', [
      json({ verdict: 'changes_requested', assessments: [{ id: 'I1', stance: 'agree', reason: 'yes' }] }),
    ]);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 3, minConfidence: 0 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome.status).toBe('changes_requested');
    expect(run.outcome.consensus_issues).toEqual([
      expect.objectContaining({
        id: 'I1',
        file: 'src/p.ts',
        line: 12,
        severity: 'high',
        confidence: 0.9,
        raised_by: 'claude',
        agreed_by: ['claude', 'codex'],
        status: 'consensus',
      }),
    ]);
    expect(challenger.prompts[0]).toContain('I1 (raised by claude) src/p.ts:12 [high, confidence 0.9]');
  });

  it('is not_converged, never approved, when the challenger disputes until the rounds run out', async () => {
    const dispute = json({
      verdict: 'approve',
      assessments: [{ id: 'I1', stance: 'dispute', reason: 'the caller checks for null' }],
    });
    const keep = json({
      verdict: 'changes_requested',
      assessments: [{ id: 'I1', stance: 'agree', reason: 'the caller does not' }],
    });
    const primary = scripted('claude', [
      json({ verdict: 'changes_requested', issues: [nullDeref] }),
      keep,
      keep,
    ]);
    const challenger = scripted('codex', [dispute, dispute]);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 4, minConfidence: 0 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome.status).toBe('not_converged');
    expect(run.outcome.rounds).toBe(4);
    expect(run.outcome.turns.map((t) => `${t.round}:${t.agent}`)).toEqual([
      '1:claude',
      '2:codex',
      '3:claude',
      '4:codex',
    ]);
    expect(run.outcome.contested_issues).toEqual([
      expect.objectContaining({
        id: 'I1',
        disputed_by: [{ agent: 'codex', reason: 'the caller checks for null' }],
        status: 'contested',
      }),
    ]);
    // The primary saw the challenger's reason when it had to answer the dispute.
    expect(primary.prompts[1]).toContain('disputed by codex: the caller checks for null');
  });

  it('converges when the author withdraws a disputed issue', async () => {
    const primary = scripted('claude', [
      json({ verdict: 'changes_requested', issues: [nullDeref] }),
      json({
        verdict: 'approve',
        assessments: [{ id: 'I1', stance: 'dispute', reason: 'right, checked upstream' }],
      }),
    ]);
    const challenger = scripted('codex', [
      json({
        verdict: 'approve',
        assessments: [{ id: 'I1', stance: 'dispute', reason: 'checked upstream' }],
      }),
    ]);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 3, minConfidence: 0 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome.status).toBe('approved');
    expect(run.outcome.withdrawn_issues.map((i) => i.id)).toEqual(['I1']);
  });

  it('a missed issue the primary then confirms becomes consensus', async () => {
    const missed = { ...nullDeref, line: 30, message: 'leaks the handle', severity: 'medium' };
    const primary = scripted('claude', [
      json({ verdict: 'approve', issues: [] }),
      json({ verdict: 'changes_requested', assessments: [{ id: 'I1', stance: 'agree' }] }),
    ]);
    const challenger = scripted('codex', [json({ verdict: 'changes_requested', issues: [missed] })]);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 3, minConfidence: 0 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome.status).toBe('changes_requested');
    expect(run.outcome.consensus_issues).toMatchObject([{ raised_by: 'codex', line: 30 }]);
  });

  it('reports a malformed answer as protocol_error with its raw text, never as approval', async () => {
    const primary = scripted('claude', [json({ verdict: 'approve', issues: [] })]);
    const challenger = scripted('codex', ['Looks good to me! LGTM']);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 3, minConfidence: 0 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome.status).toBe('protocol_error');
    expect(run.outcome.turns[1]).toMatchObject({
      agent: 'codex',
      verdict: 'protocol_error',
      raw: 'Looks good to me! LGTM',
      summary: 'the answer holds no JSON object',
    });
  });

  it('with a single reviewer: its review is the outcome, blocking issues overrule an "approve"', async () => {
    const primary = scripted('claude', [
      json({ verdict: 'approve', findings: [{ ...nullDeref, confidence: undefined }] }),
    ]);
    const run = await crossReview({ primary, challenger: null, subject, maxRounds: 3, minConfidence: 0 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome).toMatchObject({ status: 'changes_requested', rounds: 1, challenger: null });
    expect(run.outcome.consensus_issues[0]).toMatchObject({ confidence: 1, status: 'consensus' });
  });

  it('keeps issues below min_confidence aside: reported, never blocking', async () => {
    const unsure = { ...nullDeref, confidence: 0.2 };
    const primary = scripted('claude', [json({ verdict: 'approve', issues: [unsure] })]);
    const challenger = scripted('codex', [json({ verdict: 'approve' })]);
    const run = await crossReview({ primary, challenger, subject, maxRounds: 3, minConfidence: 0.5 });
    if (run.kind !== 'finished') throw new Error('stopped');
    expect(run.outcome.status).toBe('approved');
    expect(run.outcome.low_confidence_issues).toMatchObject([{ confidence: 0.2 }]);
    expect(challenger.prompts[0]).toContain('(none)');
  });

  it("passes a turn that did not answer back as the port's own stop", async () => {
    const primary = scripted('claude', []);
    const run = await crossReview({ primary, challenger: null, subject, maxRounds: 3, minConfidence: 0 });
    expect(run).toMatchObject({ kind: 'stopped', stop: 'no answer scripted' });
  });
});

describe('parseReviewerAnswer', () => {
  it('takes the last fenced block that fits, else a bare object in prose', () => {
    const text = 'First try ```json\n{"verdict":"maybe"}\n``` then {"verdict": "approve", "summary": "ok"}';
    expect(parseReviewerAnswer(text)).toMatchObject({
      ok: true,
      answer: { verdict: 'approve', summary: 'ok' },
    });
  });

  it('names what does not fit', () => {
    const parsed = parseReviewerAnswer(
      '```json\n{"verdict":"approve","issues":[{"file":"a.ts","severity":"huge","message":"x"}]}\n```',
    );
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(/issues\.0\.severity/);
  });

  it('refuses a confidence outside 0..1', () => {
    const parsed = parseReviewerAnswer(
      JSON.stringify({ verdict: 'approve', issues: [{ ...nullDeref, confidence: 90 }] }),
    );
    expect(parsed.ok).toBe(false);
  });
});
