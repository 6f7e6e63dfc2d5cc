/**
 * GitHub webhooks end to end through the built server: deliveries signed with @octokit/webhooks,
 * the GitHub stand-in for permissions, comments and the token's own user, a project whose remote
 * is the repository. The agent is a command that does not exist, so every task fails fast, which
 * is enough to see the reply comment edited with the outcome.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Webhooks } from '@octokit/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GithubStandIn,
  startGithubStandIn,
  isolatedEnv,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  makeProject,
} from '@harness/testkit';

const secret = 'webhook-secret-for-tests';
const apiToken = 'api-token-for-tests';
const githubToken = 'ghs_webhookTestsToken';
const slug = 'acme/widgets';

interface Delivery {
  event?: string;
  id?: string;
  body: string;
  signature?: string | null;
  contentType?: string;
}

/** Every comment in these tests is a new one unless a test reuses its payload on purpose. */
let nextCommentId = 9000;

function issueComment(
  issue: number,
  body: string,
  user: { login: string; type?: string },
  association: string,
  commentId = nextCommentId++,
) {
  const author = { login: user.login, id: 7, type: user.type ?? 'User' };
  const html_url = `https://github.com/${slug}/issues/${issue}`;
  return {
    action: 'created',
    issue: {
      id: 500 + issue,
      number: issue,
      title: 'Parser drops the last token',
      body: 'Given `a b c`, the parser returns `[a, b]`.',
      state: 'open',
      html_url,
      user: { login: 'octo', id: 1, type: 'User' },
      author_association: 'OWNER',
      labels: [],
    },
    comment: {
      id: commentId,
      body,
      html_url: `${html_url}#issuecomment-1`,
      user: author,
      author_association: association,
    },
    repository: { id: 4242, full_name: slug, html_url: `https://github.com/${slug}`, private: false },
    sender: author,
  };
}

describe('POST /webhook', () => {
  const dir = tempDir('harness-webhook-');
  const signer = new Webhooks({ secret });
  let hub: GithubStandIn;
  let server: RunningHarness;
  let args: string[];
  let env: NodeJS.ProcessEnv;
  let issue: number;

  const auth = { authorization: `Bearer ${apiToken}` };
  async function deliver(
    d: Delivery,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const headers: Record<string, string> = { 'content-type': d.contentType ?? 'application/json' };
    const signature = d.signature === undefined ? await signer.sign(d.body) : d.signature;
    if (signature !== null) headers['x-hub-signature-256'] = signature;
    if (d.event !== '') headers['x-github-event'] = d.event ?? 'issue_comment';
    if (d.id !== '') headers['x-github-delivery'] = d.id ?? randomUUID();
    const response = await fetch(`${server.url}/webhook`, { method: 'POST', headers, body: d.body });
    return { status: response.status, body: (await response.json()) as never, headers: response.headers };
  }
  async function tasks(): Promise<{ id: string; state: string; source: string | null }[]> {
    const response = await fetch(`${server.url}/tasks?limit=500`, { headers: auth });
    return ((await response.json()) as { tasks: never[] }).tasks;
  }
  async function finished(id: string): Promise<{ state: string }> {
    for (let i = 0; i < 600; i++) {
      const task = (await (await fetch(`${server.url}/tasks/${id}`, { headers: auth })).json()) as {
        state: string;
      };
      if (['done', 'failed', 'cancelled', 'needs_input'].includes(task.state)) return task;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`task ${id} did not finish`);
  }
  async function eventually<T>(probe: () => T | undefined): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const value = probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('condition not met in time');
  }

  beforeAll(async () => {
    hub = await startGithubStandIn({ token: githubToken });
    hub.addRepo(slug);
    hub.setPermission(slug, 'octo', 'admin');
    issue = hub.addIssue(slug, { title: 'Parser drops the last token', body: 'Given `a b c`…' });
    const { root } = makeProject(dir.path, 'widgets', '[validation]\npre_commit = []\n');
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `api_token = "${apiToken}"`,
        `github_webhook_secret = "${secret}"`,
        '[agents]',
        'default_agent = "claude"',
        '[agents.claude]',
        'cli_path = "harness-test-no-such-agent"',
        '[agents.review]',
        'enabled = false',
        '[github]',
        `api_url = "${hub.url}"`,
        `token = "${githubToken}"`,
        'mention_handle = "@widget-bot"',
        '[[projects]]',
        'name = "widgets"',
        `root = "${root}"`,
        '',
      ].join('\n'),
    );
    env = isolatedEnv(dir.path, { HARNESS_CONFIG: config, HARNESS_PUBLIC_URL: 'https://harness.test/' });
    args = ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')];
    server = await startHttpHarness(args, env);
  });

  afterAll(async () => {
    await server?.stop();
    await hub?.close();
    dir.remove();
  });

  it('creates a task for a mention, replies with its link, and edits the reply with the outcome', async () => {
    const body = JSON.stringify(
      issueComment(issue, '@widget-bot please implement this', { login: 'octo' }, 'OWNER'),
    );
    const id = randomUUID();
    const res = await deliver({ body, id });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'accepted' });
    const taskId = res.body.task_id as string;
    expect((await tasks()).find((t) => t.id === taskId)?.source).toBe('github_webhook');
    // The task may already have failed (its agent is missing) and the reply been edited: read its first text.
    const [reply] = hub.comments(slug, issue).filter((c) => c.body.includes(taskId));
    expect(reply?.first_body).toContain(
      `Harness is on it: task [\`${taskId}\`](https://harness.test/tasks/${taskId})`,
    );
    expect(reply?.first_body).not.toContain('@widget-bot');

    expect((await finished(taskId)).state).toBe('failed');
    const edited = await eventually(() =>
      hub.comments(slug, issue).find((c) => c.body.includes(taskId) && c.body.includes('failed')),
    );
    expect(edited.body).toContain(`ended: **failed**`);

    // The same delivery again (GitHub's redelivery): answered, not redone.
    const again = await deliver({ body, id });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'duplicate', outcome: `task ${taskId}` });
    expect(String(again.body.reason)).toContain('already processed');
    expect((await tasks()).filter((t) => t.source === 'github_webhook')).toHaveLength(1);

    // And after a restart, from the store.
    await server.stop();
    server = await startHttpHarness(args, env);
    const afterRestart = await deliver({ body, id });
    expect(afterRestart.status).toBe(200);
    expect(afterRestart.body).toMatchObject({ status: 'duplicate' });
    expect((await tasks()).filter((t) => t.source === 'github_webhook')).toHaveLength(1);
    expect(hub.comments(slug, issue).filter((c) => c.body.includes(taskId))).toHaveLength(1);
  });

  describe("write access comes from GitHub's permission API, never from author_association", () => {
    it.each([
      ['read', 'MEMBER', 'mina'],
      ['read', 'COLLABORATOR', 'colin'],
      ['triage', 'COLLABORATOR', 'trish'],
      ['read', 'OWNER', 'oscar'],
    ] as const)(
      'refuses %s permission (association %s) with a reply, and runs nothing',
      async (role, association, login) => {
        hub.setPermission(slug, login, role);
        const before = (await tasks()).length;
        const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login }, association));
        const res = await deliver({ body });
        expect(res.status).toBe(202);
        expect(res.body).toEqual({
          status: 'refused',
          reason: `${login} has ${role} permission on ${slug}; write is required`,
        });
        expect(hub.comments(slug, issue).some((c) => c.body.startsWith(`Sorry @${login},`))).toBe(true);
        expect((await tasks()).length).toBe(before);
      },
    );

    it.each([
      ['write', 'CONTRIBUTOR', 'carol'],
      ['maintain', 'NONE', 'mateo'],
      ['admin', 'MEMBER', 'ada'],
    ] as const)('accepts %s permission (association %s)', async (role, association, login) => {
      hub.setPermission(slug, login, role);
      const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login }, association));
      const res = await deliver({ body });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'accepted' });
      await finished(res.body.task_id as string);
    });

    it('refuses a login GitHub does not know (404), saying so', async () => {
      const before = (await tasks()).length;
      const body = JSON.stringify(
        issueComment(issue, '@widget-bot implement', { login: 'ghostly' }, 'MEMBER'),
      );
      const res = await deliver({ body });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        status: 'refused',
        reason: `GitHub does not show ghostly as a collaborator of ${slug} (404); write is required`,
      });
      expect(hub.comments(slug, issue).some((c) => c.body.startsWith('Sorry @ghostly,'))).toBe(true);
      expect((await tasks()).length).toBe(before);
    });

    it('starts nothing when the permission API fails (500), says why, and handles the redelivery', async () => {
      hub.setPermission(slug, 'wendy', 'write');
      const comments = hub.comments(slug, issue).length;
      const before = (await tasks()).length;
      // Two failures: the first attempt and its one quick retry.
      hub.failNext('repos.getCollaboratorPermissionLevel', { count: 2, status: 500 });
      const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login: 'wendy' }, 'OWNER'));
      const id = randomUUID();
      const res = await deliver({ body, id });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('60');
      expect(res.body).toMatchObject({
        error: {
          code: 'unavailable',
          message: expect.stringMatching(
            /^permission check for wendy failed: GitHub API GET \/repos\/acme\/widgets\/collaborators\/wendy\/permission failed: 500.*nothing was started, redeliver later$/,
          ) as unknown,
        },
      });
      expect(
        server.stderr.some(
          (line) => line.includes('webhook delivery not acted on') && line.includes('wendy'),
        ),
      ).toBe(true);
      expect((await tasks()).length).toBe(before);
      expect(hub.comments(slug, issue).length).toBe(comments);
      // The failure was not cached and the delivery id not kept: GitHub's redelivery is handled.
      const again = await deliver({ body, id });
      expect(again.status).toBe(202);
      expect(again.body).toMatchObject({ status: 'accepted' });
      await finished(again.body.task_id as string);
    });
  });

  describe('one task per comment, whatever its delivery id', () => {
    it('answers a redelivery under a new delivery id as a duplicate of the task it started', async () => {
      hub.setPermission(slug, 'rita', 'write');
      const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login: 'rita' }, 'MEMBER'));
      const first = await deliver({ body });
      expect(first.status).toBe(202);
      const taskId = first.body.task_id as string;
      const replies = hub.comments(slug, issue).filter((c) => c.body.includes(taskId)).length;
      const second = await deliver({ body, id: randomUUID() });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ status: 'duplicate', task_id: taskId });
      expect(String(second.body.reason)).toMatch(/^issue_comment:4242:\d+ already started task /);
      expect((await tasks()).filter((t) => t.id === taskId)).toHaveLength(1);
      expect(hub.comments(slug, issue).filter((c) => c.body.includes(taskId))).toHaveLength(replies);
      await finished(taskId);
    });

    it('answers a refused comment once, whatever its delivery id', async () => {
      hub.setPermission(slug, 'reed', 'read');
      const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login: 'reed' }, 'MEMBER'));
      expect((await deliver({ body })).body).toMatchObject({ status: 'refused' });
      const again = await deliver({ body, id: randomUUID() });
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ status: 'duplicate', task_id: null });
      expect(String(again.body.reason)).toMatch(/^issue_comment:4242:\d+ was already refused /);
      expect(hub.comments(slug, issue).filter((c) => c.body.startsWith('Sorry @reed,'))).toHaveLength(1);
    });

    it('lets exactly one of several concurrent deliveries of the same comment start a task', async () => {
      hub.setPermission(slug, 'cora', 'write');
      const before = (await tasks()).length;
      const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login: 'cora' }, 'MEMBER'));
      const results = await Promise.all(Array.from({ length: 6 }, () => deliver({ body, id: randomUUID() })));
      const accepted = results.filter((r) => r.status === 202);
      expect(accepted).toHaveLength(1);
      expect(accepted[0]?.body).toMatchObject({ status: 'accepted' });
      for (const r of results.filter((x) => x.status !== 202)) {
        expect(r).toMatchObject({ status: 200, body: { status: 'duplicate' } });
      }
      expect((await tasks()).length).toBe(before + 1);
      await finished(accepted[0]!.body.task_id as string);
    });

    it('still knows the comment after a restart', async () => {
      hub.setPermission(slug, 'remy', 'write');
      const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login: 'remy' }, 'MEMBER'));
      const first = await deliver({ body });
      const taskId = first.body.task_id as string;
      await finished(taskId);
      await server.stop();
      server = await startHttpHarness(args, env);
      const after = await deliver({ body, id: randomUUID() });
      expect(after).toMatchObject({ status: 200, body: { status: 'duplicate', task_id: taskId } });
      expect((await tasks()).filter((t) => t.source === 'github_webhook' && t.id === taskId)).toHaveLength(1);
    });
  });

  it("ignores Harness's own comments, even one quoting the command with admin rights", async () => {
    // The stand-in's token belongs to harness-bot (a plain User): Harness learns that from GET /user.
    hub.setPermission(slug, 'harness-bot', 'admin');
    const comments = hub.comments(slug, issue).length;
    const before = (await tasks()).length;
    const quoting = issueComment(
      issue,
      'You asked:\n\n@widget-bot implement this\n\nI am on it.',
      { login: 'harness-bot' },
      'OWNER',
    );
    const res = await deliver({ body: JSON.stringify(quoting) });
    expect(res).toMatchObject({ status: 200, body: { status: 'ignored', reason: 'own activity' } });
    expect(hub.requests().some((r) => r.route === 'users.getAuthenticated' && r.status === 200)).toBe(true);
    expect(hub.comments(slug, issue).length).toBe(comments);
    expect((await tasks()).length).toBe(before);
  });

  it('ignores bots, pings and comments without a mention, with 200 and a reason', async () => {
    const comments = hub.comments(slug, issue).length;
    const before = (await tasks()).length;
    const bot = issueComment(issue, '@widget-bot implement', { login: 'evil[bot]', type: 'Bot' }, 'OWNER');
    const fromBot = await deliver({ body: JSON.stringify(bot) });
    expect(fromBot.status).toBe(200);
    expect(fromBot.body).toMatchObject({ status: 'ignored' });
    const ping = await deliver({
      event: 'ping',
      body: JSON.stringify({ zen: 'Keep it logically awesome.' }),
    });
    expect(ping).toMatchObject({ status: 200, body: { status: 'ignored', reason: 'ping' } });
    const plain = issueComment(issue, 'thanks, looks good', { login: 'octo' }, 'OWNER');
    expect((await deliver({ body: JSON.stringify(plain) })).body).toMatchObject({ status: 'ignored' });
    expect(hub.comments(slug, issue).length).toBe(comments);
    expect((await tasks()).length).toBe(before);
  });

  it('keeps failed check runs and changes-requested reviews as quality events of the project', async () => {
    const repository = { id: 4242, full_name: slug, html_url: `https://github.com/${slug}`, private: false };
    const sender = { login: 'octo', id: 1, type: 'User' };
    const checkRun = (id: number, conclusion: string) => ({
      action: 'completed',
      repository,
      sender,
      check_run: { id, name: 'build', conclusion, head_sha: 'abc123', pull_requests: [{ number: 12 }] },
    });
    for (const [id, conclusion] of [
      [71, 'failure'],
      [72, 'success'],
      [73, 'timed_out'],
      [71, 'failure'], // the same run redelivered under a new delivery id
    ] as const) {
      expect(
        (await deliver({ event: 'check_run', body: JSON.stringify(checkRun(id, conclusion)) })).status,
      ).toBe(200);
    }
    const branch = (ref: string) => ({ ref, sha: 'abc123', repo: { full_name: slug } });
    const review = {
      action: 'submitted',
      repository,
      sender,
      review: {
        id: 88,
        body: 'Handle empty input.',
        state: 'changes_requested',
        html_url: 'h',
        user: sender,
      },
      pull_request: { number: 12, title: 't', body: '', state: 'open', html_url: 'h', user: sender },
    };
    Object.assign(review.review, { author_association: 'OWNER' });
    Object.assign(review.pull_request, { head: branch('feature'), base: branch('main') });
    expect((await deliver({ event: 'pull_request_review', body: JSON.stringify(review) })).status).toBe(200);
    const response = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'initialize' },
        { jsonrpc: '2.0', method: 'initialized' },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'event/query',
          params: { project: 'widgets', kind: ['github.check_failed', 'github.changes_requested'] },
        },
      ]),
    });
    const replies = (await response.json()) as {
      id: number;
      result: { events: Record<string, unknown>[] };
    }[];
    const events = replies.find((r) => r.id === 2)?.result.events ?? [];
    expect(events.map((e) => [e.kind, e.tool, e.reason, e.decision])).toEqual([
      ['github.check_failed', 'build', 'build: failure', 'block'],
      ['github.check_failed', 'build', 'build: timed_out', 'block'],
      ['github.changes_requested', 'review', 'changes requested on #12', 'block'],
    ]);
    expect(events[2]?.data).toMatchObject({ repo: slug, pr_number: 12, reviewer: 'octo' });
  });

  it('refuses tampered, unsigned, wrongly signed, malformed and oversized deliveries', async () => {
    const body = JSON.stringify(issueComment(issue, '@widget-bot implement', { login: 'octo' }, 'OWNER'));
    const signature = await signer.sign(body);
    const tampered = body.replace('implement', 'implemenT');
    expect((await deliver({ body: tampered, signature })).status).toBe(401);
    expect((await deliver({ body, signature: null })).status).toBe(401);
    const wrong = await new Webhooks({ secret: 'not-the-secret' }).sign(body);
    expect((await deliver({ body, signature: wrong })).status).toBe(401);
    expect((await deliver({ body, signature: 'sha256=zz' })).status).toBe(401);
    expect((await deliver({ body, event: '' })).status).toBe(400);
    expect((await deliver({ body, event: 'Issue Comment' })).status).toBe(400);
    expect((await deliver({ body, id: '' })).status).toBe(400);
    expect((await deliver({ body: '{"action": "created",' })).status).toBe(400);
    const wrongShape = await deliver({ body: JSON.stringify({ action: 'created', comment: 'x' }) });
    expect(wrongShape.status).toBe(400);
    expect(wrongShape.body).toMatchObject({ error: { code: 'invalid_request' } });
    const big = JSON.stringify({ ...JSON.parse(body), padding: 'x'.repeat(600 * 1024) });
    expect((await deliver({ body: big })).status).toBe(413);
    // None of those created anything or was remembered as handled.
    expect((await tasks()).filter((t) => t.state === 'queued')).toHaveLength(0);
  });

  it('exempts only POST /webhook from bearer auth', async () => {
    expect((await fetch(`${server.url}/tasks`)).status).toBe(401);
    expect((await fetch(`${server.url}/webhook`)).status).toBe(401);
    expect((await fetch(`${server.url}/webhook/x`, { method: 'POST', body: '{}' })).status).toBe(401);
  });
});

describe("Harness's own login with a GitHub App installation token (no GET /user)", () => {
  const dir = tempDir('harness-webhook-app-');
  const signer = new Webhooks({ secret });
  let hub: GithubStandIn;
  let issue: number;
  let root: string;

  beforeAll(async () => {
    hub = await startGithubStandIn({
      token: githubToken,
      installation_token: true,
      viewer: { login: 'widget-app[bot]', type: 'Bot' },
    });
    hub.addRepo(slug);
    hub.setPermission(slug, 'widget-app[bot]', 'write');
    issue = hub.addIssue(slug, { title: 'Parser drops the last token' });
    root = makeProject(dir.path, 'widgets', '[validation]\npre_commit = []\n').root;
  });

  afterAll(async () => {
    await hub?.close();
    dir.remove();
  });

  async function serve(name: string, botLogin: string | null): Promise<RunningHarness> {
    const config = path.join(dir.path, `${name}.toml`);
    const lines = [
      '[server]',
      `github_webhook_secret = "${secret}"`,
      '[agents.review]',
      'enabled = false',
      '[github]',
      `api_url = "${hub.url}"`,
      `token = "${githubToken}"`,
      'mention_handle = "@widget-bot"',
      ...(botLogin === null ? [] : [`bot_login = "${botLogin}"`]),
      '[[projects]]',
      'name = "widgets"',
      `root = "${root}"`,
      '',
    ];
    writeFileSync(config, lines.join('\n'));
    const data = path.join(dir.path, `${name}-data`);
    return startHttpHarness(
      ['--transport', 'http', '--data-dir', data],
      isolatedEnv(dir.path, { HARNESS_CONFIG: config }),
    );
  }

  async function deliver(server: RunningHarness, payload: unknown) {
    const body = JSON.stringify(payload);
    const response = await fetch(`${server.url}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': await signer.sign(body),
        'x-github-event': 'issue_comment',
        'x-github-delivery': randomUUID(),
      },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const ownReply = () =>
    issueComment(
      issue,
      'You asked: @widget-bot implement this',
      { login: 'widget-app[bot]', type: 'Bot' },
      'NONE',
    );

  it('takes it from github.bot_login', async () => {
    const server = await serve('configured', 'widget-app[bot]');
    try {
      expect(await deliver(server, ownReply())).toEqual({
        status: 200,
        body: { status: 'ignored', reason: 'own activity' },
      });
      expect(hub.requests().some((r) => r.route === 'users.getAuthenticated' && r.status === 403)).toBe(true);
      expect(
        server.stderr.some((line) => line.includes('github.bot_login') && line.includes('"level":"warn"')),
      ).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it('without it, warns once and still ignores every [bot] or Bot sender', async () => {
    const server = await serve('unknown', null);
    try {
      expect(await deliver(server, ownReply())).toEqual({
        status: 200,
        body: { status: 'ignored', reason: 'sent by bot widget-app[bot]' },
      });
      const typedBot = issueComment(
        issue,
        '@widget-bot implement',
        { login: 'helper', type: 'Bot' },
        'OWNER',
      );
      expect((await deliver(server, typedBot)).body).toMatchObject({ status: 'ignored' });
      const warnings = server.stderr.filter((line) => line.includes("Harness's own GitHub login is unknown"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('only senders whose login ends with [bot] or whose type is Bot');
    } finally {
      await server.stop();
    }
  });
});

describe('webhook configuration', () => {
  it('answers 404 "webhooks are disabled" without a secret', async () => {
    const dir = tempDir('harness-webhook-off-');
    const server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path),
    );
    try {
      const res = await fetch(`${server.url}/webhook`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(404);
      expect(JSON.stringify(await res.json())).toContain(
        'webhooks are disabled: set server.github_webhook_secret',
      );
    } finally {
      await server.stop();
      dir.remove();
    }
  });

  it('refuses to start an HTTP server with a webhook secret but no GitHub token', async () => {
    const dir = tempDir('harness-webhook-bad-');
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(config, `[server]\ngithub_webhook_secret = "${secret}"\n`);
    const start = startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path, { HARNESS_CONFIG: config }),
    );
    await expect(start).rejects.toThrow(/github\.token/);
    dir.remove();
  });
});
