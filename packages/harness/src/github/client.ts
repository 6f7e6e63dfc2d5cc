import { Octokit } from '@octokit/rest';
import type { HarnessConfig, Logger } from '../core/index.js';
import {
  defaultRetry,
  githubErrorData,
  retryDelay,
  toGithubError,
  type RetryOptions,
} from './client-errors.js';
import {
  toComment,
  toIssue,
  toPermission,
  toPullRequest,
  toReview,
  type CreatePullRequestInput,
  type CreatePullRequestResult,
  type CreateReviewInput,
  type GithubComment,
  type GithubIssue,
  type GithubPullRequest,
  type GithubReview,
  type GithubUser,
  type PermissionAnswer,
  type PermissionLookup,
} from './client-types.js';
import type { RepoRef } from './repo-ref.js';

export interface GithubClientOptions {
  /** REST base URL; GitHub's own by default, `https://host/api/v3` for Enterprise, a stand-in in tests. */
  api_url?: string;
  token?: string;
  retry?: Partial<RetryOptions>;
  /** Per attempt, so a hung connection is retried rather than waited on forever. */
  timeout_ms?: number;
  user_agent?: string;
  logger?: Logger;
}

export const defaultApiUrl = 'https://api.github.com';

interface RequestOptionsLike {
  method?: string;
  url?: string;
}

type Requester = (options: RequestOptionsLike) => Promise<unknown>;

/** The client settings from the `[github]` config section (its token already folds in GITHUB_TOKEN). */
export function githubClientOptionsFromConfig(config: Pick<HarnessConfig, 'github'>): GithubClientOptions {
  return { api_url: config.github.api_url, token: config.github.token };
}

/**
 * The GitHub REST calls Harness makes, over Octokit. Every failure surfaces as a HarnessError naming
 * status and endpoint (never the token); 5xx, transport failures and secondary rate limits are
 * retried with jittered exponential backoff, a bounded number of times.
 */
export class GithubClient implements PermissionLookup {
  readonly api_url: string;
  readonly #octokit: Octokit;
  readonly #token: string | undefined;
  readonly #retry: RetryOptions;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;

  /**
   * This client with other retry and timeout limits (same server, token and logger): for callers
   * on a deadline, such as a webhook delivery that GitHub gives 10 s.
   */
  withCallLimits(limits: Pick<GithubClientOptions, 'retry' | 'timeout_ms'>): GithubClient {
    return new GithubClient({
      api_url: this.api_url,
      ...(this.#token === undefined ? {} : { token: this.#token }),
      retry: { ...this.#retry, ...limits.retry },
      timeout_ms: limits.timeout_ms ?? this.#timeoutMs,
      ...(this.#logger === undefined ? {} : { logger: this.#logger }),
    });
  }

  /** False when no token is set: GitHub then refuses pull requests and reviews. */
  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  constructor(options: GithubClientOptions = {}) {
    this.api_url = (options.api_url ?? defaultApiUrl).replace(/\/+$/, '');
    this.#token = options.token && options.token.length > 0 ? options.token : undefined;
    this.#retry = { ...defaultRetry, ...options.retry };
    this.#timeoutMs = options.timeout_ms ?? 30_000;
    this.#logger = options.logger;
    const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    this.#octokit = new Octokit({
      baseUrl: this.api_url,
      ...(this.#token === undefined ? {} : { auth: this.#token }),
      userAgent: options.user_agent ?? 'harness',
      log: quiet,
      request: { fetch: this.#fetchWithTimeout },
    });
    this.#octokit.hook.wrap('request', async (request, endpoint) => {
      const response = await this.#withRetries(request as Requester, endpoint);
      return response as Awaited<ReturnType<typeof request>>;
    });
  }

  // The timeout lives in fetch rather than in the retry hook: Octokit hands every hook layer the
  // options it started with, so a signal added in the hook would never reach the request.
  readonly #fetchWithTimeout = (url: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return fetch(url, { ...init, signal });
  };

  async #withRetries(request: Requester, options: RequestOptionsLike): Promise<unknown> {
    const call = { method: (options.method ?? 'GET').toUpperCase(), endpoint: String(options.url ?? '') };
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await request(options);
      } catch (error) {
        const delay =
          attempt < this.#retry.retries ? retryDelay(error, attempt, this.#retry, Date.now()) : null;
        if (delay === null) throw toGithubError(error, call, this.#token);
        this.#logger?.warn(
          { ...call, attempt: attempt + 1, delay_ms: Math.round(delay) },
          'retrying GitHub call',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  async getIssue(repo: RepoRef, number: number): Promise<GithubIssue> {
    const { data } = await this.#octokit.rest.issues.get({ ...repo, issue_number: number });
    return toIssue(data);
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<GithubPullRequest> {
    const { data } = await this.#octokit.rest.pulls.get({ ...repo, pull_number: number });
    return toPullRequest(data);
  }

  /** The open pull request whose head is `head_branch` (`branch` in this repo, or `owner:branch`). */
  async findOpenPullRequest(repo: RepoRef, head_branch: string): Promise<GithubPullRequest | null> {
    const head = head_branch.includes(':') ? head_branch : `${repo.owner}:${head_branch}`;
    const { data } = await this.#octokit.rest.pulls.list({ ...repo, state: 'open', head, per_page: 100 });
    const first = data[0];
    return first === undefined ? null : toPullRequest(first);
  }

  /**
   * Opens a pull request, or returns the open one for the same head branch: a retried or resumed
   * task must not open a second. GitHub's 422 "already exists" (another writer won the race, or an
   * earlier attempt succeeded but its response was lost) is answered the same way.
   */
  /**
   * Opens the pull request, or returns the open one of the same head. Opening is tried first: it is
   * what usually happens, and GitHub refuses a second open pull request of one head (422 "already
   * exists"), which only then costs the lookup — one round trip a task instead of two.
   */
  async createPullRequest(repo: RepoRef, input: CreatePullRequestInput): Promise<CreatePullRequestResult> {
    try {
      const { data } = await this.#octokit.rest.pulls.create({
        ...repo,
        head: input.head,
        base: input.base,
        title: input.title,
        body: input.body ?? '',
        draft: input.draft ?? false,
      });
      return { pull_request: toPullRequest(data), created: true };
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
      const existing = await this.findOpenPullRequest(repo, input.head);
      if (existing === null) throw error;
      return { pull_request: existing, created: false };
    }
  }

  async createIssueComment(repo: RepoRef, issue_number: number, body: string): Promise<GithubComment> {
    const { data } = await this.#octokit.rest.issues.createComment({ ...repo, issue_number, body });
    return toComment(data);
  }

  async updateIssueComment(repo: RepoRef, comment_id: number, body: string): Promise<GithubComment> {
    const { data } = await this.#octokit.rest.issues.updateComment({ ...repo, comment_id, body });
    return toComment(data);
  }

  async createReview(repo: RepoRef, pull_number: number, input: CreateReviewInput): Promise<GithubReview> {
    const { data } = await this.#octokit.rest.pulls.createReview({
      ...repo,
      pull_number,
      event: input.event,
      ...(input.body === undefined ? {} : { body: input.body }),
      ...(input.commit_id === undefined ? {} : { commit_id: input.commit_id }),
      comments: (input.comments ?? []).map((c) => ({
        path: c.path,
        line: c.line,
        side: c.side ?? 'RIGHT',
        body: c.body,
      })),
    });
    return toReview(data);
  }

  /**
   * The user's role on the repository. A 404 (GitHub will not show this user on this repository:
   * an unknown login, or a token that cannot see the repo) is an answer, not an error: `none`,
   * with `found: false`. Anything else that fails throws.
   */
  async getCollaboratorPermission(repo: RepoRef, user: string): Promise<PermissionAnswer> {
    try {
      const { data } = await this.#octokit.rest.repos.getCollaboratorPermissionLevel({
        ...repo,
        username: user,
      });
      return toPermission(data);
    } catch (error) {
      if (githubErrorData(error)?.status === 404)
        return { permission: 'none', role_name: null, found: false };
      throw error;
    }
  }

  /** Whom the token acts as (`GET /user`). GitHub App installation tokens are refused (403). */
  async getAuthenticatedUser(): Promise<GithubUser> {
    const { data } = await this.#octokit.rest.users.getAuthenticated();
    const login = typeof data.login === 'string' ? data.login : '';
    return { login, type: typeof data.type === 'string' ? data.type : 'User' };
  }
}

function isAlreadyExists(error: unknown): boolean {
  const data = githubErrorData(error);
  if (data === null || data.status !== 422) return false;
  return [data.github_message ?? '', ...data.github_errors].some((m) => /already exists/i.test(m));
}
