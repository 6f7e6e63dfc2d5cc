/**
 * github: Harness's side of GitHub — a REST client (issues, pull requests, comments, reviews,
 * permissions) with bounded retries and errors that never carry the token; webhook verification,
 * payload schemas, mention parsing, author authorization and delivery dedup, ending in a pure
 * decision of what a delivery asks for; and an in-memory GitHub REST stand-in for tests and the demo.
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
  PermissionLookup,
} from './client-types.js';
export {
  GithubStandIn,
  startGithubStandIn,
  type GithubStandInOptions,
  type FaultOptions,
  type StandInRequest,
  type StandInRoute,
} from './stand-in/server.js';
export type { InspectedPullRequest, InspectedComment, InspectedReview } from './stand-in/inspect.js';
