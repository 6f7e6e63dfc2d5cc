import { z } from 'zod';
import { describeIssues } from '../core/index.js';
import { tryParseRepoSlug } from './repo-ref.js';

/**
 * zod schemas for the webhook payloads Harness acts on. They require what the decision reads and
 * ignore the rest (GitHub adds fields often). Identifiers that end up in prompts, logs or URLs are
 * charset-checked here; free text (titles, bodies, comments) is kept verbatim as data.
 */
const login = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,99})(?:\[bot\])?$/, 'not a GitHub login');
const fullName = z.string().refine((name) => tryParseRepoSlug(name) !== null, 'not an owner/repo name');
const positive = z.number().int().positive();
const text = z
  .string()
  .nullish()
  .transform((value) => value ?? '');

export const webhookUserSchema = z.object({ login, type: z.string().default('User') });

export const repositorySchema = z.object({
  // The numeric id, unlike the name, survives renames and transfers: dedup keys use it.
  id: positive,
  full_name: fullName,
  html_url: z.string(),
  private: z.boolean().optional(),
});

export const issueSchema = z.object({
  id: positive,
  number: positive,
  title: z.string(),
  body: text,
  state: z.string(),
  html_url: z.string(),
  user: webhookUserSchema,
  author_association: z.string(),
  // Present (an object of URLs) when the "issue" is a pull request.
  pull_request: z.object({ html_url: z.string().optional() }).nullish(),
});

export const issueCommentSchema = z.object({
  id: positive,
  body: text,
  html_url: z.string(),
  user: webhookUserSchema,
  author_association: z.string(),
});

const branchSchema = z.object({
  ref: z.string(),
  sha: z.string(),
  repo: z.object({ full_name: fullName }).nullish(),
});

export const pullRequestSchema = z.object({
  number: positive,
  title: z.string(),
  body: text,
  state: z.string(),
  html_url: z.string(),
  draft: z.boolean().optional(),
  user: webhookUserSchema,
  head: branchSchema,
  base: branchSchema,
});

export const reviewSchema = z.object({
  id: positive,
  body: text,
  state: z.string(),
  html_url: z.string(),
  commit_id: z.string().nullish(),
  user: webhookUserSchema,
  author_association: z.string(),
});

export const reviewCommentSchema = z.object({
  id: positive,
  body: text,
  html_url: z.string(),
  path: z.string(),
  line: z.number().int().nullish(),
  diff_hunk: z.string().optional(),
  user: webhookUserSchema,
  author_association: z.string(),
});

const envelope = { action: z.string(), repository: repositorySchema, sender: webhookUserSchema };

export const issuesPayloadSchema = z.object({ ...envelope, issue: issueSchema });
export const issueCommentPayloadSchema = z.object({
  ...envelope,
  issue: issueSchema,
  comment: issueCommentSchema,
});
export const pullRequestReviewPayloadSchema = z.object({
  ...envelope,
  review: reviewSchema,
  pull_request: pullRequestSchema,
});
export const pullRequestReviewCommentPayloadSchema = z.object({
  ...envelope,
  comment: reviewCommentSchema,
  pull_request: pullRequestSchema,
});

export type WebhookUser = z.output<typeof webhookUserSchema>;
export type IssuesPayload = z.output<typeof issuesPayloadSchema>;
export type IssueCommentPayload = z.output<typeof issueCommentPayloadSchema>;
export type PullRequestReviewPayload = z.output<typeof pullRequestReviewPayloadSchema>;
export type PullRequestReviewCommentPayload = z.output<typeof pullRequestReviewCommentPayloadSchema>;

export const webhookPayloadSchemas = {
  issues: issuesPayloadSchema,
  issue_comment: issueCommentPayloadSchema,
  pull_request_review: pullRequestReviewPayloadSchema,
  pull_request_review_comment: pullRequestReviewCommentPayloadSchema,
} as const;

export type SupportedWebhookEvent = keyof typeof webhookPayloadSchemas;

export type ParsedWebhook =
  | { event: 'issues'; payload: IssuesPayload }
  | { event: 'issue_comment'; payload: IssueCommentPayload }
  | { event: 'pull_request_review'; payload: PullRequestReviewPayload }
  | { event: 'pull_request_review_comment'; payload: PullRequestReviewCommentPayload };

export function isSupportedWebhookEvent(event: string): event is SupportedWebhookEvent {
  return Object.hasOwn(webhookPayloadSchemas, event);
}

export type ParseWebhookResult = ({ ok: true } & ParsedWebhook) | { ok: false; error: string };

/** Validates a supported event's payload (already JSON-decoded). */
export function parseWebhookPayload(event: SupportedWebhookEvent, payload: unknown): ParseWebhookResult {
  const result = webhookPayloadSchemas[event].safeParse(payload);
  if (!result.success)
    return {
      ok: false,
      error: `invalid ${event} payload: ${describeIssues(result.error, { root: '(root)', limit: 5 })}`,
    };
  return { ok: true, event, payload: result.data } as ParseWebhookResult;
}
