import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn } from '@harness/testkit';
import { decideWebhookAction, GithubClient, resolveWebhookAction, type RepoPermission } from './index.js';

// A realistic issue_comment delivery, trimmed to what the decision reads plus a few unread fields.
function issueComment(body: string, options: { onPr?: boolean; comment?: Record<string, unknown> } = {}) {
  const user = { login: 'alice', id: 583231, type: 'User', site_admin: false };
  const html_url = 'https://github.com/acme/widgets/issues/42';
  return {
    action: 'created',
    issue: {
      id: 4242,
      number: 42,
      title: 'Parser drops the last token',
      body: 'Given `a b c`, the parser returns `[a, b]`.',
      state: 'open',
      html_url,
      user,
      author_association: 'CONTRIBUTOR',
      labels: [],
      ...(options.onPr ? { pull_request: { html_url: 'https://github.com/acme/widgets/pull/42' } } : {}),
    },
    comment: {
      id: 1001,
      node_id: 'IC_kwDOA',
      body,
      html_url: `${html_url}#issuecomment-1001`,
      user,
      author_association: 'MEMBER',
      ...options.comment,
    },
    repository: {
      id: 1296269,
      full_name: 'acme/widgets',
      html_url: 'https://github.com/acme/widgets',
      private: false,
    },
    sender: (options.comment?.user as typeof user | undefined) ?? user,
  };
}

const answer = (permission: RepoPermission) => ({ permission, role_name: permission, found: true });

describe('decideWebhookAction: authorization', () => {
  const outsider = { comment: { author_association: 'NONE', user: { login: 'mallory', type: 'User' } } };

  it.each(['OWNER', 'MEMBER', 'COLLABORATOR', 'NONE'])(
    'asks for a permission check whatever the association (%s)',
    (author_association) => {
      const payload = issueComment('@harness implement', { comment: { author_association } });
      expect(decideWebhookAction('issue_comment', payload)).toEqual({
        type: 'check_permission',
        reason: 'write access needs a permission check',
        repo: { owner: 'acme', repo: 'widgets' },
        login: 'alice',
      });
    },
  );

  it('refuses politely without write access, and accepts with it', () => {
    const payload = issueComment('@harness implement', outsider);
    expect(decideWebhookAction('issue_comment', payload, { author_permission: answer('read') })).toEqual({
      type: 'refuse',
      reason: 'mallory has read permission on acme/widgets; write is required',
      key: 'issue_comment:1296269:1001',
      reply: {
        repo: { owner: 'acme', repo: 'widgets' },
        issue_number: 42,
        body: 'Sorry @mallory, I can only start work for people with write access to this repository. A maintainer can ask on your behalf.',
      },
    });
    expect(
      decideWebhookAction('issue_comment', payload, { author_permission: answer('maintain') }).type,
    ).toBe('create_task');
  });

  it('ignores bots silently unless allowed, and then still asks for their permission', () => {
    const bot = { comment: { author_association: 'OWNER', user: { login: 'renovate[bot]', type: 'Bot' } } };
    const payload = issueComment('@harness fix ci', { ...bot, onPr: true });
    expect(decideWebhookAction('issue_comment', payload)).toEqual({
      type: 'ignore',
      reason: 'sent by bot renovate[bot]',
    });
    const writtenByBot = { ...payload, sender: { login: 'alice', type: 'User' } };
    expect(decideWebhookAction('issue_comment', writtenByBot)).toEqual({
      type: 'ignore',
      reason: 'bot renovate[bot] is not allowed to trigger work',
    });
    expect(decideWebhookAction('issue_comment', payload, { allow_bots: ['renovate[bot]'] }).type).toBe(
      'check_permission',
    );
    expect(
      decideWebhookAction('issue_comment', payload, {
        allow_bots: ['renovate[bot]'],
        author_permission: answer('write'),
      }).type,
    ).toBe('create_task');
  });

  describe('resolveWebhookAction with the stand-in', () => {
    let hub: GithubStandIn;
    let client: GithubClient;

    beforeAll(async () => {
      hub = await startGithubStandIn();
      hub.addRepo('acme/widgets');
      hub.setPermission('acme/widgets', 'carol', 'write');
      hub.addUser('mallory');
      client = new GithubClient({ api_url: hub.url, token: hub.token!, retry: { retries: 0 } });
    });

    afterAll(async () => {
      await hub.close();
    });

    it('looks up the permission once and decides', async () => {
      const carol = {
        comment: { author_association: 'CONTRIBUTOR', user: { login: 'carol', type: 'User' } },
      };
      expect(
        (await resolveWebhookAction('issue_comment', issueComment('@harness implement', carol), {}, client))
          .type,
      ).toBe('create_task');
      expect(
        (
          await resolveWebhookAction(
            'issue_comment',
            issueComment('@harness implement', outsider),
            {},
            client,
          )
        ).type,
      ).toBe('refuse');
      expect(hub.requests().map((r) => r.path)).toEqual([
        '/repos/acme/widgets/collaborators/carol/permission',
        '/repos/acme/widgets/collaborators/mallory/permission',
      ]);
    });

    it('refuses a login GitHub does not know (404)', async () => {
      const ghost = { comment: { author_association: 'MEMBER', user: { login: 'ghost', type: 'User' } } };
      const action = await resolveWebhookAction(
        'issue_comment',
        issueComment('@harness implement', ghost),
        {},
        client,
      );
      expect(action).toMatchObject({
        type: 'refuse',
        reason: 'GitHub does not show ghost as a collaborator of acme/widgets (404); write is required',
      });
    });

    it('fails closed when the lookup fails', async () => {
      hub.failNext('repos.getCollaboratorPermissionLevel', { status: 500 });
      const action = await resolveWebhookAction(
        'issue_comment',
        issueComment('@harness implement', outsider),
        {},
        client,
      );
      expect(action).toMatchObject({
        type: 'retry_later',
        reason: expect.stringMatching(
          /^permission check for mallory failed: GitHub API GET .* 500/,
        ) as unknown,
      });
    });
  });
});
