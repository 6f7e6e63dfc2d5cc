import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn } from '@harness/testkit';
import { HarnessError } from '../core/index.js';
import { GithubClient, githubErrorData } from './index.js';

const repo = { owner: 'acme', repo: 'widgets' };
const slug = 'acme/widgets';
const token = 'ghp_standInSecret0123456789';
let hub: GithubStandIn;
let client: GithubClient;

function clientFor(api_url: string, secret = token): GithubClient {
  return new GithubClient({
    api_url,
    token: secret,
    retry: { retries: 3, base_delay_ms: 1, max_delay_ms: 5 },
  });
}

async function failure(promise: Promise<unknown>): Promise<HarnessError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarnessError);
  return error as HarnessError;
}

beforeEach(async () => {
  hub = await startGithubStandIn({ token, viewer: { login: 'harness-bot', type: 'User' } });
  hub.addRepo(slug, { branches: ['harness/task-1', 'harness/task-2'] });
  client = clientFor(hub.url);
});

afterEach(async () => {
  await hub.close();
});

describe('GithubClient reads', () => {
  it('gets an issue, and tells a pull request apart from an issue', async () => {
    const number = hub.addIssue(slug, {
      title: 'Crash on empty input',
      body: 'Steps…',
      user: 'alice',
      labels: ['bug'],
    });
    const pr = hub.addPullRequest(slug, { head: 'harness/task-1', title: 'Fix crash' });
    const issue = await client.getIssue(repo, number);
    expect(issue).toMatchObject({ number, title: 'Crash on empty input', body: 'Steps…', state: 'open' });
    expect(issue).toMatchObject({ labels: ['bug'], is_pull_request: false, user: { login: 'alice' } });
    expect(issue.html_url).toBe(`${hub.url}/acme/widgets/issues/${number}`);
    expect((await client.getIssue(repo, pr)).is_pull_request).toBe(true);
  });

  it('gets a pull request with its head and base refs', async () => {
    const number = hub.addPullRequest(slug, { head: 'harness/task-1', base: 'main', title: 'Fix crash' });
    const pr = await client.getPullRequest(repo, number);
    expect(pr.head).toMatchObject({ ref: 'harness/task-1', repo_full_name: slug });
    expect(pr.head.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(pr.base).toMatchObject({ ref: 'main', repo_full_name: slug });
    expect(pr).toMatchObject({ number, state: 'open', draft: false, merged: false });
  });

  it('finds the open pull request for a head branch, ignoring closed ones and other branches', async () => {
    const closed = hub.addPullRequest(slug, { head: 'harness/task-1' });
    hub.closePullRequest(slug, closed);
    expect(await client.findOpenPullRequest(repo, 'harness/task-1')).toBeNull();
    hub.addPullRequest(slug, { head: 'harness/task-2' });
    const open = hub.addPullRequest(slug, { head: 'harness/task-1' });
    expect((await client.findOpenPullRequest(repo, 'harness/task-1'))?.number).toBe(open);
    expect((await client.findOpenPullRequest(repo, 'acme:harness/task-1'))?.number).toBe(open);
  });

  it('reports a missing issue as not_found naming the endpoint', async () => {
    const error = await failure(client.getIssue(repo, 404));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe('GitHub API GET /repos/acme/widgets/issues/404 failed: 404 Not Found');
    expect(githubErrorData(error)).toMatchObject({ status: 404, method: 'GET' });
  });
});

describe('GithubClient.createPullRequest', () => {
  const input = { head: 'harness/task-1', base: 'main', title: 'Fix crash', body: 'Closes #1' };

  it('opens a pull request once and returns the same one when asked again', async () => {
    const first = await client.createPullRequest(repo, input);
    expect(first.created).toBe(true);
    expect(first.pull_request).toMatchObject({
      title: 'Fix crash',
      body: 'Closes #1',
      user: { login: 'harness-bot' },
    });
    expect(first.pull_request.html_url).toBe(`${hub.url}/acme/widgets/pull/${first.pull_request.number}`);
    const second = await client.createPullRequest(repo, { ...input, title: 'Another title' });
    expect(second).toEqual({ pull_request: first.pull_request, created: false });
    expect(hub.pullRequests(slug)).toHaveLength(1);
    // The first took one round trip; the second learnt from GitHub's refusal which one is open.
    const statuses = hub.requests().map((r) => `${r.route} ${r.status}`);
    expect(statuses).toEqual(['pulls.create 201', 'pulls.create 422', 'pulls.list 200']);
  });

  it('answers the 422 race by returning the rival pull request', async () => {
    let rival = 0;
    hub.beforeNext('pulls.create', () => {
      rival = hub.addPullRequest(slug, { head: 'harness/task-1', title: 'Rival', user: 'harness-bot' });
    });
    const result = await client.createPullRequest(repo, input);
    expect(result).toMatchObject({ created: false, pull_request: { number: rival, title: 'Rival' } });
    expect(hub.pullRequests(slug)).toHaveLength(1);
    const statuses = hub.requests().map((r) => `${r.route} ${r.status}`);
    expect(statuses).toEqual(['pulls.create 422', 'pulls.list 200']);
  });

  it('returns the pull request an attempt created even though its response was lost', async () => {
    hub.failNext('pulls.create', { status: 502, after_handling: true });
    const result = await client.createPullRequest(repo, input);
    expect(result).toMatchObject({ created: false, pull_request: { title: 'Fix crash' } });
    expect(hub.pullRequests(slug)).toHaveLength(1);
    const statuses = hub.requests().map((r) => `${r.route} ${r.status}`);
    expect(statuses).toEqual(['pulls.create 502', 'pulls.create 422', 'pulls.list 200']);
  });

  it('still fails on other validation errors', async () => {
    const error = await failure(client.createPullRequest(repo, { ...input, head: 'no-such-branch' }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain('POST /repos/acme/widgets/pulls failed: 422 Validation Failed');
  });
});

describe('GithubClient retries', () => {
  it('retries injected 5xx answers and succeeds', async () => {
    const number = hub.addIssue(slug, { title: 'Flaky' });
    hub.failNext('issues.get', { count: 2, status: 502 });
    expect((await client.getIssue(repo, number)).title).toBe('Flaky');
    expect(hub.requests().map((r) => r.status)).toEqual([502, 502, 200]);
  });

  it('retries a secondary rate limit', async () => {
    const number = hub.addIssue(slug, { title: 'Busy' });
    hub.failNext('issues.createComment', { secondary_rate_limit: true, retry_after_seconds: 1 });
    const comment = await client.createIssueComment(repo, number, 'hello');
    expect(comment.body).toBe('hello');
    expect(hub.requests().map((r) => r.status)).toEqual([403, 201]);
  });

  it('gives up after the bound and reports the last status', async () => {
    const number = hub.addIssue(slug, { title: 'Down' });
    hub.failNext('issues.get', { count: 10, status: 503 });
    const error = await failure(client.getIssue(repo, number));
    expect(error.code).toBe('unavailable');
    expect(error.message).toBe(
      `GitHub API GET /repos/acme/widgets/issues/${number} failed: 503 Service Unavailable`,
    );
    expect(hub.requests()).toHaveLength(4);
  });

  it('times out a hung request and retries it', async () => {
    const number = hub.addIssue(slug, { title: 'Slow' });
    const patient = new GithubClient({
      api_url: hub.url,
      token,
      timeout_ms: 100,
      retry: { retries: 1, base_delay_ms: 1 },
    });
    hub.failNext('issues.get', { stall_ms: 1_000 });
    expect((await patient.getIssue(repo, number)).title).toBe('Slow');
    hub.failNext('issues.get', { count: 2, stall_ms: 1_000 });
    const error = await failure(patient.getIssue(repo, number));
    expect(error.code).toBe('timeout');
    expect(error.message).toBe(`GitHub API GET /repos/acme/widgets/issues/${number} failed: timed out`);
  });

  it('does not retry a 4xx', async () => {
    await failure(client.getPullRequest(repo, 77));
    expect(hub.requests()).toHaveLength(1);
  });

  it('reports an unreachable API without hanging', async () => {
    const url = hub.url;
    await hub.close();
    const error = await failure(clientFor(url).getIssue(repo, 1));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(
      /^GitHub API GET \/repos\/acme\/widgets\/issues\/1 failed: could not reach GitHub/,
    );
    hub = await startGithubStandIn({ token });
  });
});

describe('GithubClient comments, reviews and permissions', () => {
  it('creates and then updates an issue comment', async () => {
    const number = hub.addIssue(slug, { title: 'Progress' });
    const created = await client.createIssueComment(repo, number, 'Working on it…');
    expect(created.html_url).toBe(`${hub.url}/acme/widgets/issues/${number}#issuecomment-${created.id}`);
    const updated = await client.updateIssueComment(repo, created.id, 'Done: PR opened');
    expect(updated).toMatchObject({ id: created.id, body: 'Done: PR opened' });
    expect(hub.comments(slug, number)).toEqual([
      {
        id: created.id,
        issue_number: number,
        body: 'Done: PR opened',
        author: 'harness-bot',
        edited: true,
        first_body: 'Working on it…',
      },
    ]);
  });

  it('creates a review with line comments', async () => {
    const number = hub.addPullRequest(slug, { head: 'harness/task-1', user: 'alice' });
    const review = await client.createReview(repo, number, {
      event: 'REQUEST_CHANGES',
      body: 'Two problems.',
      comments: [
        { path: 'src/parse.ts', line: 12, body: 'This drops the last token.' },
        { path: 'src/parse.ts', line: 3, side: 'LEFT', body: 'Why was this removed?' },
      ],
    });
    expect(review).toMatchObject({
      state: 'CHANGES_REQUESTED',
      body: 'Two problems.',
      user: { login: 'harness-bot' },
    });
    expect(hub.reviews(slug, number)[0]?.comments).toEqual([
      { path: 'src/parse.ts', line: 12, side: 'RIGHT', body: 'This drops the last token.' },
      { path: 'src/parse.ts', line: 3, side: 'LEFT', body: 'Why was this removed?' },
    ]);
  });

  it("surfaces GitHub's refusal to approve one's own pull request", async () => {
    const number = hub.addPullRequest(slug, { head: 'harness/task-1', user: 'harness-bot' });
    const error = await failure(client.createReview(repo, number, { event: 'APPROVE', body: 'LGTM' }));
    expect(error.message).toContain('422 Unprocessable Entity; Can not approve your own pull request');
  });

  it('reads collaborator permissions, including roles the legacy field folds', async () => {
    hub.setPermission(slug, 'maintainer', 'maintain');
    hub.setPermission(slug, 'triager', 'triage');
    hub.addUser('stranger');
    const role = async (r: { owner: string; repo: string }, user: string) =>
      (await client.getCollaboratorPermission(r, user)).permission;
    expect(await role(repo, 'acme')).toBe('admin');
    expect(await role(repo, 'maintainer')).toBe('maintain');
    expect(await role(repo, 'triager')).toBe('triage');
    expect(await client.getCollaboratorPermission(repo, 'stranger')).toEqual({
      permission: 'none',
      role_name: 'none',
      found: true,
    });
    // 404s: a login GitHub does not know, a repository it will not show.
    const notFound = { permission: 'none', role_name: null, found: false };
    expect(await client.getCollaboratorPermission(repo, 'nobody-at-all')).toEqual(notFound);
    expect(await client.getCollaboratorPermission({ owner: 'acme', repo: 'gone' }, 'acme')).toEqual(notFound);
  });

  it('tells whom the token belongs to', async () => {
    expect(await client.getAuthenticatedUser()).toEqual({ login: 'harness-bot', type: 'User' });
  });
});

describe('GithubClient credentials', () => {
  it('maps a wrong token to unauthorized and never shows a token in the error', async () => {
    const wrong = 'ghp_wrongTokenValue987654321';
    const error = await failure(clientFor(hub.url, wrong).getIssue(repo, 1));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe('GitHub API GET /repos/acme/widgets/issues/1 failed: 401 Bad credentials');
    const everything = `${error.message} ${JSON.stringify(error)} ${inspect(error, { depth: 10 })}`;
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(token);
  });

  it('keeps the token out of server-error messages too', async () => {
    hub.failNext('issues.get', { count: 10, status: 500 });
    const error = await failure(client.getIssue(repo, 1));
    expect(`${inspect(error, { depth: 10 })} ${JSON.stringify(error.data)}`).not.toContain(token);
  });
});
