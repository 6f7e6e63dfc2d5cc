import { type CrossReviewOutcome, type CrossReviewTurn, roundUsd } from '@harness/protocol';
import { parseReviewerAnswer, type ReviewerAnswer } from './answer.js';
import { IssueLedger } from './ledger.js';
import { challengePrompt, primaryPrompt, type ReviewSubject } from './prompts.js';

/**
 * The cross-review engine: the primary reviewer reviews, the challenger (an agent of another
 * provider) answers each of its issues and adds what it missed, then they take turns on what is
 * still disputed or unanswered, until no issue is left open or contested — or `maxRounds` turns
 * (the primary's first review included) have passed: `not_converged`, never an approval. Without
 * a challenger the primary's review is the outcome, as a single reviewer's always was. The
 * reviewers are ports: the task pipeline gives its agent conversations, `cross_review` turns in
 * the project. A turn that does not answer (waits for a person, fails) stops the run with the
 * port's own reason `S`, for the caller to handle as it handles any stopped turn.
 */

export type ReviewerReply<S> =
  { ok: true; text: string; costUsd: number } | { ok: false; stop: S; costUsd: number };

export interface Reviewer<S> {
  /** The agent's name, as the ledger and the outcome name it. */
  readonly name: string;
  ask(prompt: string): Promise<ReviewerReply<S>>;
}

export interface CrossReviewInput<S> {
  readonly primary: Reviewer<S>;
  readonly challenger: Reviewer<S> | null;
  readonly subject: ReviewSubject;
  /** Turns in all, from 1; 1 leaves the challenger out. */
  readonly maxRounds: number;
  /** Issues raised with less confidence are reported and never block. */
  readonly minConfidence: number;
}

export type CrossReviewRun<S> =
  | { kind: 'finished'; outcome: CrossReviewOutcome }
  | { kind: 'stopped'; stop: S; costUsd: number; turns: CrossReviewTurn[] };

const blocking = new Set(['critical', 'high']);

export async function crossReview<S>(input: CrossReviewInput<S>): Promise<CrossReviewRun<S>> {
  const challenger = input.maxRounds > 1 ? input.challenger : null;
  const parties = challenger === null ? [input.primary.name] : [input.primary.name, challenger.name];
  const ledger = new IssueLedger(parties, input.minConfidence);
  const turns: CrossReviewTurn[] = [];
  const verdicts = new Map<string, ReviewerAnswer['verdict']>();
  let cost = 0;
  const lastRound = challenger === null ? 1 : input.maxRounds;
  for (let round = 1; round <= lastRound; round++) {
    const role = round % 2 === 1 ? 'primary' : 'challenger';
    const speaker = role === 'primary' ? input.primary : (challenger as Reviewer<S>);
    const prompt =
      round === 1
        ? primaryPrompt(input.subject)
        : challengePrompt(input.subject, role, ledger.pendingFor(speaker.name));
    const reply = await speaker.ask(prompt);
    cost += reply.costUsd;
    if (!reply.ok) return { kind: 'stopped', stop: reply.stop, costUsd: roundUsd(cost), turns };
    const parsed = parseReviewerAnswer(reply.text);
    const turn = { round, agent: speaker.name, role, cost_usd: roundUsd(reply.costUsd) } as const;
    if (!parsed.ok) {
      turns.push({
        ...turn,
        verdict: 'protocol_error',
        summary: parsed.problem,
        raw: reply.text.slice(0, 20_000),
      });
      return finished('protocol_error');
    }
    const { answer } = parsed;
    turns.push({ ...turn, verdict: answer.verdict, summary: answer.summary, raw: null });
    verdicts.set(speaker.name, answer.verdict);
    ledger.assess(speaker.name, answer.assessments);
    ledger.raise(speaker.name, round, answer.issues);
    const everyoneSpoke = challenger === null || round >= 2;
    if (everyoneSpoke && ledger.settled()) return finished(agreedStatus());
  }
  return finished('not_converged');

  function agreedStatus(): CrossReviewOutcome['status'] {
    const approve = [...verdicts.values()].every((v) => v === 'approve');
    const blocked = ledger.byStatus('consensus').some((i) => blocking.has(i.severity));
    return approve && !blocked ? 'approved' : 'changes_requested';
  }

  function finished(status: CrossReviewOutcome['status']): CrossReviewRun<S> {
    return {
      kind: 'finished',
      outcome: {
        status,
        primary: input.primary.name,
        challenger: challenger?.name ?? null,
        rounds: turns.length,
        max_rounds: input.maxRounds,
        min_confidence: input.minConfidence,
        consensus_issues: ledger.byStatus('consensus'),
        contested_issues: ledger.byStatus('contested'),
        open_issues: ledger.byStatus('open'),
        withdrawn_issues: ledger.byStatus('withdrawn'),
        low_confidence_issues: ledger.belowConfidence(),
        turns,
        cost_usd: roundUsd(cost),
      },
    };
  }
}
