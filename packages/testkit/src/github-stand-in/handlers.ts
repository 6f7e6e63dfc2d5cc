import {
  fakeSha,
  StandInHttpError,
  StandInModel,
  type StandInUser,
  type StoredRepo,
  type StoredReview,
} from './model.js';
import {
  commentJson,
  issueJson,
  permissionJson,
  pullApiUrl,
  pullJson,
  reviewJson,
  userJson,
  type Urls,
} from './render.js';

export interface HandlerContext {
  model: StandInModel;
  urls: Urls;
  /** Whoever the token belongs to: the author of everything created through the API. */
  viewer: StandInUser;
  /** True when the token acts like a GitHub App installation token (no `GET /user`). */
  installation_token: boolean;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: HandlerContext) => HandlerResult;

function repoOf(ctx: HandlerContext): StoredRepo {
  return ctx.model.repo(ctx.params.owner!, ctx.params.repo!);
}

function numberParam(ctx: HandlerContext, name: string): number {
  const value = Number(ctx.params[name]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new StandInHttpError(404, 'Not Found');
  return value;
}

function field(ctx: HandlerContext, name: string): unknown {
  return typeof ctx.body === 'object' && ctx.body !== null
    ? (ctx.body as Record<string, unknown>)[name]
    : undefined;
}

function requiredText(ctx: HandlerContext, name: string, resource: string): string {
  const value = field(ctx, name);
  if (typeof value !== 'string' || value.length === 0) {
    throw new StandInHttpError(422, 'Validation Failed', [{ resource, code: 'missing_field', field: name }]);
  }
  return value;
}

function checkBranch(repo: StoredRepo, ref: string, name: 'head' | 'base'): void {
  if (repo.branches !== null && !repo.branches.has(ref)) {
    throw new StandInHttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', code: 'invalid', field: name },
    ]);
  }
}

const createPull: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const title = requiredText(ctx, 'title', 'PullRequest');
  const head = requiredText(ctx, 'head', 'PullRequest');
  const base = requiredText(ctx, 'base', 'PullRequest');
  const [head_owner, head_ref] = head.includes(':')
    ? (head.split(':', 2) as [string, string])
    : [repo.owner, head];
  const sameRepo = head_owner.toLowerCase() === repo.owner.toLowerCase();
  if (sameRepo) checkBranch(repo, head_ref, 'head');
  checkBranch(repo, base, 'base');
  if (sameRepo && head_ref === base) {
    throw new StandInHttpError(422, 'Validation Failed', [
      { resource: 'PullRequest', code: 'custom', message: `No commits between ${base} and ${head_ref}` },
    ]);
  }
  if (ctx.model.openPullFor(repo, head_owner, head_ref, base) !== undefined) {
    throw new StandInHttpError(422, 'Validation Failed', [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${head_owner}:${head_ref}.`,
      },
    ]);
  }
  const body = field(ctx, 'body');
  const issue = ctx.model.addIssue(repo, {
    title,
    body: typeof body === 'string' ? body : '',
    user: ctx.viewer,
    pull: {
      head_owner,
      head_ref,
      head_sha: fakeSha(head_owner, head_ref),
      base_ref: base,
      base_sha: fakeSha(repo.owner, base),
      draft: field(ctx, 'draft') === true,
      merged: false,
    },
  });
  const pull = ctx.model.pull(repo, issue.number);
  return {
    status: 201,
    body: pullJson(ctx.urls, repo, pull),
    headers: { location: pullApiUrl(ctx.urls, repo, issue.number) },
  };
};

const listPulls: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const state = ctx.query.get('state') ?? 'open';
  const head = ctx.query.get('head')?.toLowerCase();
  const base = ctx.query.get('base');
  const perPage = Math.min(Math.max(Number(ctx.query.get('per_page') ?? 30) || 30, 1), 100);
  const page = Math.max(Number(ctx.query.get('page') ?? 1) || 1, 1);
  const pulls = [...repo.issues.values()]
    .filter((i) => i.pull !== null)
    .filter((i) => state === 'all' || i.state === state)
    .filter((i) => head === undefined || StandInModel.headLabel(i.pull!) === head)
    .filter((i) => base === null || i.pull!.base_ref === base)
    .sort((a, b) => b.number - a.number)
    .slice((page - 1) * perPage, page * perPage);
  return { status: 200, body: pulls.map((i) => pullJson(ctx.urls, repo, ctx.model.pull(repo, i.number))) };
};

const getPull: Handler = (ctx) => {
  const repo = repoOf(ctx);
  return { status: 200, body: pullJson(ctx.urls, repo, ctx.model.pull(repo, numberParam(ctx, 'number'))) };
};

const getIssue: Handler = (ctx) => {
  const repo = repoOf(ctx);
  return { status: 200, body: issueJson(ctx.urls, repo, ctx.model.issue(repo, numberParam(ctx, 'number'))) };
};

const createComment: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const number = numberParam(ctx, 'number');
  const body = requiredText(ctx, 'body', 'IssueComment');
  const json = commentJson(ctx.urls, repo, ctx.model.addComment(repo, number, body, ctx.viewer));
  return { status: 201, body: json, headers: { location: json.url } };
};

const updateComment: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const id = numberParam(ctx, 'id');
  const comment = repo.comments.find((c) => c.id === id);
  if (comment === undefined) throw new StandInHttpError(404, 'Not Found');
  comment.earlier_bodies.push(comment.body);
  comment.body = requiredText(ctx, 'body', 'IssueComment');
  comment.updated_at = ctx.model.timestamp();
  comment.edited = true;
  return { status: 200, body: commentJson(ctx.urls, repo, comment) };
};

const listComments: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const number = numberParam(ctx, 'number');
  ctx.model.issue(repo, number);
  const comments = repo.comments.filter((c) => c.issue_number === number);
  return { status: 200, body: comments.map((c) => commentJson(ctx.urls, repo, c)) };
};

const reviewStates = {
  APPROVE: 'APPROVED',
  REQUEST_CHANGES: 'CHANGES_REQUESTED',
  COMMENT: 'COMMENTED',
} as const;

function reviewComments(ctx: HandlerContext): StoredReview['comments'] {
  const raw = field(ctx, 'comments') ?? [];
  if (!Array.isArray(raw))
    throw new StandInHttpError(422, 'Invalid request.', ['"comments" is not an array.']);
  return raw.map((entry: unknown) => {
    const c = (entry ?? {}) as Record<string, unknown>;
    const line = c.line;
    if (typeof c.path !== 'string' || c.path.length === 0 || typeof c.body !== 'string') {
      throw new StandInHttpError(422, 'Unprocessable Entity', [
        'Path and body are required for review comments',
      ]);
    }
    if (typeof line !== 'number' || !Number.isSafeInteger(line) || line < 1) {
      throw new StandInHttpError(422, 'Unprocessable Entity', ['Line could not be resolved']);
    }
    const side = c.side === 'LEFT' ? 'LEFT' : 'RIGHT';
    return { id: ctx.model.nextId(), path: c.path, line, side, body: c.body };
  });
}

function reviewState(
  ctx: HandlerContext,
  author: string,
  hasComments: boolean,
  body: string,
): StoredReview['state'] {
  const event = field(ctx, 'event');
  if (event !== 'APPROVE' && event !== 'REQUEST_CHANGES' && event !== 'COMMENT') {
    throw new StandInHttpError(422, 'Unprocessable Entity', [
      'event must be APPROVE, REQUEST_CHANGES or COMMENT',
    ]);
  }
  const own = author.toLowerCase() === ctx.viewer.login.toLowerCase();
  if (own && event === 'APPROVE')
    throw new StandInHttpError(422, 'Unprocessable Entity', ['Can not approve your own pull request']);
  if (own && event === 'REQUEST_CHANGES') {
    throw new StandInHttpError(422, 'Unprocessable Entity', [
      'Can not request changes on your own pull request',
    ]);
  }
  if (body.length === 0 && (event === 'REQUEST_CHANGES' || (event === 'COMMENT' && !hasComments))) {
    throw new StandInHttpError(422, 'Unprocessable Entity', [`Body is required when using ${event} event`]);
  }
  return reviewStates[event];
}

const createReview: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const pull = ctx.model.pull(repo, numberParam(ctx, 'number'));
  const rawBody = field(ctx, 'body');
  const body = typeof rawBody === 'string' ? rawBody : '';
  const comments = reviewComments(ctx);
  const state = reviewState(ctx, pull.user.login, comments.length > 0, body);
  const commit = field(ctx, 'commit_id');
  const review: StoredReview = {
    id: ctx.model.nextId(),
    pull_number: pull.number,
    state,
    body,
    user: ctx.viewer,
    commit_id: typeof commit === 'string' ? commit : pull.pull.head_sha,
    submitted_at: ctx.model.timestamp(),
    comments,
  };
  repo.reviews.push(review);
  return { status: 200, body: reviewJson(ctx.urls, repo, review) };
};

const listReviews: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const pull = ctx.model.pull(repo, numberParam(ctx, 'number'));
  const reviews = repo.reviews.filter((r) => r.pull_number === pull.number);
  return { status: 200, body: reviews.map((r) => reviewJson(ctx.urls, repo, r)) };
};

const getPermission: Handler = (ctx) => {
  const repo = repoOf(ctx);
  const login = ctx.params.username!;
  return { status: 200, body: permissionJson(ctx.urls, login, ctx.model.permissionOf(repo, login)) };
};

const getAuthenticatedUser: Handler = (ctx) => {
  if (ctx.installation_token) throw new StandInHttpError(403, 'Resource not accessible by integration');
  return { status: 200, body: userJson(ctx.urls, ctx.viewer) };
};

/** Route names follow Octokit's (`issues.get`), which is also how tests name them for fault injection. */
export const routes = [
  { name: 'issues.get', method: 'GET', path: '/repos/:owner/:repo/issues/:number', handler: getIssue },
  {
    name: 'issues.listComments',
    method: 'GET',
    path: '/repos/:owner/:repo/issues/:number/comments',
    handler: listComments,
  },
  {
    name: 'issues.createComment',
    method: 'POST',
    path: '/repos/:owner/:repo/issues/:number/comments',
    handler: createComment,
  },
  {
    name: 'issues.updateComment',
    method: 'PATCH',
    path: '/repos/:owner/:repo/issues/comments/:id',
    handler: updateComment,
  },
  { name: 'pulls.list', method: 'GET', path: '/repos/:owner/:repo/pulls', handler: listPulls },
  { name: 'pulls.create', method: 'POST', path: '/repos/:owner/:repo/pulls', handler: createPull },
  { name: 'pulls.get', method: 'GET', path: '/repos/:owner/:repo/pulls/:number', handler: getPull },
  {
    name: 'pulls.createReview',
    method: 'POST',
    path: '/repos/:owner/:repo/pulls/:number/reviews',
    handler: createReview,
  },
  {
    name: 'pulls.listReviews',
    method: 'GET',
    path: '/repos/:owner/:repo/pulls/:number/reviews',
    handler: listReviews,
  },
  { name: 'users.getAuthenticated', method: 'GET', path: '/user', handler: getAuthenticatedUser },
  {
    name: 'repos.getCollaboratorPermissionLevel',
    method: 'GET',
    path: '/repos/:owner/:repo/collaborators/:username/permission',
    handler: getPermission,
  },
] as const;

export type StandInRoute = (typeof routes)[number]['name'];

/** Finds the route for a request path; `:params` match one URL-decoded segment. */
export function matchRoute(method: string, pathname: string) {
  const segments = pathname.split('/');
  for (const route of routes) {
    const pattern = route.path.split('/');
    if (route.method !== method || pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matched = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (!part.startsWith(':')) return part === segment;
      if (segment.length === 0) return false;
      params[part.slice(1)] = decodeURIComponent(segment);
      return true;
    });
    if (matched) return { route, params };
  }
  return null;
}
