/**
 * github: Harness's side of GitHub — a REST client (issues, pull requests, comments, reviews,
 * permissions, the token's own user) with bounded retries and errors that never carry the token;
 * webhook verification, payload schemas, mention parsing, author authorization (GitHub's
 * permission API behind a short cache) and delivery dedup, ending in a pure decision of what a
 * delivery asks for. The in-memory GitHub REST stand-in for tests and the demo is in @harness/testkit.
 * Depends only on core and @harness/protocol (plus @octokit/rest and zod).
 */
export { parseRemoteUrl, parseRepoSlug, tryParseRepoSlug, repoSlug, type RepoRef } from './repo-ref.js';
export { wrapExternalData } from './external-data.js';
export {
  GithubClient,
  githubClientOptionsFromConfig,
  defaultApiUrl,
  type GithubClientOptions,
} from './client.js';
export { githubErrorData, defaultRetry, type GithubErrorData, type RetryOptions } from './client-errors.js';
export type {
  GithubUser,
  GithubIssue,
  GithubBranchRef,
  GithubPullRequest,
  GithubComment,
  GithubReview,
  ReviewEvent,
  ReviewLineComment,
  CreateReviewInput,
  CreatePullRequestInput,
  CreatePullRequestResult,
  RepoPermission,
  PermissionAnswer,
  PermissionLookup,
} from './client-types.js';
export { grantsWrite } from './client-types.js';
export { CachedPermissionLookup, type PermissionCacheOptions } from './permission-cache.js';
export {
  verifySignature,
  isValidEventName,
  isValidDeliveryId,
  signatureHeader,
  eventHeader,
  deliveryHeader,
  type SignatureCheck,
  type SignatureFailure,
} from './signature.js';
export {
  webhookPayloadSchemas,
  issuesPayloadSchema,
  issueCommentPayloadSchema,
  pullRequestReviewPayloadSchema,
  pullRequestReviewCommentPayloadSchema,
  parseWebhookPayload,
  isSupportedWebhookEvent,
  type SupportedWebhookEvent,
  type ParsedWebhook,
  type ParseWebhookResult,
  type WebhookUser,
  type IssuesPayload,
  type IssueCommentPayload,
  type PullRequestReviewPayload,
  type PullRequestReviewCommentPayload,
} from './payloads.js';
export { parseMention, defaultMentionHandle, type MentionCommand, type MentionKind } from './mention.js';
export {
  authorizeActor,
  authorizeByPermission,
  isBotActor,
  refuseBot,
  writePermissions,
  type Actor,
  type AuthorizationDecision,
  type AuthorizationOptions,
} from './authorization.js';
export {
  MemoryDeliveryDeduplicator,
  type DeliveryDeduplicator,
  type MemoryDeduplicatorOptions,
} from './dedup.js';
export {
  decideWebhookAction,
  resolveWebhookAction,
  type WebhookAction,
  type WebhookTask,
  type WebhookDecisionOptions,
} from './webhook-decision.js';
export {
  buildWebhookPrompt,
  refusalReply,
  type PromptInput,
  type WebhookTargetType,
} from './webhook-prompts.js';
