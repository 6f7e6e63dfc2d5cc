/**
 * The dashboard's client against a real `harness serve --transport http` with an API token: the
 * session handshake, a session the server forgot, the token in the header only, and the errors
 * that bring up the login form.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, type RunningHarness, startHttpHarness, tempDir } from '@harness/testkit';
import { HarnessClient } from './client.js';
import { ApiError } from './errors.js';

const token = 'dashboard-test-token-0123456789';

describe('HarnessClient against harness serve', () => {
  const dir = tempDir();
  let server: RunningHarness;
  beforeAll(async () => {
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path, { HARNESS_API_TOKEN: token }),
    );
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  /** A client over the real fetch that records each request's URL, session and authorization. */
  function clientWith(current: { token: string | null }) {
    const sent: { url: string; session: string | null; authorization: string | null }[] = [];
    const client = new HarnessClient({
      baseUrl: server.url,
      token: () => current.token,
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        sent.push({
          url: String(input),
          session: headers.get('harness-session'),
          authorization: headers.get('authorization'),
        });
        return fetch(input, init);
      },
    });
    return { client, sent };
  }

  it('initializes once, then sends the session back; the token only ever in the header', async () => {
    const { client, sent } = clientWith({ token });
    const first = await client.call('project/list');
    expect(Array.isArray(first.projects)).toBe(true);
    await client.call('agent/list');
    expect(sent).toHaveLength(3);
    expect(sent[0]!.session).toBeNull();
    expect(sent[1]!.session).not.toBeNull();
    expect(sent[2]!.session).toBe(sent[1]!.session);
    expect(sent.every((request) => request.authorization === `Bearer ${token}`)).toBe(true);
    expect(sent.every((request) => !request.url.includes(token))).toBe(true);
  });

  it('initializes again when the server no longer knows the session (-32003)', async () => {
    const { client, sent } = clientWith({ token });
    await client.call('project/list');
    // A session id the server never gave: what a restarted server or an expired session answers.
    (client as unknown as { session: string }).session = 'http_forgotten';
    const again = await client.call('dashboard/get');
    expect(typeof again.global.running).toBe('number');
    expect(sent.map((request) => request.session === null)).toEqual([true, false, false, true, false]);
  });

  it('answers a missing or wrong token with an error that asks for one, and never repeats the token', async () => {
    const current: { token: string | null } = { token: null };
    const { client } = clientWith(current);
    const missing = await client.call('project/list').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).needsToken).toBe(true);
    expect((missing as ApiError).status).toBe(401);
    current.token = 'wrong-token-value';
    const wrong = (await client.rest('GET', '/tasks').catch((error: unknown) => error)) as ApiError;
    expect(wrong.needsToken).toBe(true);
    expect(wrong.message).not.toContain('wrong-token-value');
    current.token = token;
    expect((await client.rest<{ tasks: unknown[] }>('GET', '/tasks')).tasks).toEqual([]);
  });

  it('names what is wrong with bad params, without asking for a token', async () => {
    const { client } = clientWith({ token });
    const error = (await client
      .call('task/get', { task_id: 'tsk_does_not_exist' })
      .catch((caught: unknown) => caught)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.needsToken).toBe(false);
    expect(error.message).toMatch(/^task\/get: .*tsk_does_not_exist/);
  });
});
