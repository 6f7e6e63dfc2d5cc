import type { IncomingMessage, ServerResponse } from 'node:http';
import { headersOf, listenLoopback, sendJson, startSse, writeSse, type ScriptedServer } from './http.js';
import { ScriptQueue, scriptedToolId, type ScriptTurn } from './script.js';

/**
 * A scripted fake of the Anthropic Messages API, enough for the real Claude Code CLI and for
 * `@anthropic-ai/sdk`: `POST /v1/messages` (SSE or plain JSON, with or without `?beta=true`),
 * `count_tokens`, `GET /v1/models` and `HEAD /`.
 */
export interface ScriptedAnthropicServer extends ScriptedServer {
  readonly script: ScriptQueue;
  /** Value for `ANTHROPIC_BASE_URL` (the SDK and the CLI append `/v1/messages`). */
  readonly baseUrl: string;
}

interface Block {
  type: 'text' | 'tool_use';
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function blocksOf(turn: ScriptTurn): Block[] {
  const blocks: Block[] = [];
  if (turn.text !== undefined) blocks.push({ type: 'text', text: turn.text });
  for (const call of turn.tool_calls ?? []) {
    blocks.push({
      type: 'tool_use',
      id: scriptedToolId('toolu_fake', call),
      name: call.name,
      input: call.input ?? {},
    });
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  return blocks;
}

function messageOf(turn: ScriptTurn, model: string, blocks: Block[]): Record<string, unknown> {
  const usage = turn.usage ?? { input_tokens: 10, output_tokens: 5 };
  const hasTools = blocks.some((b) => b.type === 'tool_use');
  return {
    id: `msg_fake${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    type: 'message',
    role: 'assistant',
    model,
    content: blocks,
    stop_reason: hasTools ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function streamMessage(res: ServerResponse, message: Record<string, unknown>, blocks: Block[]): void {
  const usage = message.usage as { input_tokens: number; output_tokens: number };
  startSse(res);
  writeSse(res, 'message_start', {
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
  });
  blocks.forEach((block, index) => {
    const start =
      block.type === 'text'
        ? { type: 'text', text: '' }
        : { type: 'tool_use', id: block.id, name: block.name, input: {} };
    writeSse(res, 'content_block_start', { type: 'content_block_start', index, content_block: start });
    const delta =
      block.type === 'text'
        ? { type: 'text_delta', text: block.text ?? '' }
        : { type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) };
    writeSse(res, 'content_block_delta', { type: 'content_block_delta', index, delta });
    writeSse(res, 'content_block_stop', { type: 'content_block_stop', index });
  });
  writeSse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  writeSse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function answerTurn(res: ServerResponse, turn: ScriptTurn, body: Record<string, unknown>): void {
  const model = typeof body.model === 'string' ? body.model : 'claude-scripted';
  if (turn.error !== undefined) {
    const { status } = turn.error;
    const type = turn.error.type ?? ERROR_TYPES[status] ?? 'api_error';
    const headers: Record<string, string> =
      turn.error.retry_after_secs === undefined ? {} : { 'retry-after': String(turn.error.retry_after_secs) };
    sendJson(
      res,
      status,
      { type: 'error', error: { type, message: turn.error.message ?? `scripted ${status}` } },
      headers,
    );
    return;
  }
  const blocks = blocksOf(turn);
  const message = messageOf(turn, model, blocks);
  if (body.stream !== true) {
    sendJson(res, 200, message);
    return;
  }
  if (turn.stall === true) {
    startSse(res);
    writeSse(res, 'message_start', {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null },
    });
    return; // never ends: the client must give up on its own
  }
  if (turn.malformed === true) {
    startSse(res);
    res.end('event: message_start\ndata: {this is not json\n\n');
    return;
  }
  streamMessage(res, message, blocks);
}

function handleMessages(script: ScriptQueue, req: IncomingMessage, res: ServerResponse, body: unknown): void {
  const payload = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const tools = Array.isArray(payload.tools) ? payload.tools : [];
  // Side requests without tools (titles, summaries) must not eat the scripted conversation.
  const { turn, index } =
    tools.length > 0 ? script.next(body) : { turn: { text: '{"title":"Scripted"}' }, index: null };
  script.requests.push({
    method: req.method ?? '',
    url: req.url ?? '',
    headers: headersOf(req),
    body,
    turn: index,
  });
  if (turn.delay_ms === undefined) return answerTurn(res, turn, payload);
  // A client that gave up meanwhile gets nothing.
  setTimeout(() => {
    if (!res.destroyed) answerTurn(res, turn, payload);
  }, turn.delay_ms).unref();
}

export async function startScriptedAnthropicServer(
  turns: ScriptTurn[] = [],
): Promise<ScriptedAnthropicServer> {
  const script = new ScriptQueue(turns);
  const server = await listenLoopback((req, res, body) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'HEAD') {
      res.writeHead(200).end();
    } else if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, {
        data: [{ type: 'model', id: 'claude-scripted', display_name: 'Scripted' }],
        has_more: false,
      });
    } else if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      sendJson(res, 200, { input_tokens: JSON.stringify(body ?? '').length >> 2 });
    } else if (req.method === 'POST' && path === '/v1/messages') {
      handleMessages(script, req, res, body);
    } else {
      sendJson(res, 404, {
        type: 'error',
        error: { type: 'not_found_error', message: `no route ${req.method} ${path}` },
      });
    }
  });
  return { ...server, script, baseUrl: server.origin };
}
