import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startGithubStandIn, type GithubStandIn } from '@harness/testkit';
import { createLogger } from '../../core/index.js';
import { GithubClient } from '../../github/index.js';
import { resolveBotLogin } from './bot-identity.js';

const hubs: GithubStandIn[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) await hub.close();
});

async function setup(options: { installation_token?: boolean } = {}) {
  const hub = await startGithubStandIn({ viewer: { login: 'harness-bot', type: 'User' }, ...options });
  hubs.push(hub);
  const client = new GithubClient({ api_url: hub.url, token: hub.token!, retry: { retries: 0 } });
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  const logger = createLogger('info', sink);
  const resolve = (configured?: string) =>
    resolveBotLogin({ authenticatedUser: () => client.getAuthenticatedUser(), configured, logger });
  const warnings = () => lines.filter((l) => l.level === 40).map((l) => l.msg);
  return { resolve, warnings };
}

describe('resolveBotLogin', () => {
  it("takes the token's own login from GET /user", async () => {
    const { resolve, warnings } = await setup();
    expect(await resolve()).toBe('harness-bot');
    expect(warnings()).toEqual([]);
  });

  it('prefers the token over a github.bot_login that disagrees, and says so', async () => {
    const { resolve, warnings } = await setup();
    expect(await resolve('someone-else')).toBe('harness-bot');
    expect(warnings()).toEqual([
      'github.bot_login is someone-else but the token belongs to harness-bot; using harness-bot',
    ]);
  });

  it('falls back to github.bot_login when GET /user is refused (installation token)', async () => {
    const { resolve, warnings } = await setup({ installation_token: true });
    expect(await resolve('widget-app[bot]')).toBe('widget-app[bot]');
    expect(warnings()).toEqual([]);
  });

  it('warns when neither can tell', async () => {
    const { resolve, warnings } = await setup({ installation_token: true });
    expect(await resolve()).toBeUndefined();
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toMatch(/^Harness's own GitHub login is unknown/);
  });
});
