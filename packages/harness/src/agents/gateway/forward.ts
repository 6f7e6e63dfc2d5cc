import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { Usage } from '../contract.js';
import type { ModelUpstream } from './gateway.js';
import { meteringStream } from './metering.js';

/** Model requests carry whole conversations; anything larger is refused, not buffered. */
const MAX_REQUEST_BYTES = 64 * 1024 * 1024;

/** Headers that belong to one connection, or carry the credential Harness replaces. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'authorization',
  'x-api-key',
  // The response is metered on the way through, so it must come uncompressed.
  'accept-encoding',
]);
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/**
 * One error body both clients understand: Anthropic reads `error.type`/`error.message`, OpenAI
 * clients `error.message`.
 */
export function sendGatewayError(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ type: 'error', error: { type, message, code: type } }));
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function modelOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { model?: unknown };
    return typeof parsed.model === 'string' ? parsed.model : null;
  } catch {
    return null;
  }
}

function upstreamHeaders(
  req: IncomingMessage,
  upstream: ModelUpstream,
  length: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name)) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (upstream.provider === 'anthropic') headers['x-api-key'] = upstream.apiKey;
  else headers.authorization = `Bearer ${upstream.apiKey}`;
  headers['accept-encoding'] = 'identity';
  headers['content-length'] = String(length);
  return headers;
}

function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !DROPPED_RESPONSE_HEADERS.has(name)) out[name] = value;
  }
  return out;
}

/** `https://api.openai.com/v1` + `/responses?x=1` → `https://api.openai.com/v1/responses?x=1`. */
export function upstreamUrl(base: string, requestPath: string): URL {
  const url = new URL(base);
  const [pathname = '/', search = ''] = requestPath.split(/\?(.*)/s, 2);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${pathname.startsWith('/') ? '' : '/'}${pathname}`;
  url.search = search === '' ? '' : `?${search}`;
  return url;
}

/**
 * Sends one request on to the upstream with the real key, and pipes the response back unchanged:
 * SSE chunk by chunk with backpressure, metered on the way. An agent that hangs up aborts the
 * upstream request too.
 */
export async function forwardToUpstream(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: ModelUpstream,
  record: (usage: Usage) => void,
  onError: (status: number, error: string | null) => void = () => undefined,
): Promise<void> {
  const body = await readBody(req);
  if (body === null) {
    sendGatewayError(res, 413, 'request_too_large', `model request over ${MAX_REQUEST_BYTES} bytes`);
    return;
  }
  const target = upstreamUrl(upstream.url, req.url ?? '/');
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send(target, {
    method: req.method ?? 'POST',
    headers: upstreamHeaders(req, upstream, body.length),
  });
  const hangUp = (): void => {
    if (!res.writableFinished) outgoing.destroy(new Error('the agent closed the connection'));
  };
  res.once('close', hangUp);
  const answer = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once('response', resolve);
    outgoing.once('error', reject);
  });
  outgoing.end(body);
  let incoming: IncomingMessage;
  try {
    incoming = await answer;
  } catch (error) {
    const message = `Harness model gateway could not reach ${target.origin}: ${String(error)}`;
    sendGatewayError(res, 502, 'api_error', message);
    onError(502, message);
    return;
  }
  const status = incoming.statusCode ?? 502;
  res.writeHead(status, responseHeaders(incoming.headers));
  if (status < 200 || status >= 300) {
    // An error answer is small: kept whole, passed on unchanged, and its reason reported.
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    res.end(text);
    onError(status, errorReason(text));
    return;
  }
  const meter = meteringStream(
    upstream.provider,
    String(incoming.headers['content-type'] ?? ''),
    modelOf(body),
    record,
  );
  await pipeline(incoming, meter, res);
}

/** The reason in an upstream's error body (`{"error": {"message"|"type"}}`, as both APIs answer), if any. */
function errorReason(body: string): string | null {
  try {
    const error = (JSON.parse(body) as { error?: { message?: unknown; type?: unknown } }).error;
    const reason = error?.message ?? error?.type;
    return typeof reason === 'string' && reason !== '' ? reason.slice(0, 200) : null;
  } catch {
    return null;
  }
}
