import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn } from '@harness/testkit';
import type { Clock } from '../core/index.js';
import { CachedPermissionLookup, GithubClient } from './index.js';

const slug = 'acme/widgets';
const repo = { owner: 'acme', repo: 'widgets' };

/** A clock the test moves by hand. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.parse('2026-01-01T00:00:00Z');
  return { now: () => new Date(now), advance: (ms) => void (now += ms) };
}

describe('CachedPermissionLookup against the stand-in', () => {
  let hub: GithubStandIn;
  let client: GithubClient;

  beforeAll(async () => {
    hub = await startGithubStandIn();
    hub.addRepo(slug);
    client = new GithubClient({ api_url: hub.url, token: hub.token!, retry: { retries: 0 } });
  });

  afterAll(async () => {
    await hub.close();
  });

  const calls = (login: string) =>
    hub.requests().filter((r) => r.path === `/repos/${slug}/collaborators/${login}/permission`).length;

  it('asks GitHub once per repository and login within the TTL, then again', async () => {
    hub.setPermission(slug, 'carol', 'write');
    const clock = manualClock();
    const cache = new CachedPermissionLookup(client, { ttl_ms: 60_000, clock });
    expect((await cache.getCollaboratorPermission(repo, 'carol')).permission).toBe('write');
    hub.setPermission(slug, 'carol', 'read');
    clock.advance(59_999);
    expect((await cache.getCollaboratorPermission(repo, 'Carol')).permission).toBe('write');
    expect(calls('carol')).toBe(1);
    clock.advance(1);
    expect((await cache.getCollaboratorPermission(repo, 'carol')).permission).toBe('read');
    expect(calls('carol')).toBe(2);
  });

  it('shares one request between concurrent lookups of the same key', async () => {
    hub.setPermission(slug, 'dave', 'admin');
    const cache = new CachedPermissionLookup(client);
    const answers = await Promise.all([1, 2, 3].map(() => cache.getCollaboratorPermission(repo, 'dave')));
    expect(answers.map((a) => a.permission)).toEqual(['admin', 'admin', 'admin']);
    expect(calls('dave')).toBe(1);
  });

  it('caches a 404 answer but never a failure', async () => {
    const cache = new CachedPermissionLookup(client);
    expect(await cache.getCollaboratorPermission(repo, 'ghost')).toMatchObject({ found: false });
    expect(await cache.getCollaboratorPermission(repo, 'ghost')).toMatchObject({ found: false });
    expect(calls('ghost')).toBe(1);
    hub.setPermission(slug, 'erin', 'write');
    hub.failNext('repos.getCollaboratorPermissionLevel', { status: 500 });
    await expect(cache.getCollaboratorPermission(repo, 'erin')).rejects.toThrow(/500/);
    expect((await cache.getCollaboratorPermission(repo, 'erin')).permission).toBe('write');
    expect(calls('erin')).toBe(2);
  });

  it('keeps at most `capacity` answers, dropping the least recently used', async () => {
    for (const login of ['u1', 'u2', 'u3']) hub.setPermission(slug, login, 'write');
    const cache = new CachedPermissionLookup(client, { capacity: 2 });
    await cache.getCollaboratorPermission(repo, 'u1');
    await cache.getCollaboratorPermission(repo, 'u2');
    await cache.getCollaboratorPermission(repo, 'u1');
    await cache.getCollaboratorPermission(repo, 'u3');
    expect(cache.size).toBe(2);
    await cache.getCollaboratorPermission(repo, 'u1');
    await cache.getCollaboratorPermission(repo, 'u2');
    expect([calls('u1'), calls('u2'), calls('u3')]).toEqual([1, 2, 1]);
  });
});
