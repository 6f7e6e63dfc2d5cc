import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCodes, type ErrorCode, type Logger, newId } from '../../core/index.js';
import {
  deliveryHeader,
  eventHeader,
  isValidDeliveryId,
  isValidEventName,
  signatureHeader,
  verifySignature,
} from '../../github/index.js';
import { sendJson } from '../transports/http-util.js';
import type { WebhookProcessor, WebhookResult } from './webhook-processor.js';

/** GitHub caps payloads at 25 MB, but nothing Harness acts on comes close to this. */
export const webhookBodyLimit = 512 * 1024;

export const webhooksDisabledMessage = 'webhooks are disabled: set server.github_webhook_secret';

export interface WebhookEndpoint {
  /** True exactly when `server.github_webhook_secret` is set. */
  readonly enabled: boolean;
  /** Handles `POST /webhook`; authenticated by its HMAC, not by the bearer token. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

class TooLarge extends Error {}

function error(status: number, code: ErrorCode, message: string): WebhookResult {
  return { status, body: { error: { code, message } } };
}

/** The body exactly as sent: the signature is over these bytes, not over any decoding of them. */
function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}

/** GitHub sends JSON, or `payload=<json>` when the hook's content type is form-encoded. */
function parsePayload(
  raw: Buffer,
  contentType: string | undefined,
): { ok: true; value: unknown } | { ok: false } {
  try {
    const text = raw.toString('utf8');
    if ((contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      const payload = new URLSearchParams(text).get('payload');
      return payload === null ? { ok: false } : { ok: true, value: JSON.parse(payload) };
    }
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function createWebhookEndpoint(
  secret: string | undefined,
  processor: WebhookProcessor,
  logger: Logger,
): WebhookEndpoint {
  const enabled = secret !== undefined && secret.length > 0;

  async function respond(req: IncomingMessage): Promise<WebhookResult> {
    if (!enabled) return error(404, ErrorCodes.notFound, webhooksDisabledMessage);
    const tooLarge = error(413, ErrorCodes.payloadTooLarge, `webhook body exceeds ${webhookBodyLimit} bytes`);
    if (Number(header(req, 'content-length') ?? '0') > webhookBodyLimit) return tooLarge;
    let raw: Buffer;
    try {
      raw = await readRawBody(req, webhookBodyLimit);
    } catch (e) {
      if (e instanceof TooLarge) return tooLarge;
      throw e;
    }
    const check = verifySignature(secret, raw, header(req, signatureHeader));
    if (!check.ok) return error(401, ErrorCodes.unauthorized, check.message);
    const event = header(req, eventHeader);
    if (event === undefined) return error(400, ErrorCodes.invalidRequest, `missing header ${eventHeader}`);
    if (!isValidEventName(event))
      return error(400, ErrorCodes.invalidRequest, `invalid header ${eventHeader}`);
    const delivery = header(req, deliveryHeader);
    if (delivery === undefined)
      return error(400, ErrorCodes.invalidRequest, `missing header ${deliveryHeader}`);
    if (!isValidDeliveryId(delivery))
      return error(400, ErrorCodes.invalidRequest, `invalid header ${deliveryHeader}`);
    const payload = parsePayload(raw, header(req, 'content-type'));
    if (!payload.ok) return error(400, ErrorCodes.invalidRequest, `invalid ${event} payload: not JSON`);
    return processor.process(event, delivery, payload.value);
  }

  return {
    enabled,
    async handle(req, res) {
      let result: WebhookResult;
      try {
        result = await respond(req);
      } catch (e) {
        const reference = newId('evt');
        logger.error({ err: e, reference }, 'webhook delivery failed');
        result = error(500, ErrorCodes.internal, `internal error (reference ${reference})`);
      }
      const headers = { ...result.headers };
      // Whatever is left of an unread body is not worth reading; close rather than drain it.
      if (!req.readableEnded) headers.connection = 'close';
      sendJson(res, result.status, JSON.stringify(result.body), headers);
    },
  };
}
