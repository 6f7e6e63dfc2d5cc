import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { toHttpError } from '../http-errors.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  error: HarnessError,
  headers: Record<string, string> = {},
): void {
  const { status, body } = toHttpError(error, '');
  sendJson(res, status, JSON.stringify(body), headers);
}

/** Reads a request body, refusing (with a HarnessError) anything larger than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () =>
    new HarnessError(ErrorCodes.payloadTooLarge, `request body exceeds the limit of ${limit} bytes`);
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    req.once('error', reject);
  });
}

export function pathAndQuery(url: string | undefined): { path: string; query: URLSearchParams } {
  const raw = url ?? '/';
  const mark = raw.indexOf('?');
  if (mark < 0) return { path: raw, query: new URLSearchParams() };
  return { path: raw.slice(0, mark), query: new URLSearchParams(raw.slice(mark + 1)) };
}
