import { Webhooks } from '@octokit/webhooks';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { isValidDeliveryId, isValidEventName, verifySignature } from './index.js';

const secret = "It's a Secret to Everybody";
const body = JSON.stringify({ action: 'created', comment: { body: 'Ünïcödé @harness fix ci 🚀' } });

describe('verifySignature', () => {
  it('accepts a delivery signed by @octokit/webhooks, as bytes or as text', async () => {
    const header = await new Webhooks({ secret }).sign(body);
    expect(verifySignature(secret, Buffer.from(body, 'utf8'), header)).toEqual({ ok: true });
    expect(verifySignature(secret, body, header)).toEqual({ ok: true });
  });

  it("matches GitHub's documented example", () => {
    // From GitHub's "Validating webhook deliveries" documentation.
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifySignature(secret, 'Hello, World!', header)).toEqual({ ok: true });
  });

  it('rejects a tampered body', async () => {
    const header = await sign(secret, body);
    const tampered = Buffer.from(body.replace('fix ci', 'implement'), 'utf8');
    expect(verifySignature(secret, tampered, header)).toMatchObject({ ok: false, reason: 'mismatch' });
  });

  it('rejects a delivery signed with another secret', async () => {
    const header = await new Webhooks({ secret: 'not the secret' }).sign(body);
    expect(verifySignature(secret, body, header)).toEqual({
      ok: false,
      reason: 'mismatch',
      message: 'invalid webhook signature',
    });
  });

  it('checks the raw bytes, not a decoding of them', async () => {
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const header = `sha256=${(await import('node:crypto')).createHmac('sha256', secret).update(raw).digest('hex')}`;
    expect(verifySignature(secret, raw, header).ok).toBe(true);
    expect(verifySignature(secret, raw.toString('utf8'), header).ok).toBe(false);
  });

  it.each([undefined, null, '', '   '])('reports a missing header (%j)', (header) => {
    expect(verifySignature(secret, body, header)).toEqual({
      ok: false,
      reason: 'missing_signature',
      message: 'missing header x-hub-signature-256',
    });
  });

  it.each([
    'sha1=0123456789abcdef0123456789abcdef01234567',
    'sha256=',
    'sha256=xyz',
    `sha256=${'a'.repeat(63)}`,
    `sha256=${'a'.repeat(65)}`,
    `SHA256 ${'a'.repeat(64)}`,
    'a'.repeat(64),
  ])('rejects a malformed header %j', (header) => {
    expect(verifySignature(secret, body, header)).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it('fails closed without a secret', async () => {
    const header = await sign(secret, body);
    for (const missing of [undefined, '']) {
      expect(verifySignature(missing, body, header)).toEqual({
        ok: false,
        reason: 'no_secret',
        message: 'missing server.github_webhook_secret configuration',
      });
    }
  });
});

describe('header validation', () => {
  it('accepts GitHub event names only', () => {
    for (const name of ['issue_comment', 'pull_request_review', 'ping', 'issues']) {
      expect(isValidEventName(name)).toBe(true);
    }
    for (const name of [
      '',
      'Issue_Comment',
      'issues;rm -rf',
      'pull-request',
      'a'.repeat(65),
      null,
      undefined,
    ]) {
      expect(isValidEventName(name)).toBe(false);
    }
  });

  it('accepts GUID delivery ids only', () => {
    expect(isValidDeliveryId('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe(true);
    for (const id of ['', 'a b', '../etc', 'x'.repeat(101), undefined])
      expect(isValidDeliveryId(id)).toBe(false);
  });
});
