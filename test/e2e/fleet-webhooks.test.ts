/**
 * Webhook deliveries stay exactly-once across a fleet: two `harness serve` processes on one
 * PostgreSQL database, each behind the same GitHub webhook (a load balancer may hand one delivery
 * to either, and GitHub redelivers under new ids). The same delivery, or the same comment under
 * several delivery ids, sent to both servers at once, starts one task and gets one reply.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Webhooks } from '@octokit/webhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GithubStandIn,
  type RunningHarness,
  type RunningPostgres,
  isolatedEnv,
  makeProject,
  postgresBinDir,
  startGithubStandIn,
  startHttpHarness,
  startPostgres,
  tempDir,
} from '@harness/testkit';

const secret = 'fleet-webhook-secret';
const apiToken = 'fleet-api-token';
const githubToken = 'ghs_fleetWebhookToken';
const slug = 'acme/widgets';
const auth = { authorization: `Bearer ${apiToken}` };
const signer = new Webhooks({ secret });

let nextCommentId = 70_000;
function mention(issue: number, login: string) {
  const user = { login, id: 7, type: 'User' };
  const html_url = `https://github.com/${slug}/issues/${issue}`;
  return JSON.stringify({
    action: 'created',
    issue: {
      ...{ id: 500 + issue, number: issue, title: 'Parser drops the last token', body: 'a b c' },
      ...{ state: 'open', html_url, user: { login: 'octo', id: 1, type: 'User' } },
      ...{ author_association: 'OWNER', labels: [] },
    },
    comment: {
      ...{ id: nextCommentId++, body: '@widget-bot please implement this', user },
      ...{ html_url: `${html_url}#issuecomment-1`, author_association: 'MEMBER' },
    },
    repository: { id: 4242, full_name: slug, html_url: `https://github.com/${slug}`, private: false },
    sender: user,
  });
}

async function deliver(server: RunningHarness, body: string, id: string) {
  const response = await fetch(`${server.url}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': await signer.sign(body),
      'x-github-event': 'issue_comment',
      'x-github-delivery': id,
    },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.skipIf(postgresBinDir() === null)('webhooks on a fleet of two servers sharing PostgreSQL', () => {
  const dir = tempDir('harness-fleet-webhooks-');
  let postgres: RunningPostgres;
  let hub: GithubStandIn;
  let issue: number;
  const servers: RunningHarness[] = [];

  async function webhookTasks(server: RunningHarness): Promise<{ id: string; source: string | null }[]> {
    const response = await fetch(`${server.url}/tasks?limit=500`, { headers: auth });
    const { tasks } = (await response.json()) as { tasks: { id: string; source: string | null }[] };
    return tasks.filter((t) => t.source === 'github_webhook');
  }

  beforeAll(async () => {
    postgres = await startPostgres();
    hub = await startGithubStandIn({ token: githubToken });
    hub.addRepo(slug);
    issue = hub.addIssue(slug, { title: 'Parser drops the last token', body: 'a b c' });
    for (const host of ['one', 'two']) {
      // Each host: its own config, data dir and clone; the database is what they share.
      const { root } = makeProject(path.join(dir.path, host), 'widgets', '[validation]\npre_commit = []\n');
      const config = path.join(dir.path, host, 'config.toml');
      writeFileSync(
        config,
        [
          '[server]',
          `api_token = "${apiToken}"`,
          `github_webhook_secret = "${secret}"`,
          '[store]',
          `url = "${postgres.url}"`,
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
      const env = isolatedEnv(path.join(dir.path, host), {
        HARNESS_CONFIG: config,
        HARNESS_PUBLIC_URL: 'https://harness.test/',
      });
      const args = ['--transport', 'http', '--data-dir', path.join(dir.path, host, 'data')];
      servers.push(await startHttpHarness(args, env));
    }
  });

  afterAll(async () => {
    for (const server of servers) await server.stop();
    await hub?.close();
    await postgres?.stop();
    dir.remove();
  });

  it('starts one task for one delivery handed to both servers at once', async () => {
    hub.setPermission(slug, 'dora', 'write');
    const body = mention(issue, 'dora');
    const id = randomUUID();
    const results = await Promise.all(servers.flatMap((s) => [deliver(s, body, id), deliver(s, body, id)]));
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 202)) expect(r.body.status).toBe('duplicate');
    const taskId = accepted[0]!.body.task_id as string;
    for (const server of servers)
      expect((await webhookTasks(server)).filter((t) => t.id === taskId)).toHaveLength(1);
    expect(hub.comments(slug, issue).filter((c) => c.body.includes(taskId))).toHaveLength(1);
  });

  it('starts one task for one comment redelivered under new ids to either server', async () => {
    hub.setPermission(slug, 'cora', 'write');
    const body = mention(issue, 'cora');
    const before = (await webhookTasks(servers[0]!)).length;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => deliver(servers[i % 2]!, body, randomUUID())),
    );
    const accepted = results.filter((r) => r.status === 202);
    expect(accepted).toHaveLength(1);
    for (const r of results.filter((x) => x.status !== 202)) expect(r.body.status).toBe('duplicate');
    expect((await webhookTasks(servers[1]!)).length).toBe(before + 1);
    const taskId = accepted[0]!.body.task_id as string;
    expect(hub.comments(slug, issue).filter((c) => c.body.includes(taskId))).toHaveLength(1);
  });
});
