import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn } from '@harness/testkit';
import {
  authorizeActor,
  authorizeByPermission,
  GithubClient,
  refuseBot,
  type PermissionAnswer,
} from './index.js';

const repo = { owner: 'acme', repo: 'widgets' };
const answer = (permission: PermissionAnswer['permission'], role_name: string | null = permission) => ({
  permission,
  role_name,
  found: true,
});

describe('refuseBot', () => {
  it('refuses bots whatever their association, unless explicitly allowed', () => {
    const bot = { login: 'dependabot[bot]', type: 'Bot', author_association: 'OWNER' };
    expect(refuseBot(bot)).toMatchObject({ allowed: false, bot: true });
    expect(refuseBot({ ...bot, type: 'User' })).toMatchObject({ allowed: false, bot: true });
    expect(refuseBot({ ...bot, login: 'ci-runner' })).toMatchObject({ allowed: false, bot: true });
    // An allowed bot is not refused outright: it still has to pass the permission check.
    expect(refuseBot(bot, { allow_bots: ['Dependabot[bot]'] })).toBeNull();
    expect(refuseBot(bot, { allow_bots: ['renovate[bot]'] })).toMatchObject({ allowed: false });
  });

  it('leaves people to the permission check, whatever their association', () => {
    for (const author_association of ['OWNER', 'MEMBER', 'COLLABORATOR', 'NONE']) {
      expect(refuseBot({ login: 'alice', type: 'User', author_association })).toBeNull();
    }
  });
});

describe('authorizeByPermission', () => {
  it.each([
    ['admin', true],
    ['maintain', true],
    ['write', true],
    ['triage', false],
    ['read', false],
    ['none', false],
  ] as const)('%s → %s', (permission, allowed) => {
    expect(authorizeByPermission({ login: 'alice' }, answer(permission), repo).allowed).toBe(allowed);
  });

  it('says why, naming the login, the role and the repository', () => {
    expect(authorizeByPermission({ login: 'alice' }, answer('triage'), repo).reason).toBe(
      'alice has triage permission on acme/widgets; write is required',
    );
    expect(authorizeByPermission({ login: 'bob' }, answer('write', 'ci-manager'), repo).reason).toBe(
      'bob has write permission on acme/widgets (role ci-manager)',
    );
    expect(
      authorizeByPermission({ login: 'ghost' }, { permission: 'none', role_name: null, found: false }, repo),
    ).toEqual({
      allowed: false,
      bot: false,
      reason: 'GitHub does not show ghost as a collaborator of acme/widgets (404); write is required',
    });
  });
});

describe('authorizeActor against the stand-in', () => {
  let hub: GithubStandIn;
  let client: GithubClient;

  beforeAll(async () => {
    hub = await startGithubStandIn();
    hub.addRepo('acme/widgets');
    for (const [user, role] of [
      ['writer', 'write'],
      ['maintainer', 'maintain'],
      ['admin-user', 'admin'],
      ['triager', 'triage'],
      ['reader', 'read'],
    ] as const) {
      hub.setPermission('acme/widgets', user, role);
    }
    hub.addUser('stranger');
    client = new GithubClient({ api_url: hub.url, token: hub.token!, retry: { retries: 0 } });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('asks GitHub even for OWNER, MEMBER and COLLABORATOR associations', async () => {
    const member = await authorizeActor({ login: 'reader', author_association: 'MEMBER' }, repo, client);
    expect(member).toMatchObject({ allowed: false, reason: expect.stringContaining('read permission') });
    const owner = await authorizeActor({ login: 'triager', author_association: 'OWNER' }, repo, client);
    expect(owner.allowed).toBe(false);
  });

  it.each([
    ['writer', true],
    ['maintainer', true],
    ['admin-user', true],
    ['triager', false],
    ['reader', false],
    ['stranger', false],
    ['nobody-at-all', false],
  ])('decides %s by the repository permission', async (login, allowed) => {
    const decision = await authorizeActor(
      { login, type: 'User', author_association: 'CONTRIBUTOR' },
      repo,
      client,
    );
    expect(decision.allowed).toBe(allowed);
    expect(decision.reason).toMatch(/permission|404/);
  });

  it('fails closed when the permission check fails', async () => {
    hub.failNext('repos.getCollaboratorPermissionLevel', { status: 500 });
    const decision = await authorizeActor({ login: 'writer', author_association: 'NONE' }, repo, client);
    expect(decision).toMatchObject({ allowed: false, bot: false });
    expect(decision.reason).toMatch(/^permission check failed: GitHub API GET .* 500/);
  });
});
