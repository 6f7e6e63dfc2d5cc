import type { IncomingMessage, ServerResponse } from 'node:http';
import { headersOf, listenLoopback, sendJson, startSse, writeSse, type ScriptedServer } from './http.js';
import { ScriptQueue, scriptedToolId, type ScriptTurn } from './script.js';

/**
 * A scripted fake of the OpenAI Responses API as the Codex CLI uses it: `POST {base}/responses`
 * (SSE) and `GET {base}/models`. A tool call whose input is a string becomes a `custom_tool_call`
 * (Codex's freeform `apply_patch`); an object becomes a `function_call` with JSON arguments.
 */
export interface ScriptedOpenAiServer extends ScriptedServer {
  readonly script: ScriptQueue;
  /** Value for a Codex provider's `base_url` (ends in `/v1`). */
  readonly baseUrl: string;
}

let itemCounter = 0;
function itemId(prefix: string): string {
  itemCounter += 1;
  return `${prefix}_fake${String(itemCounter).padStart(6, '0')}`;
}

function itemsOf(turn: ScriptTurn): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const call of turn.tool_calls ?? []) {
    const callId = scriptedToolId('call_fake', call);
    if (typeof call.input === 'string') {
      items.push({
        type: 'custom_tool_call',
        id: itemId('ctc'),
        status: 'completed',
        call_id: callId,
        name: call.name,
        input: call.input,
      });
    } else {
      const args = JSON.stringify(call.input ?? {});
      items.push({
        type: 'function_call',
        id: itemId('fc'),
        status: 'completed',
        call_id: callId,
        name: call.name,
        arguments: args,
      });
    }
  }
  if (turn.text !== undefined) {
    items.push({
      type: 'message',
      id: itemId('msg'),
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: turn.text, annotations: [] }],
    });
  }
  return items;
}

function usageOf(turn: ScriptTurn): Record<string, unknown> {
  const u = turn.usage ?? { input_tokens: 10, output_tokens: 5 };
  return {
    input_tokens: u.input_tokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.output_tokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.input_tokens + u.output_tokens,
  };
}

function answerTurn(res: ServerResponse, turn: ScriptTurn): void {
  if (turn.error !== undefined) {
    const { status } = turn.error;
    const headers: Record<string, string> =
      turn.error.retry_after_secs === undefined ? {} : { 'retry-after': String(turn.error.retry_after_secs) };
    const error = {
      message: turn.error.message ?? `scripted ${status}`,
      type: turn.error.type ?? 'server_error',
      code: null,
    };
    sendJson(res, status, { error }, headers);
    return;
  }
  const responseId = itemId('resp');
  startSse(res);
  writeSse(res, 'response.created', { type: 'response.created', response: { id: responseId } });
  if (turn.stall === true) return; // never completes
  if (turn.malformed === true) {
    res.end('event: response.output_item.done\ndata: {this is not json\n\n');
    return;
  }
  itemsOf(turn).forEach((item, index) => {
    writeSse(res, 'response.output_item.done', {
      type: 'response.output_item.done',
      output_index: index,
      item,
    });
  });
  writeSse(res, 'response.completed', {
    type: 'response.completed',
    response: { id: responseId, usage: usageOf(turn) },
  });
  res.end();
}

function handleResponses(
  script: ScriptQueue,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
): void {
  const { turn, index } = script.next(body);
  script.requests.push({
    method: req.method ?? '',
    url: req.url ?? '',
    headers: headersOf(req),
    body,
    turn: index,
  });
  answerTurn(res, turn);
}

export async function startScriptedOpenAiServer(turns: ScriptTurn[] = []): Promise<ScriptedOpenAiServer> {
  const script = new ScriptQueue(turns);
  const server = await listenLoopback((req, res, body) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'HEAD') {
      res.writeHead(200).end();
    } else if (req.method === 'GET' && path.endsWith('/models')) {
      sendJson(res, 200, { object: 'list', data: [], models: [] });
    } else if (req.method === 'POST' && path.endsWith('/responses')) {
      handleResponses(script, req, res, body);
    } else {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'not_found' } });
    }
  });
  return { ...server, script, baseUrl: `${server.origin}/v1` };
}
