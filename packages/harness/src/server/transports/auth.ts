import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { ErrorCodes, HarnessError } from '../../core/index.js';

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare.startsWith('::ffff:127.');
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Bearer-token check. Hashing both sides first makes the comparison constant-time whatever the
 * lengths, so the time taken says nothing about the token.
 */
export class BearerAuth {
  private readonly expected: Buffer | null;

  constructor(token: string | null) {
    this.expected = token ? digest(token) : null;
  }

  get required(): boolean {
    return this.expected !== null;
  }

  /** `header` is the Authorization header; `queryToken` the `?token=` of routes that allow it. */
  allows(header: string | undefined, queryToken?: string | null): boolean {
    if (this.expected === null) return true;
    const presented = bearerToken(header) ?? queryToken ?? null;
    if (presented === null) return false;
    return timingSafeEqual(digest(presented), this.expected);
  }
}

/**
 * Whether a client the API admitted is the operator (the person running Harness) and not possibly
 * an agent: with an API token, whoever holds it is; without one, whoever shows the operator key.
 */
export class OperatorCheck {
  private readonly key: BearerAuth | null;

  constructor(
    private readonly apiToken: BearerAuth,
    operatorKey: string | null,
  ) {
    this.key = operatorKey === null ? null : new BearerAuth(operatorKey);
  }

  isOperator(header: string | undefined, queryToken?: string | null): boolean {
    if (this.apiToken.required) return this.apiToken.allows(header, queryToken);
    return this.key !== null && this.key.allows(header, queryToken);
  }
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

/**
 * Binding beyond loopback without a token would hand the agents to anyone on the network, so it
 * is refused at start-up rather than allowed open.
 */
export function requireTokenForExposure(host: string, token: string | null): void {
  if (!token && !isLoopbackHost(host)) {
    throw new HarnessError(
      ErrorCodes.config,
      `server.http_addr: binding to ${host} (not loopback) needs an API token: set HARNESS_API_TOKEN or server.api_token`,
    );
  }
}
