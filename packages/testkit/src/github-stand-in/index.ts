/**
 * github-stand-in: an in-memory GitHub REST API on 127.0.0.1 (repositories, branches, pull
 * requests, issues, comments, reviews, collaborator permissions, the token's user) with GitHub's
 * JSON shapes and errors, injectable faults, and inspectors for what clients did. Harness's real
 * GitHub client talks to it in tests and in the demo. Depends on Node only.
 */
export {
  GithubStandIn,
  startGithubStandIn,
  type GithubStandInOptions,
  type FaultOptions,
  type StandInRequest,
  type StandInRoute,
} from './server.js';
export type { RepoPermission } from './model.js';
export type { InspectedPullRequest, InspectedComment, InspectedReview } from './inspect.js';
