import type { Actor } from './authorization.js';
import type { MentionKind } from './mention.js';
import type {
  IssueCommentPayload,
  IssuesPayload,
  ParsedWebhook,
  PullRequestReviewCommentPayload,
  PullRequestReviewPayload,
  SupportedWebhookEvent,
} from './payloads.js';
import { parseRepoSlug, type RepoRef } from './repo-ref.js';
import type { WebhookTargetType } from './webhook-prompts.js';

/**
 * What a delivery asks of Harness, the same for every event: who asked, on what, with which text.
 * `text` is the body to look for a mention in; `implied` is a command the event itself carries
 * (a "changes requested" review on Harness's own pull request needs no mention).
 */
export interface WebhookRequest {
  event: SupportedWebhookEvent;
  repo: RepoRef;
  actor: Actor;
  /** Whoever caused the delivery (for a new comment, its author; for an edit, the editor). */
  sender: Actor;
  target: { type: WebhookTargetType; number: number; html_url: string; title: string; body: string };
  head_ref: string | null;
  head_repo: string | null;
  text: string;
  implied: { kind: MentionKind; instruction: string } | null;
  /**
   * `key` names the comment, review or issue event itself, whatever delivery carries it:
   * a redelivery under a new `X-GitHub-Delivery` id has the same key.
   */
  trigger: { key: string; html_url: string; comment_id?: number; review_id?: number };
  context: Array<[string, string]>;
}

export interface RequestOptions {
  bot_login?: string;
  address_changes_requested?: boolean;
}

type Extracted = WebhookRequest | { ignore: string };

function actorOf(user: { login: string; type: string }, author_association?: string): Actor {
  return { login: user.login, type: user.type, ...(author_association ? { author_association } : {}) };
}

function fromIssues(p: IssuesPayload): Extracted {
  if (p.action !== 'opened' && p.action !== 'reopened') return { ignore: 'ignored issues action' };
  if (p.issue.pull_request) return { ignore: 'issues event references pull request' };
  const { issue } = p;
  return {
    event: 'issues',
    repo: parseRepoSlug(p.repository.full_name),
    actor: actorOf(issue.user, issue.author_association),
    sender: actorOf(p.sender),
    target: {
      type: 'issue',
      number: issue.number,
      html_url: issue.html_url,
      title: issue.title,
      body: issue.body,
    },
    head_ref: null,
    head_repo: null,
    // The issue body is both the request and the description; the prompt shows it once.
    text: issue.body,
    implied: null,
    // Opening and reopening are distinct requests; the same one redelivered is not.
    trigger: { key: `issues:${issue.id}:${p.action}`, html_url: issue.html_url },
    context: [],
  };
}

function fromIssueComment(p: IssueCommentPayload): Extracted {
  if (p.action !== 'created') return { ignore: 'ignored issue_comment action' };
  const { issue, comment } = p;
  return {
    event: 'issue_comment',
    repo: parseRepoSlug(p.repository.full_name),
    actor: actorOf(comment.user, comment.author_association),
    sender: actorOf(p.sender),
    target: {
      type: issue.pull_request ? 'pull_request' : 'issue',
      number: issue.number,
      html_url: issue.html_url,
      title: issue.title,
      body: issue.body,
    },
    head_ref: null,
    head_repo: null,
    text: comment.body,
    implied: null,
    trigger: {
      key: `issue_comment:${p.repository.id}:${comment.id}`,
      html_url: comment.html_url,
      comment_id: comment.id,
    },
    context: [],
  };
}

function pullTarget(pr: PullRequestReviewPayload['pull_request']): WebhookRequest['target'] {
  return { type: 'pull_request', number: pr.number, html_url: pr.html_url, title: pr.title, body: pr.body };
}

function fromReview(p: PullRequestReviewPayload, options: RequestOptions): Extracted {
  if (p.action !== 'submitted') return { ignore: 'ignored pull_request_review action' };
  const { review, pull_request: pr } = p;
  const ownPull =
    options.bot_login !== undefined && pr.user.login.toLowerCase() === options.bot_login.toLowerCase();
  const changesRequested = review.state.toLowerCase() === 'changes_requested';
  return {
    event: 'pull_request_review',
    repo: parseRepoSlug(p.repository.full_name),
    actor: actorOf(review.user, review.author_association),
    sender: actorOf(p.sender),
    target: pullTarget(pr),
    head_ref: pr.head.ref,
    head_repo: pr.head.repo?.full_name ?? null,
    text: review.body,
    implied:
      ownPull && changesRequested && (options.address_changes_requested ?? true)
        ? { kind: 'address_review', instruction: review.body }
        : null,
    trigger: { key: `pull_request_review:${review.id}`, html_url: review.html_url, review_id: review.id },
    context: [['Review state', review.state]],
  };
}

function fromReviewComment(p: PullRequestReviewCommentPayload): Extracted {
  if (p.action !== 'created') return { ignore: 'ignored pull_request_review_comment action' };
  const { comment, pull_request: pr } = p;
  const where = comment.line ? `${comment.path}:${comment.line}` : comment.path;
  return {
    event: 'pull_request_review_comment',
    repo: parseRepoSlug(p.repository.full_name),
    actor: actorOf(comment.user, comment.author_association),
    sender: actorOf(p.sender),
    target: pullTarget(pr),
    head_ref: pr.head.ref,
    head_repo: pr.head.repo?.full_name ?? null,
    text: comment.body,
    implied: null,
    trigger: {
      key: `pull_request_review_comment:${comment.id}`,
      html_url: comment.html_url,
      comment_id: comment.id,
    },
    context: [
      ['Commented on', where],
      ...(comment.diff_hunk ? [['Diff hunk', comment.diff_hunk] as [string, string]] : []),
    ],
  };
}

/** Normalises a parsed delivery, or says why the event is not one Harness acts on. */
export function extractRequest(parsed: ParsedWebhook, options: RequestOptions): Extracted {
  switch (parsed.event) {
    case 'issues':
      return fromIssues(parsed.payload);
    case 'issue_comment':
      return fromIssueComment(parsed.payload);
    case 'pull_request_review':
      return fromReview(parsed.payload, options);
    case 'pull_request_review_comment':
      return fromReviewComment(parsed.payload);
  }
}
