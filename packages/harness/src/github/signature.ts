import { createHmac, timingSafeEqual } from 'node:crypto';

export const signatureHeader = 'x-hub-signature-256';
export const eventHeader = 'x-github-event';
export const deliveryHeader = 'x-github-delivery';

export type SignatureFailure = 'no_secret' | 'missing_signature' | 'malformed_signature' | 'mismatch';

export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure; message: string };

const messages: Record<SignatureFailure, string> = {
  no_secret: 'missing server.github_webhook_secret configuration',
  missing_signature: `missing header ${signatureHeader}`,
  malformed_signature: 'invalid webhook signature',
  mismatch: 'invalid webhook signature',
};

function fail(reason: SignatureFailure): SignatureCheck {
  return { ok: false, reason, message: messages[reason] };
}

/**
 * Checks GitHub's `X-Hub-Signature-256: sha256=<hex>` (HMAC-SHA256 of the raw request bytes) in
 * constant time. It must be given the bytes exactly as received: re-serialised JSON, or text decoded
 * and re-encoded, would not match. Fails closed without a secret. Malformed and mismatched headers
 * give the same message so a caller cannot probe which part was wrong.
 */
export function verifySignature(
  secret: string | undefined,
  rawBody: Uint8Array | string,
  header: string | null | undefined,
): SignatureCheck {
  if (secret === undefined || secret.length === 0) return fail('no_secret');
  if (header === null || header === undefined || header.trim().length === 0) return fail('missing_signature');
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (match === null) return fail('malformed_signature');
  const presented = Buffer.from(match[1]!, 'hex');
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(presented, expected) ? { ok: true } : fail('mismatch');
}

/** GitHub event names are lowercase words with underscores; anything else is not from GitHub. */
export function isValidEventName(name: string | null | undefined): name is string {
  return typeof name === 'string' && /^[a-z0-9_]{1,64}$/.test(name);
}

/** Delivery ids are GUIDs; bounded and plain so they are safe to log and store as keys. */
export function isValidDeliveryId(id: string | null | undefined): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9-]{1,100}$/.test(id);
}
