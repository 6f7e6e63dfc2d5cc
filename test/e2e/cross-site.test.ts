/**
 * No cross-site driving: the requests a browser really sends on behalf of a page on another site
 * (form posts, no-cors fetches, sandboxed frames, DNS rebinding) against a real `harness serve`,
 * next to the legitimate ones (curl, the CLI clients, the server's own pages, an allowed origin).
 */
import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  WsClient,
  isolatedEnv,
  type RunningHarness,
  startHttpHarness,
  tempDir,
} from '@harness/testkit';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

const allowedOrigin = 'http://localhost:5173';
const json = { 'content-type': 'application/json' };
const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize' });

/** One HTTP request with exactly the headers given (including Host), as a browser would send it. */
function send(
  url: string,
  route: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const target = new URL(route, url);
  return new Promise((resolve, reject) => {
    const req = request(target, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {} });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The status of a WebSocket handshake: 101 when it opened, else the HTTP status of the refusal. */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/ws`, { headers });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

describe('cross-site requests from browsers', () => {
  const dir = tempDir();
  let server: RunningHarness;
  let host: string;
  let ownOrigin: string;
  beforeAll(async () => {
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(config, `[server]\nallowed_origins = ["${allowedOrigin}"]\n`);
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path, { HARNESS_CONFIG: config }),
    );
    host = new URL(server.url).host;
    ownOrigin = new URL(server.url).origin;
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };

  it.each([
    ['application/x-www-form-urlencoded', 'prompt=rm+-rf'],
    [
      'multipart/form-data; boundary=----x',
      '------x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n------x--\r\n',
    ],
    ['text/plain', '{"prompt":"x","project":"p"}'],
  ])('refuses a cross-site HTML form posting %s with 403', async (type, body) => {
    for (const route of ['/tasks', '/rpc', '/api/projects']) {
      const reply = await send(server.url, route, {
        headers: { ...crossSite, 'sec-fetch-mode': 'navigate', 'content-type': type },
        body,
      });
      expect(reply.status).toBe(403);
      expect(reply.body.error?.message).toMatch(/cross-site request refused: Origin https:\/\/evil.example/);
    }
  });

  it('refuses the same form bodies with 415 when a browser sends no Origin at all', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain',
    ]) {
      const reply = await send(server.url, '/tasks', { headers: { 'content-type': type }, body: 'prompt=x' });
      expect(reply.status).toBe(415);
      expect(reply.body.error?.code).toBe('unsupported_media_type');
      expect(reply.body.error?.message).toContain(`Content-Type "${type}"`);
    }
    const none = await send(server.url, '/tasks/task_x/cancel', {});
    expect(none.status).toBe(415);
    expect(none.body.error?.message).toMatch(/no Content-Type.*application\/json/);
  });

  it('refuses a fetch with mode no-cors (text/plain, cross-site) with 403', async () => {
    const reply = await send(server.url, '/rpc', {
      headers: { ...crossSite, 'sec-fetch-mode': 'no-cors', 'content-type': 'text/plain;charset=UTF-8' },
      body: initialize,
    });
    expect(reply.status).toBe(403);
  });

  it('refuses Sec-Fetch-Site cross-site or same-site, with or without an Origin', async () => {
    const sites: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' },
      { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of sites) {
      const reply = await send(server.url, '/rpc', { headers: { ...json, ...headers }, body: initialize });
      expect(reply.status).toBe(403);
      expect(reply.body.error?.message).toMatch(/cross-site request refused/);
    }
  });

  it('refuses Origin null from a sandboxed frame or a file: page', async () => {
    for (const site of ['cross-site', 'none']) {
      const reply = await send(server.url, '/rpc', {
        headers: { ...json, origin: 'null', 'sec-fetch-site': site },
        body: initialize,
      });
      expect(reply.status).toBe(403);
      expect(reply.body.error?.message).toMatch(/Origin "null"/);
    }
  });

  it('refuses a DNS-rebinding page: foreign Host, for reads, writes and WebSockets alike', async () => {
    const rebound = `evil.example:${new URL(server.url).port}`;
    const headers = { host: rebound, origin: `http://${rebound}`, 'sec-fetch-site': 'same-origin' };
    const write = await send(server.url, '/rpc', { headers: { ...json, ...headers }, body: initialize });
    expect(write.status).toBe(403);
    expect(write.body.error?.message).toMatch(/Host "evil.example:\d+" refused/);
    const read = await send(server.url, '/tasks', { method: 'GET', headers });
    expect(read.status).toBe(403);
    expect(await upgradeStatus(server.url, headers)).toBe(403);
  });

  it('accepts curl-style requests without Origin, the CLI clients, and localhost names', async () => {
    const curl = await send(server.url, '/rpc', { headers: json, body: initialize });
    expect(curl.status).toBe(200);
    expect(curl.body.result).toBeDefined();
    const client = new HttpClient(server.url);
    expect(await client.request('initialize')).toHaveProperty('result');
    const ws = await WsClient.connect(server.url);
    expect(await ws.request('initialize')).toHaveProperty('result');
    await ws.close();
    const port = new URL(server.url).port;
    for (const name of [`localhost:${port}`, `[::1]:${port}`, `127.0.0.2:${port}`]) {
      const reply = await send(server.url, '/rpc', {
        headers: { ...json, host: name, origin: `http://${name}`, 'sec-fetch-site': 'same-origin' },
        body: initialize,
      });
      expect(reply.status).toBe(200);
    }
  });

  it("accepts a same-origin page's fetch and charset=utf-8, and refuses other JSON look-alikes", async () => {
    const page = { origin: ownOrigin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' };
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'Application/JSON;charset="UTF-8"',
    ]) {
      const reply = await send(server.url, '/rpc', {
        headers: { ...page, 'content-type': type },
        body: initialize,
      });
      expect(reply.status).toBe(200);
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
    }
    for (const type of ['application/json; charset=latin1', 'application/jsonp', 'application/json-seq']) {
      const reply = await send(server.url, '/rpc', {
        headers: { ...page, 'content-type': type },
        body: initialize,
      });
      expect(reply.status).toBe(415);
    }
    expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('changes state only with application/json: project registration and removal', async () => {
    const root = path.join(dir.path, 'proj');
    mkdirSync(root);
    expect(spawnSync('git', ['init', '-q', root]).status).toBe(0);
    const body = JSON.stringify({ id: 'proj', root });
    const form = await send(server.url, '/api/projects', { headers: { 'content-type': 'text/plain' }, body });
    expect(form.status).toBe(415);
    const created = await send(server.url, '/api/projects', { headers: json, body });
    expect(created.status).toBe(201);
    const bare = await send(server.url, '/api/projects/proj', { method: 'DELETE' });
    expect(bare.status).toBe(415);
    const hostile = await send(server.url, '/api/projects/proj', {
      method: 'DELETE',
      headers: { ...json, ...crossSite },
    });
    expect(hostile.status).toBe(403);
    const removed = await send(server.url, '/api/projects/proj', { method: 'DELETE', headers: json });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ deleted: true });
  });

  it('lets an origin in server.allowed_origins through, with CORS headers and a preflight', async () => {
    const preflight = await send(server.url, '/rpc', {
      method: 'OPTIONS',
      headers: {
        origin: allowedOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(preflight.headers['access-control-allow-headers']).toMatch(/content-type/);
    const call = await send(server.url, '/rpc', {
      headers: { ...json, origin: allowedOrigin, 'sec-fetch-site': 'same-site' },
      body: initialize,
    });
    expect(call.status).toBe(200);
    expect(call.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(call.headers['access-control-expose-headers']).toBe('harness-session');
    const foreign = await send(server.url, '/rpc', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('opens /ws without Origin, from its own origin and an allowed one; refuses null and the rest', async () => {
    expect(await upgradeStatus(server.url, {})).toBe(101);
    expect(await upgradeStatus(server.url, { origin: ownOrigin })).toBe(101);
    expect(await upgradeStatus(server.url, { origin: allowedOrigin })).toBe(101);
    expect(await upgradeStatus(server.url, { origin: 'null' })).toBe(403);
    expect(await upgradeStatus(server.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(server.url, { origin: 'http://localhost:3000' })).toBe(403);
  });

  it('still takes GitHub webhook posts without Origin checks or JSON content type (404 without a secret)', async () => {
    const reply = await send(server.url, '/webhook', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', host: 'hooks.example' },
      body: 'payload=%7B%7D',
    });
    expect(reply.status).toBe(404);
    expect(reply.body.error?.message).toMatch(/webhooks are disabled/);
  });
});
