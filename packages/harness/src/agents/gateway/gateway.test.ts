import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  type ScriptedServer,
} from '@harness/testkit';
import { priceUsage } from '../pricing.js';
import { ModelGateway, upstreamUrl } from './index.js';

const REAL_ANTHROPIC_KEY = 'sk-ant-real-key-only-harness-holds';
const REAL_OPENAI_KEY = 'sk-openai-real-key-only-harness-holds';
const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of toClose.splice(0)) await item.close();
});

async function gateway(): Promise<ModelGateway> {
  const started = await ModelGateway.start();
  toClose.push(started);
  return started;
}

function track<T extends ScriptedServer>(server: T): T {
  toClose.push(server);
  return server;
}

const messagesBody = (stream: boolean) =>
  JSON.stringify({
    model: 'claude-sonnet-4-20250514',
    max_tokens: 64,
    stream,
    tools: [{ name: 't', input_schema: { type: 'object' } }],
    messages: [{ role: 'user', content: 'hi' }],
  });

function anthropicCall(origin: string, credential: string, stream = true): Promise<Response> {
  return fetch(`${origin}/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-api-key': credential,
      'anthropic-version': '2023-06-01',
    },
    body: messagesBody(stream),
  });
}

describe('model gateway', () => {
  it('refuses an unknown credential with 401 and sends nothing upstream', async () => {
    const upstream = track(await startScriptedAnthropicServer([{ text: 'never' }]));
    const gw = await gateway();
    gw.openTurn({
      upstream: { provider: 'anthropic', url: upstream.baseUrl, apiKey: REAL_ANTHROPIC_KEY },
      turnId: 't1',
    });
    const response = await anthropicCall(gw.origin, 'f'.repeat(64));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: 'authentication_error' } });
    const bare = await fetch(`${gw.origin}/v1/messages`, { method: 'POST', body: messagesBody(false) });
    expect(bare.status).toBe(401);
    expect(upstream.script.requests).toHaveLength(0);
  });

  it('forwards with the real key, streams the SSE through unchanged and meters it; a revoked credential gets 401', async () => {
    const upstream = track(
      await startScriptedAnthropicServer([
        { text: 'hello', usage: { input_tokens: 1000, output_tokens: 200 } },
      ]),
    );
    const gw = await gateway();
    const lease = gw.openTurn({
      upstream: { provider: 'anthropic', url: upstream.baseUrl, apiKey: REAL_ANTHROPIC_KEY },
      turnId: 't2',
    });
    expect(lease.credential).toMatch(/^[0-9a-f]{64}$/);
    const response = await anthropicCall(lease.baseUrl, lease.credential);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const text = await response.text();
    expect(text.match(/^event: (\S+)$/gm)).toEqual([
      'event: message_start',
      'event: content_block_start',
      'event: content_block_delta',
      'event: content_block_stop',
      'event: message_delta',
      'event: message_stop',
    ]);
    expect(text).toContain('"text":"hello"');
    const [seen] = upstream.script.requests;
    expect(seen?.url).toBe('/v1/messages?beta=true');
    expect(seen?.headers['x-api-key']).toBe(REAL_ANTHROPIC_KEY);
    expect(JSON.stringify(seen?.headers)).not.toContain(lease.credential);
    expect(lease.usage).toEqual(
      priceUsage('claude-sonnet-4-20250514', { input_tokens: 1000, output_tokens: 200 }),
    );

    lease.revoke();
    const replay = await anthropicCall(lease.baseUrl, lease.credential);
    expect(replay.status).toBe(401);
    expect(upstream.script.requests).toHaveLength(1);
  });

  it('meters a plain JSON answer', async () => {
    const upstream = track(
      await startScriptedAnthropicServer([{ text: 'json', usage: { input_tokens: 300, output_tokens: 30 } }]),
    );
    const gw = await gateway();
    const lease = gw.openTurn({
      upstream: { provider: 'anthropic', url: upstream.baseUrl, apiKey: REAL_ANTHROPIC_KEY },
      turnId: 't3',
    });
    const response = await anthropicCall(lease.baseUrl, lease.credential, false);
    expect(await response.json()).toMatchObject({ content: [{ type: 'text', text: 'json' }] });
    expect(lease.usage).toMatchObject({ input_tokens: 300, output_tokens: 30 });
  });

  it('passes an error answer on unchanged and reports its status and reason', async () => {
    const upstream = track(
      await startScriptedAnthropicServer([{ error: { status: 529, message: 'Overloaded' } }, { text: 'ok' }]),
    );
    const gw = await gateway();
    const reported: [number, string | null][] = [];
    const lease = gw.openTurn({
      upstream: { provider: 'anthropic', url: upstream.baseUrl, apiKey: REAL_ANTHROPIC_KEY },
      turnId: 't3e',
      onUpstreamError: (status, error) => reported.push([status, error]),
    });
    const failed = await anthropicCall(lease.baseUrl, lease.credential, false);
    expect(failed.status).toBe(529);
    expect(await failed.json()).toMatchObject({ error: { message: 'Overloaded' } });
    expect(reported).toEqual([[529, 'Overloaded']]);
    expect((await anthropicCall(lease.baseUrl, lease.credential, false)).status).toBe(200);
    expect(reported).toHaveLength(1);
  });

  it('sends OpenAI requests with the real bearer key and meters response.completed', async () => {
    const upstream = track(
      await startScriptedOpenAiServer([{ text: 'ok', usage: { input_tokens: 400, output_tokens: 40 } }]),
    );
    const gw = await gateway();
    const lease = gw.openTurn({
      upstream: { provider: 'openai', url: upstream.baseUrl, apiKey: REAL_OPENAI_KEY },
      turnId: 't4',
    });
    const response = await fetch(`${lease.baseUrl}/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${lease.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-5', stream: true, input: [] }),
    });
    expect(await response.text()).toContain('response.completed');
    const [seen] = upstream.script.requests;
    expect(seen?.url).toBe('/v1/responses');
    expect(seen?.headers.authorization).toBe(`Bearer ${REAL_OPENAI_KEY}`);
    expect(lease.usage).toEqual(priceUsage('gpt-5', { input_tokens: 400, output_tokens: 40 }));
  });

  it('refuses requests once the budget is spent, and says so once', async () => {
    const upstream = track(
      await startScriptedAnthropicServer([
        { text: 'expensive', usage: { input_tokens: 100_000, output_tokens: 10_000 } },
        { text: 'never sent' },
      ]),
    );
    const gw = await gateway();
    const refusals: string[] = [];
    const lease = gw.openTurn({
      upstream: { provider: 'anthropic', url: upstream.baseUrl, apiKey: REAL_ANTHROPIC_KEY },
      turnId: 't5',
      maxCostUsd: 0.1,
      onBudgetExceeded: (message) => refusals.push(message),
    });
    expect((await anthropicCall(lease.baseUrl, lease.credential)).status).toBe(200);
    for (let i = 0; i < 2; i += 1) {
      const refused = await anthropicCall(lease.baseUrl, lease.credential);
      expect(refused.status).toBe(402);
      expect(await refused.json()).toMatchObject({ error: { type: 'budget_exceeded' } });
    }
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toContain('$0.1 budget');
    expect(upstream.script.requests).toHaveLength(1);
  });

  it('aborts the upstream request when the agent hangs up mid-stream', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    let opened!: (res: ServerResponse) => void;
    const streaming = new Promise<ServerResponse>((resolve) => (opened = resolve));
    const upstream = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        'event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":1}}}\n\n',
      );
      res.once('close', upstreamClosed);
      opened(res);
      req.resume();
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    toClose.push({ close: () => new Promise((resolve) => upstream.close(() => resolve())) });
    const { port } = upstream.address() as AddressInfo;
    const gw = await gateway();
    const lease = gw.openTurn({
      upstream: { provider: 'anthropic', url: `http://127.0.0.1:${port}`, apiKey: REAL_ANTHROPIC_KEY },
      turnId: 't6',
    });
    const controller = new AbortController();
    const response = await fetch(`${lease.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': lease.credential },
      body: messagesBody(true),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toContain('message_start');
    const res = await streaming;
    controller.abort();
    await closed;
    expect(res.destroyed || res.writableEnded || res.closed).toBe(true);
  });

  it('joins upstream base paths and request paths', () => {
    expect(upstreamUrl('https://api.openai.com/v1', '/responses').href).toBe(
      'https://api.openai.com/v1/responses',
    );
    expect(upstreamUrl('https://api.anthropic.com', '/v1/messages?beta=true').href).toBe(
      'https://api.anthropic.com/v1/messages?beta=true',
    );
    expect(upstreamUrl('http://127.0.0.1:9/base/', '/v1/x').href).toBe('http://127.0.0.1:9/base/v1/x');
  });
});
