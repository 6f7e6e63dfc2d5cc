import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn } from './index.js';

let hub: GithubStandIn;

async function call(method: string, path: string, body?: unknown, token: string | null = 'stand-in-token') {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `token ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

beforeEach(async () => {
  hub = await startGithubStandIn();
  hub.addRepo('acme/widgets');
});

afterEach(async () => {
  await hub.close();
});

describe('GitHub stand-in', () => {
  it('listens on an ephemeral loopback port', () => {
    expect(hub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers 401 Bad credentials to a wrong or missing token, and accepts Bearer', async () => {
    for (const token of ['nope', null]) {
      const res = await call('GET', '/repos/acme/widgets/pulls', undefined, token);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ message: 'Bad credentials', status: '401' });
    }
    const bearer = await fetch(`${hub.url}/repos/acme/widgets/pulls`, {
      headers: { authorization: 'Bearer stand-in-token' },
    });
    expect(bearer.status).toBe(200);
  });

  it('answers 404 Not Found for unknown repositories, numbers and routes', async () => {
    for (const path of [
      '/repos/acme/gone/issues/1',
      '/repos/acme/widgets/issues/1',
      '/repos/acme/widgets/pulls/abc',
      '/user/repos',
    ]) {
      const res = await call('GET', path);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({
        message: 'Not Found',
        documentation_url: expect.any(String) as unknown,
      });
    }
  });

  it('creates a pull request with 201, Location and html_url, then refuses a duplicate with 422', async () => {
    const created = await call('POST', '/repos/acme/widgets/pulls', {
      title: 'T',
      head: 'feature',
      base: 'main',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`${hub.url}/repos/acme/widgets/pulls/1`);
    expect(created.json).toMatchObject({
      number: 1,
      html_url: `${hub.url}/acme/widgets/pull/1`,
      head: { label: 'acme:feature', ref: 'feature' },
      base: { ref: 'main' },
      user: { login: 'harness-bot' },
    });
    const duplicate = await call('POST', '/repos/acme/widgets/pulls', {
      title: 'T2',
      head: 'acme:feature',
      base: 'main',
    });
    expect(duplicate.status).toBe(422);
    expect(duplicate.json).toEqual({
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:feature.',
        },
      ],
      documentation_url: 'https://docs.github.com/rest',
      status: '422',
    });
  });

  it('validates pull request fields and branches', async () => {
    hub.addRepo('acme/strict', { branches: ['feature'] });
    const missing = await call('POST', '/repos/acme/strict/pulls', { head: 'feature', base: 'main' });
    expect(missing.json).toMatchObject({ errors: [{ code: 'missing_field', field: 'title' }] });
    const unknown = await call('POST', '/repos/acme/strict/pulls', {
      title: 'T',
      head: 'other',
      base: 'main',
    });
    expect(unknown.json).toMatchObject({ errors: [{ code: 'invalid', field: 'head' }] });
    const same = await call('POST', '/repos/acme/strict/pulls', { title: 'T', head: 'main', base: 'main' });
    expect(same.status).toBe(422);
  });

  it('lists pull requests filtered by state and head', async () => {
    hub.addPullRequest('acme/widgets', { head: 'a' });
    const closed = hub.addPullRequest('acme/widgets', { head: 'b' });
    hub.closePullRequest('acme/widgets', closed, { merged: true });
    const open = await call('GET', '/repos/acme/widgets/pulls?state=open&head=acme:a');
    expect((open.json as unknown as unknown[]).length).toBe(1);
    const all = await call('GET', '/repos/acme/widgets/pulls?state=all&head=acme:b');
    expect(all.json).toMatchObject([{ number: closed, state: 'closed', merged: true }]);
  });

  it('serves issues with pull_request links for pull requests, and comments in order', async () => {
    const number = hub.addIssue('acme/widgets', { title: 'Bug', user: 'alice' });
    const pr = hub.addPullRequest('acme/widgets', { head: 'fix' });
    expect((await call('GET', `/repos/acme/widgets/issues/${number}`)).json).not.toHaveProperty(
      'pull_request',
    );
    expect((await call('GET', `/repos/acme/widgets/issues/${pr}`)).json).toHaveProperty(
      'pull_request.html_url',
    );
    hub.addComment('acme/widgets', number, 'first', 'alice');
    const posted = await call('POST', `/repos/acme/widgets/issues/${number}/comments`, { body: 'second' });
    expect(posted.status).toBe(201);
    expect(posted.headers.get('location')).toBe(posted.json.url);
    const patched = await call('PATCH', `/repos/acme/widgets/issues/comments/${String(posted.json.id)}`, {
      body: 'edited',
    });
    expect(patched.json).toMatchObject({ body: 'edited' });
    const listed = await call('GET', `/repos/acme/widgets/issues/${number}/comments`);
    expect((listed.json as unknown as Array<{ body: string }>).map((c) => c.body)).toEqual([
      'first',
      'edited',
    ]);
    expect((await call('PATCH', '/repos/acme/widgets/issues/comments/999999', { body: 'x' })).status).toBe(
      404,
    );
  });

  it('creates reviews with GitHub’s rules and lists them', async () => {
    const pr = hub.addPullRequest('acme/widgets', { head: 'fix', user: 'alice' });
    const noBody = await call('POST', `/repos/acme/widgets/pulls/${pr}/reviews`, {
      event: 'REQUEST_CHANGES',
    });
    expect(noBody.status).toBe(422);
    const badLine = await call('POST', `/repos/acme/widgets/pulls/${pr}/reviews`, {
      event: 'COMMENT',
      comments: [{ path: 'a.ts', line: 0, body: 'x' }],
    });
    expect(badLine.json).toMatchObject({ errors: ['Line could not be resolved'] });
    const ok = await call('POST', `/repos/acme/widgets/pulls/${pr}/reviews`, {
      event: 'COMMENT',
      comments: [{ path: 'a.ts', line: 3, body: 'x' }],
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      state: 'COMMENTED',
      html_url: expect.stringContaining('#pullrequestreview-') as unknown,
    });
    expect((await call('GET', `/repos/acme/widgets/pulls/${pr}/reviews`)).json).toHaveLength(1);
    expect(hub.reviews('acme/widgets', pr)).toMatchObject([{ state: 'COMMENTED', author: 'harness-bot' }]);
  });

  it('reports permissions with GitHub’s legacy folding', async () => {
    hub.setPermission('acme/widgets', 'tri', 'triage');
    expect((await call('GET', '/repos/acme/widgets/collaborators/tri/permission')).json).toMatchObject({
      permission: 'read',
      role_name: 'triage',
      user: { login: 'tri' },
    });
  });

  it('answers 404 for a login GitHub does not know, and none or read for a known stranger', async () => {
    expect((await call('GET', '/repos/acme/widgets/collaborators/ghost/permission')).status).toBe(404);
    hub.addUser('stranger');
    expect((await call('GET', '/repos/acme/widgets/collaborators/stranger/permission')).json).toMatchObject({
      permission: 'none',
    });
    hub.addRepo('acme/public', { private: false });
    expect((await call('GET', '/repos/acme/public/collaborators/stranger/permission')).json).toMatchObject({
      permission: 'read',
    });
  });

  it("answers GET /user with the token's user, or 403 for an installation token", async () => {
    expect((await call('GET', '/user')).json).toMatchObject({ login: 'harness-bot', type: 'User' });
    const app = await startGithubStandIn({
      installation_token: true,
      viewer: { login: 'widget-app[bot]', type: 'Bot' },
    });
    try {
      const res = await fetch(`${app.url}/user`, { headers: { authorization: 'token stand-in-token' } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ message: 'Resource not accessible by integration' });
    } finally {
      await app.close();
    }
  });

  it('answers bad JSON with 400 and oversized bodies with 413', async () => {
    expect((await call('POST', '/repos/acme/widgets/pulls', '{not json')).status).toBe(400);
    const small = await startGithubStandIn({ max_body_bytes: 10 });
    try {
      const res = await fetch(`${small.url}/repos/acme/widgets/pulls`, {
        method: 'POST',
        headers: { authorization: 'token stand-in-token' },
        body: JSON.stringify({ title: 'x'.repeat(100) }),
      });
      expect(res.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('injects faults for the next N requests to one route and logs every request', async () => {
    hub.failNext('pulls.list', { count: 2, status: 503 });
    hub.failNext('issues.get', { secondary_rate_limit: true, retry_after_seconds: 7 });
    expect((await call('GET', '/repos/acme/widgets/pulls')).status).toBe(503);
    const limited = await call('GET', '/repos/acme/widgets/issues/1');
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json.message).toMatch(/secondary rate limit/);
    expect((await call('GET', '/repos/acme/widgets/pulls')).status).toBe(503);
    expect((await call('GET', '/repos/acme/widgets/pulls')).status).toBe(200);
    expect(hub.requests().map((r) => `${r.route} ${r.status}`)).toEqual([
      'pulls.list 503',
      'issues.get 403',
      'pulls.list 503',
      'pulls.list 200',
    ]);
  });
});
