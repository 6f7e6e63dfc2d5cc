import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  authorizeActor,
  authorizeByAssociation,
  GithubClient,
  startGithubStandIn,
  type GithubStandIn,
  type PermissionLookup,
} from './index.js';

const repo = { owner: 'acme', repo: 'widgets' };
const never: PermissionLookup = {
  getCollaboratorPermission: () => Promise.reject(new Error('should not be asked')),
};

describe('authorizeByAssociation', () => {
  it.each([
    ['OWNER', true],
    ['MEMBER', true],
    ['COLLABORATOR', true],
    ['collaborator', true],
    ['CONTRIBUTOR', 'needs_permission'],
    ['FIRST_TIME_CONTRIBUTOR', 'needs_permission'],
    ['FIRST_TIMER', 'needs_permission'],
    ['MANNEQUIN', 'needs_permission'],
    ['NONE', 'needs_permission'],
    ['SOMETHING_NEW', 'needs_permission'],
  ])('%s → %s', (author_association, expected) => {
    const decision = authorizeByAssociation({ login: 'alice', type: 'User', author_association });
    expect(decision === 'needs_permission' ? decision : decision.allowed).toBe(expected);
  });

  it('refuses bots whatever their association, unless explicitly allowed', () => {
    const bot = { login: 'dependabot[bot]', type: 'Bot', author_association: 'OWNER' };
    expect(authorizeByAssociation(bot)).toMatchObject({ allowed: false, bot: true });
    expect(authorizeByAssociation({ ...bot, type: 'User' })).toMatchObject({ allowed: false, bot: true });
    expect(authorizeByAssociation({ ...bot, login: 'ci-runner' })).toMatchObject({
      allowed: false,
      bot: true,
    });
    expect(authorizeByAssociation(bot, { allow_bots: ['Dependabot[bot]'] })).toMatchObject({
      allowed: true,
      via: 'allowed_bot',
    });
    expect(authorizeByAssociation(bot, { allow_bots: ['renovate[bot]'] })).toMatchObject({ allowed: false });
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
    client = new GithubClient({ api_url: hub.url, token: hub.token!, retry: { retries: 0 } });
  });

  afterAll(async () => {
    await hub.close();
  });

  it('passes trusted associations without asking GitHub', async () => {
    const decision = await authorizeActor({ login: 'alice', author_association: 'MEMBER' }, repo, never);
    expect(decision).toMatchObject({ allowed: true, via: 'association' });
  });

  it.each([
    ['writer', true],
    ['maintainer', true],
    ['admin-user', true],
    ['triager', false],
    ['reader', false],
    ['stranger', false],
  ])('falls back to the repository permission of %s', async (login, allowed) => {
    const decision = await authorizeActor(
      { login, type: 'User', author_association: 'CONTRIBUTOR' },
      repo,
      client,
    );
    expect(decision.allowed).toBe(allowed);
    expect(decision.reason).toMatch(/permission/);
  });

  it('fails closed when the permission check fails', async () => {
    hub.failNext('repos.getCollaboratorPermissionLevel', { status: 500 });
    const decision = await authorizeActor({ login: 'writer', author_association: 'NONE' }, repo, client);
    expect(decision).toMatchObject({ allowed: false, bot: false });
    expect(decision.reason).toMatch(/^permission check failed: GitHub API GET .* 500/);
  });
});
