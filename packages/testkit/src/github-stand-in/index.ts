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
