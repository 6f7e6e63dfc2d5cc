import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchRoute, type HandlerResult, type StandInRoute } from './handlers.js';
import { fakeSha, StandInHttpError, StandInModel, type RepoPermission, type StandInUser } from './model.js';
import { repoJson, type Urls } from './render.js';
import { StandInInspector } from './inspect.js';

export type { StandInRoute } from './handlers.js';

export interface GithubStandInOptions {
  /** The token clients must send; null accepts unauthenticated requests. Default `stand-in-token`. */
  token?: string | null;
  /** Who the token belongs to (the author of PRs, comments and reviews created through the API). */
  viewer?: StandInUser;
  /**
   * Behave like a GitHub App installation token: `GET /user` answers 403 "Resource not accessible
   * by integration", so the token's own login cannot be learnt from the API. Default false.
   */
  installation_token?: boolean;
  /** Largest request body accepted; GitHub's real limits are far higher than anything Harness sends. */
  max_body_bytes?: number;
}

export interface FaultOptions {
  /** How many of the next requests to the route fail. Default 1. */
  count?: number;
  /** Default 502. */
  status?: number;
  /** Answer like GitHub's secondary rate limit (403 with Retry-After) instead of a 5xx. */
  secondary_rate_limit?: boolean;
  retry_after_seconds?: number;
  /** Hold the answer this long, then answer normally: a hung GitHub, for timeout handling. */
  stall_ms?: number;
  /** Carry the request out, then answer with the failure: a response lost on its way back. */
  after_handling?: boolean;
}

export interface StandInRequest {
  method: string;
  path: string;
  route: StandInRoute | null;
  status: number;
}

interface Fault {
  remaining: number;
  status: number;
  secondary: boolean;
  retry_after: number;
  stall_ms: number;
  after_handling: boolean;
}

const docs = 'https://docs.github.com/rest';

/**
 * An in-memory GitHub REST API on 127.0.0.1 for tests and the demo: the endpoints Harness's client
 * uses, with GitHub's status codes and JSON shapes, token checking, seeding, inspection and fault
 * injection. Start it with `startGithubStandIn()`; point the client's `api_url` at `url`.
 */
export class GithubStandIn extends StandInInspector {
  readonly token: string | null;
  readonly viewer: StandInUser;
  readonly installationToken: boolean;
  readonly #server: Server;
  readonly #maxBody: number;
  readonly #faults = new Map<StandInRoute, Fault>();
  readonly #before = new Map<StandInRoute, Array<() => void>>();
  readonly #log: StandInRequest[] = [];
  #urls: Urls = { api: '', web: '' };

  constructor(options: GithubStandInOptions = {}) {
    super(new StandInModel());
    this.token = options.token === undefined ? 'stand-in-token' : options.token;
    this.viewer = options.viewer ?? { login: 'harness-bot', type: 'User' };
    this.installationToken = options.installation_token ?? false;
    this.model.users.add(this.viewer.login.toLowerCase());
    this.#maxBody = options.max_body_bytes ?? 1024 * 1024;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  /** The API base URL (`http://127.0.0.1:<port>`); set once listening. */
  get url(): string {
    return this.#urls.api;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = this.#server.address() as AddressInfo;
    this.#urls = { api: `http://127.0.0.1:${port}`, web: `http://127.0.0.1:${port}` };
    return this;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  addRepo(slug: string, options: { default_branch?: string; branches?: string[]; private?: boolean } = {}) {
    const [owner, name] = splitSlug(slug);
    return repoJson(this.#urls, this.model.addRepo(owner, name, options));
  }

  /** Seeds an issue; returns its number. */
  addIssue(slug: string, issue: { title: string; body?: string; user?: string; labels?: string[] }): number {
    const repo = this.model.repo(...splitSlug(slug));
    const user: StandInUser = { login: issue.user ?? repo.owner, type: 'User' };
    return this.model.addIssue(repo, { ...issue, user }).number;
  }

  /** Seeds an open pull request (as if someone else opened it); returns its number. */
  addPullRequest(
    slug: string,
    pr: { head: string; base?: string; title?: string; body?: string; user?: string },
  ) {
    const repo = this.model.repo(...splitSlug(slug));
    const [head_owner, head_ref] = pr.head.includes(':')
      ? (pr.head.split(':', 2) as [string, string])
      : [repo.owner, pr.head];
    const base_ref = pr.base ?? repo.default_branch;
    const pull = {
      head_owner,
      head_ref,
      head_sha: fakeSha(head_owner, head_ref),
      base_ref,
      base_sha: fakeSha(repo.owner, base_ref),
      draft: false,
      merged: false,
    };
    const user: StandInUser = { login: pr.user ?? head_owner, type: 'User' };
    return this.model.addIssue(repo, { title: pr.title ?? head_ref, body: pr.body ?? '', user, pull }).number;
  }

  /** Adds a comment by someone other than the viewer; returns its id. */
  addComment(slug: string, issue_number: number, body: string, user = 'someone'): number {
    return this.model.addComment(this.model.repo(...splitSlug(slug)), issue_number, body, {
      login: user,
      type: 'User',
    }).id;
  }

  /** Sets a user's role on a repository (making the login one GitHub knows). */
  setPermission(slug: string, user: string, permission: RepoPermission): void {
    this.model.repo(...splitSlug(slug)).permissions.set(user.toLowerCase(), permission);
    this.model.users.add(user.toLowerCase());
  }

  /** Makes a login one GitHub knows, without any role: a stranger rather than a 404. */
  addUser(login: string): void {
    this.model.users.add(login.toLowerCase());
  }

  closePullRequest(slug: string, number: number, options: { merged?: boolean } = {}): void {
    const pull = this.model.pull(this.model.repo(...splitSlug(slug)), number);
    pull.state = 'closed';
    pull.closed_at = this.model.timestamp();
    pull.pull.merged = options.merged ?? false;
  }

  /** The next `count` requests to `route` fail before reaching it. */
  failNext(route: StandInRoute, options: FaultOptions = {}): void {
    this.#faults.set(route, {
      remaining: options.count ?? 1,
      status: options.secondary_rate_limit ? 403 : (options.status ?? 502),
      secondary: options.secondary_rate_limit ?? false,
      retry_after: options.retry_after_seconds ?? 1,
      stall_ms: options.stall_ms ?? 0,
      after_handling: options.after_handling ?? false,
    });
  }

  /** Runs `hook` just before the next request to `route` is handled, e.g. to let a rival win a race. */
  beforeNext(route: StandInRoute, hook: () => void): void {
    this.#before.set(route, [...(this.#before.get(route) ?? []), hook]);
  }

  /** Every request answered so far, oldest first. */
  requests(): StandInRequest[] {
    return this.#log.map((r) => ({ ...r }));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#urls.api);
    const method = (req.method ?? 'GET').toUpperCase();
    let match: ReturnType<typeof matchRoute> = null;
    let result: HandlerResult;
    try {
      match = matchRoute(method, url.pathname);
      const body = await readBody(req, this.#maxBody);
      result = await this.#dispatch(req, match, url, body);
    } catch (error) {
      result = errorResult(error);
    }
    this.#log.push({
      method,
      path: url.pathname + url.search,
      route: match?.route.name ?? null,
      status: result.status,
    });
    send(res, result);
  }

  async #dispatch(
    req: IncomingMessage,
    match: ReturnType<typeof matchRoute>,
    url: URL,
    raw: string,
  ): Promise<HandlerResult> {
    if (!this.#authorized(req.headers.authorization)) {
      throw new StandInHttpError(401, 'Bad credentials');
    }
    if (match === null) throw new StandInHttpError(404, 'Not Found');
    const name = match.route.name;
    const fault = this.#takeFault(name);
    if (fault !== null && fault.stall_ms > 0)
      await new Promise((resolve) => setTimeout(resolve, fault.stall_ms));
    else if (fault !== null && !fault.after_handling) throw faultError(fault);
    for (const hook of this.#before.get(name) ?? []) hook();
    this.#before.delete(name);
    const result = match.route.handler({
      model: this.model,
      urls: this.#urls,
      viewer: this.viewer,
      installation_token: this.installationToken,
      params: match.params,
      query: url.searchParams,
      body: parseJson(raw),
    });
    if (fault !== null && fault.after_handling) throw faultError(fault);
    return result;
  }

  #authorized(header: string | undefined): boolean {
    if (this.token === null) return true;
    const presented = /^(?:token|bearer)\s+(\S+)$/i.exec(header ?? '')?.[1];
    return presented === this.token;
  }

  #takeFault(route: StandInRoute): Fault | null {
    const fault = this.#faults.get(route);
    if (fault === undefined || fault.remaining <= 0) return null;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#faults.delete(route);
    return fault;
  }

  protected override urls(): Urls {
    return this.#urls;
  }
}

/** Starts a stand-in on an ephemeral 127.0.0.1 port. */
export async function startGithubStandIn(options: GithubStandInOptions = {}): Promise<GithubStandIn> {
  return new GithubStandIn(options).listen();
}

function faultError(fault: Fault): StandInHttpError {
  if (fault.secondary) {
    const message =
      'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
    return new StandInHttpError(403, message, [], { 'retry-after': String(fault.retry_after) });
  }
  return new StandInHttpError(fault.status, fault.status === 503 ? 'Service Unavailable' : 'Server Error');
}

function splitSlug(slug: string): [string, string] {
  const parts = slug.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new Error(`stand-in: not an owner/repo slug: ${slug}`);
  return [parts[0], parts[1]];
}

function parseJson(raw: string): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new StandInHttpError(400, 'Problems parsing JSON');
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new StandInHttpError(413, 'Payload Too Large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function errorResult(error: unknown): HandlerResult {
  if (error instanceof StandInHttpError) {
    const body = {
      message: error.message,
      ...(error.errors.length > 0 ? { errors: error.errors } : {}),
      documentation_url: docs,
      status: String(error.status),
    };
    return { status: error.status, body, headers: error.headers };
  }
  if (error instanceof URIError) return errorResult(new StandInHttpError(404, 'Not Found'));
  return { status: 500, body: { message: 'Server Error', status: '500' } };
}

function send(res: ServerResponse, result: HandlerResult): void {
  const text = JSON.stringify(result.body);
  res.writeHead(result.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-github-request-id': `STANDIN:${Date.now().toString(16)}`,
    ...result.headers,
  });
  res.end(text);
}
