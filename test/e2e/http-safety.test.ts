/** HTTP and WebSocket safety: bearer auth, exposure without a token, body limits, origins, sessions. */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import WebSocket from 'ws';
import { MAX_BATCH_SIZE, MAX_JSON_DEPTH } from '@harness/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HttpClient,
  StdioClient,
  WsClient,
  harnessBin,
  isolatedEnv,
  type RunningHarness,
  startHttpHarness,
  tempDir,
} from '@harness/testkit';

const token = 'test-token-0123456789';

describe('HTTP with a bearer token', () => {
  const dir = tempDir();
  let server: RunningHarness;
  beforeAll(async () => {
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data'), '--log-level', 'debug'],
      isolatedEnv(dir.path, { HARNESS_API_TOKEN: token }),
    );
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('leaves /health open and closes everything else without the token', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const denied = await fetch(`${server.url}/rpc`, { method: 'POST', body: '{}' });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const wrong = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { authorization: 'Bearer nope' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
  });

  it('accepts the token and never writes it to the log', async () => {
    const client = new HttpClient(server.url, { authorization: `Bearer ${token}` });
    const reply = (await client.request('initialize')) as { result: unknown };
    expect(reply.result).toBeDefined();
    expect(server.stderr.join('\n')).not.toContain(token);
  });

  it('takes the WebSocket token from the header or ?token=, and refuses without it', async () => {
    await expect(WsClient.connect(server.url)).rejects.toThrow(/401/);
    const byHeader = await WsClient.connect(server.url, { authorization: `Bearer ${token}` });
    await byHeader.close();
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${token}`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.close();
  });
});

describe('HTTP limits, sessions and origins', () => {
  const dir = tempDir();
  let server: RunningHarness;
  beforeAll(async () => {
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path),
    );
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('refuses bodies over the limit with 413', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'event/log',
      params: { event: { kind: 'x', data: 'y'.repeat(2_000_000) } },
    });
    const response = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/exceeds/);
  });

  it('answers GET /rpc with 405 and unknown routes with 404', async () => {
    const get = await fetch(`${server.url}/rpc`);
    expect(get.status).toBe(400);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
  });

  it('carries the handshake in a session header, and rejects an unknown session', async () => {
    const client = new HttpClient(server.url);
    await client.request('initialize');
    expect(client.session).toMatch(/^conn_/);
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
    expect((await client.request('health/check')) as object).toHaveProperty('result');
    const stranger = new HttpClient(server.url);
    stranger.session = 'conn_forged';
    const reply = (await stranger.request('health/check')) as { error: { code: number; message: string } };
    expect(reply.error.code).toBe(-32003);
    expect(reply.error.message).toMatch(/unknown or expired/);
  });

  it('refuses WebSocket upgrades from foreign origins', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`, {
      headers: { origin: 'https://evil.example' },
    });
    const status = await new Promise<number>((resolve) =>
      socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(403);
    // Another local page (a dev server on another port) is a foreign origin too, unless configured.
    await expect(WsClient.connect(server.url, { origin: 'http://localhost:5173' })).rejects.toThrow(/403/);
    const own = await WsClient.connect(server.url, { origin: new URL(server.url).origin });
    await own.close();
  });

  it('answers binary WebSocket frames with an error instead of dropping them', async () => {
    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
    await new Promise((resolve) => socket.once('open', resolve));
    const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
    socket.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"initialize"}'), { binary: true });
    expect(JSON.parse(await reply).error.code).toBe(-32600);
    socket.close();
  });
});

describe('exposure and shutdown', () => {
  it('refuses to bind beyond loopback without a token', () => {
    const dir = tempDir();
    const run = spawnSync(
      process.execPath,
      [
        harnessBin,
        'serve',
        '--transport',
        'http',
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--data-dir',
        dir.path,
      ],
      {
        env: isolatedEnv(dir.path),
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    dir.remove();
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/not loopback.*HARNESS_API_TOKEN/);
  });

  it('exits cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dir = tempDir();
      const server = await startHttpHarness(
        ['--transport', 'http', '--data-dir', dir.path],
        isolatedEnv(dir.path),
      );
      expect(await server.stop(signal)).toBe(0);
      expect(server.stderr.join('\n')).toMatch(/harness stopped/);
      dir.remove();
    }
  });
});

describe('JSON input limits over JSON-RPC and REST', () => {
  const dir = tempDir();
  let server: RunningHarness;
  beforeAll(async () => {
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data')],
      isolatedEnv(dir.path),
    );
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  const post = async (route: string, body: string) => {
    const response = await fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return {
      status: response.status,
      body: (await response.json()) as { error: { code: number | string; message: string } },
    };
  };
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it(`refuses JSON nested deeper than ${MAX_JSON_DEPTH}, even a megabyte of brackets, on every transport`, async () => {
    const megabyte = '['.repeat(1_000_000);
    const rpc = await post('/rpc', megabyte);
    expect(rpc.status).toBe(200);
    expect(rpc.body.error.code).toBe(-32600);
    expect(rpc.body.error.message).toContain(`limit of ${MAX_JSON_DEPTH} levels`);
    const rest = await post('/tasks', `{"prompt":${megabyte}`);
    expect(rest.status).toBe(400);
    expect(rest.body.error.message).toContain(`limit of ${MAX_JSON_DEPTH} levels`);
    const ws = await WsClient.connect(server.url);
    const reply = (await ws.send(megabyte)) as { error: { code: number; message: string } };
    expect(reply.error.code).toBe(-32600);
    expect(reply.error.message).toContain(`limit of ${MAX_JSON_DEPTH}`);
    await ws.close();
    const stdio = StdioClient.start(path.join(dir.path, 'stdio-data'), isolatedEnv(dir.path));
    const line = (await stdio.send(megabyte)) as { error: { code: number; message: string } };
    expect(line.error.code).toBe(-32600);
    expect(line.error.message).toContain(`limit of ${MAX_JSON_DEPTH}`);
    await stdio.close();
    // Brackets inside strings are text, not nesting; and the server is still answering.
    const client = new HttpClient(server.url);
    const init = (await client.request('initialize', { client_info: { name: '['.repeat(80) } })) as object;
    expect(init).toHaveProperty('result');
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, async () => {
    // The envelope and params take three levels, so `data` holds the rest.
    const event = (depth: number) =>
      `{"jsonrpc":"2.0","id":1,"method":"event/log","params":{"event":{"kind":"x","data":${nested(depth)}}}}`;
    const atLimit = await post('/rpc', event(MAX_JSON_DEPTH - 3));
    expect(atLimit.body.error?.message ?? '').not.toContain('nested deeper');
    const over = await post('/rpc', event(MAX_JSON_DEPTH - 2));
    expect(over.body.error.message).toContain('nested deeper');
  });

  it('refuses lone surrogates naming the field, over JSON-RPC and REST, and stores nothing', async () => {
    const client = new HttpClient(server.url);
    await client.send(
      '[{"jsonrpc":"2.0","id":1,"method":"initialize"},{"jsonrpc":"2.0","method":"initialized"}]',
    );
    const lone = (await client.send(
      '{"jsonrpc":"2.0","id":7,"method":"thread/start","params":{"title":"half \\ud800 a pair"}}',
    )) as { id: number; error: { code: number; message: string } };
    expect(lone.id).toBe(7);
    expect(lone.error.code).toBe(-32600);
    expect(lone.error.message).toMatch(/params\.title: text contains a lone UTF-16 surrogate/);
    const trailing = (await client.send(
      '{"jsonrpc":"2.0","id":8,"method":"thread/start","params":{"metadata":{"k":["ok","\\udc00"]}}}',
    )) as { error: { message: string } };
    expect(trailing.error.message).toMatch(/params\.metadata\.k\[1\]/);
    const listed = (await client.request('thread/list')) as { result: { threads: unknown[] } };
    expect(listed.result.threads).toHaveLength(0);
    // A proper pair is well-formed text, stored and returned exactly.
    const pair = (await client.send(
      '{"jsonrpc":"2.0","id":9,"method":"thread/start","params":{"title":"smile \\ud83d\\ude00"}}',
    )) as { result: { thread: { title: string } } };
    expect(pair.result.thread.title).toBe('smile \u{1F600}');
    const rest = await post('/tasks', '{"prompt":"fix \\uDBFF it"}');
    expect(rest.status).toBe(400);
    expect(rest.body.error.message).toMatch(/^body\.prompt: text contains a lone UTF-16 surrogate/);
  });

  it(`refuses batches of more than ${MAX_BATCH_SIZE} tasks, naming the field and the limit`, async () => {
    const many = (n: number, item: string) => Array.from({ length: n }, () => item).join(',');
    const tasks = await post('/tasks/batch', `{"tasks":[${many(MAX_BATCH_SIZE + 1, '{"prompt":"x"}')}]}`);
    expect(tasks.status).toBe(400);
    expect(tasks.body.error.message).toBe(
      `invalid body: tasks: at most ${MAX_BATCH_SIZE} tasks in one batch`,
    );
    const issues = await post('/tasks/batch', `{"issues":[${many(MAX_BATCH_SIZE + 1, '1')}]}`);
    expect(issues.status).toBe(400);
    expect(issues.body.error.message).toContain(`issues: at most ${MAX_BATCH_SIZE} issues`);
    const client = new HttpClient(server.url);
    await client.send(
      '[{"jsonrpc":"2.0","id":1,"method":"initialize"},{"jsonrpc":"2.0","method":"initialized"}]',
    );
    const tasks101 = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => ({ prompt: 'x' }));
    const rpc = (await client.request('task/batch', { tasks: tasks101 })) as {
      error: { code: number; message: string };
    };
    expect(rpc.error.code).toBe(-32602);
    expect(rpc.error.message).toContain(`tasks: at most ${MAX_BATCH_SIZE} tasks in one batch`);
  });
});
