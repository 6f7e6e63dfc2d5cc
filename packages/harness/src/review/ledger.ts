import type { ReviewIssue } from '@harness/protocol';
import type { RaisedIssue, Stance } from './answer.js';

/**
 * The issues of one cross-review across its rounds. An issue's author holds it until it withdraws
 * it (disputes its own issue); the other side agrees or disputes. Consensus: both hold it.
 * Contested: the other side disputes it and the author keeps it. A dispute may be taken back by
 * agreeing later, and an agreement by disputing: the latest stance counts.
 */
export class IssueLedger {
  private readonly issues: ReviewIssue[] = [];
  private readonly lowConfidence: ReviewIssue[] = [];

  constructor(
    /** The two sides; with one, every issue its reviewer raises is its own consensus. */
    private readonly parties: readonly string[],
    private readonly minConfidence: number,
  ) {}

  /** Adds a reviewer's new issues; those below `min_confidence` are kept aside, never argued. */
  raise(agent: string, round: number, raised: readonly RaisedIssue[]): void {
    for (const issue of raised) {
      const entry: ReviewIssue = {
        id: `I${this.issues.length + this.lowConfidence.length + 1}`,
        ...issue,
        raised_by: agent,
        round,
        agreed_by: [agent],
        disputed_by: [],
        status: 'open',
      };
      (issue.confidence < this.minConfidence ? this.lowConfidence : this.issues).push(entry);
      this.restatus(entry);
    }
  }

  /** Applies a reviewer's stances; returns the ids it named that the ledger does not hold. */
  assess(agent: string, stances: readonly Stance[]): string[] {
    const unknown: string[] = [];
    for (const { id, stance, reason } of stances) {
      const issue = this.issues.find((i) => i.id === id);
      if (issue === undefined) {
        if (!this.lowConfidence.some((i) => i.id === id)) unknown.push(id);
        continue;
      }
      issue.agreed_by = issue.agreed_by.filter((a) => a !== agent);
      issue.disputed_by = issue.disputed_by.filter((d) => d.agent !== agent);
      if (stance === 'agree') issue.agreed_by.push(agent);
      else issue.disputed_by.push({ agent, reason });
      this.restatus(issue);
    }
    return unknown;
  }

  /** What `agent` must still answer: issues of the other side it has no stance on, or disputes. */
  pendingFor(agent: string): ReviewIssue[] {
    return this.issues.filter(
      (i) =>
        i.status === 'contested' ||
        (i.status === 'open' &&
          !i.agreed_by.includes(agent) &&
          !i.disputed_by.some((d) => d.agent === agent)),
    );
  }

  /** Agreement: no issue open or contested. */
  settled(): boolean {
    return this.issues.every((i) => i.status === 'consensus' || i.status === 'withdrawn');
  }

  byStatus(status: ReviewIssue['status']): ReviewIssue[] {
    return this.issues.filter((i) => i.status === status).map(copy);
  }

  belowConfidence(): ReviewIssue[] {
    return this.lowConfidence.map(copy);
  }

  private restatus(issue: ReviewIssue): void {
    const author = issue.raised_by;
    if (issue.disputed_by.some((d) => d.agent === author)) issue.status = 'withdrawn';
    else if (issue.disputed_by.length > 0) issue.status = 'contested';
    else if (this.parties.every((p) => issue.agreed_by.includes(p))) issue.status = 'consensus';
    else issue.status = 'open';
  }
}

function copy(issue: ReviewIssue): ReviewIssue {
  return { ...issue, agreed_by: [...issue.agreed_by], disputed_by: issue.disputed_by.map((d) => ({ ...d })) };
}
