import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCodes, HarnessError } from '../../core/index.js';
import { isLoopbackHost } from './auth.js';

export interface RequestGuardOptions {
  /** The address the server listens on (`--host`, else `server.http_addr`). */
  bindHost: string;
  /** `server.allowed_origins`: pages on other origins that may drive this server from a browser. */
  allowedOrigins: readonly string[];
}

/** Requests that change nothing; every other method is state-changing. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
/** `Sec-Fetch-Site` values a browser sends for the server's own pages and for typed-in URLs. */
const trustedFetchSites = new Set(['same-origin', 'none']);
const jsonMediaType = /^application\/json\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;
const preflightHeaders = {
  'access-control-allow-methods': 'GET, HEAD, POST, DELETE',
  'access-control-allow-headers': 'authorization, content-type, harness-session, last-event-id',
  'access-control-max-age': '600',
};

export function isStateChanging(method: string | undefined): boolean {
  return !safeMethods.has(method ?? 'GET');
}

const forbidden = (message: string) => new HarnessError(ErrorCodes.forbidden, message);

/**
 * Keeps browsers on other sites from driving the server. A page anywhere can make a browser send
 * a form post or a no-cors fetch to 127.0.0.1 without asking; such requests carry a foreign
 * `Origin`/`Sec-Fetch-Site` or a non-JSON `Content-Type`, and are refused here. A page whose
 * DNS name was rebound to 127.0.0.1 looks same-origin, but its `Host` header still names the
 * attacker's domain, so on a loopback bind only loopback names (and the configured ones) pass.
 * Clients that are not browsers (curl, the CLI, node `ws`) send no `Origin` and pass.
 */
export class RequestGuard {
  private readonly allowed: Set<string>;
  private readonly allowedHostnames: Set<string>;
  private readonly checksHost: boolean;
  private readonly knownGoodHosts = new Set<string>();

  constructor(private readonly options: RequestGuardOptions) {
    const origins = options.allowedOrigins.map((origin) => new URL(origin));
    this.allowed = new Set(origins.map((url) => url.origin));
    this.allowedHostnames = new Set([
      ...origins.map((url) => url.hostname.toLowerCase()),
      options.bindHost.toLowerCase(),
    ]);
    this.checksHost = isLoopbackHost(options.bindHost);
  }

  /** DNS rebinding: on a loopback bind, a `Host` that is not a local or configured name is refused. */
  hostProblem(headers: IncomingHttpHeaders): HarnessError | null {
    const host = headers.host;
    if (!this.checksHost || host === undefined) return null;
    if (this.knownGoodHosts.has(host)) return null;
    const hostname = hostnameOf(host);
    if (hostname !== null && (isLoopbackHost(hostname) || this.allowedHostnames.has(hostname))) {
      // Every request repeats the same few Host values; remembering them keeps URL parsing off the hot path.
      if (this.knownGoodHosts.size < 64) this.knownGoodHosts.add(host);
      return null;
    }
    return forbidden(
      `Host "${host}" refused: this server listens on ${this.options.bindHost} and answers only to ` +
        'localhost, 127.x.x.x, [::1] and the hosts of server.allowed_origins (a page on another ' +
        'domain that resolves to this machine would otherwise be served)',
    );
  }

  /** A state-changing request must come from this server's origin, an allowed one, or no browser page. */
  crossSiteProblem(headers: IncomingHttpHeaders): HarnessError | null {
    if (headers.origin !== undefined) {
      const verdict = this.judgeOrigin(headers.origin, headers.host);
      if (verdict === 'allowed') return null;
      if (verdict !== 'same-origin') return forbidden(`cross-site request refused: ${verdict}`);
    }
    const site = headers['sec-fetch-site'];
    if (site === undefined || trustedFetchSites.has(site)) return null;
    return forbidden(
      `cross-site request refused: Sec-Fetch-Site is "${site}"; state-changing requests are accepted ` +
        'only from this server\'s own pages ("same-origin"), typed-in URLs ("none"), non-browser ' +
        'clients, or an origin in server.allowed_origins',
    );
  }

  /** WebSocket upgrades: no `Origin` (a non-browser client), this server's origin, or an allowed one. */
  webSocketOriginProblem(headers: IncomingHttpHeaders): HarnessError | null {
    if (headers.origin === undefined) return null;
    const verdict = this.judgeOrigin(headers.origin, headers.host);
    if (verdict === 'allowed' || verdict === 'same-origin') return null;
    return forbidden(`WebSocket origin refused: ${verdict}`);
  }

  /** Request bodies are JSON; a browser can send anything else cross-site without a preflight. */
  contentTypeProblem(headers: IncomingHttpHeaders): HarnessError | null {
    const contentType = headers['content-type']?.trim();
    if (contentType !== undefined && jsonMediaType.test(contentType)) return null;
    const got = contentType === undefined ? 'no Content-Type' : `Content-Type "${contentType}"`;
    return new HarnessError(
      ErrorCodes.unsupportedMediaType,
      `unsupported media type: ${got}; state-changing requests must send Content-Type: application/json ` +
        '(optionally with charset=utf-8), even with an empty body',
    );
  }

  /** Headers that let a page on an allowed origin read the reply (CORS); none for other requests. */
  corsHeaders(headers: IncomingHttpHeaders): Record<string, string> | null {
    const origin = headers.origin;
    if (origin === undefined || !this.allowed.has(origin.toLowerCase())) return null;
    return {
      'access-control-allow-origin': origin,
      'access-control-expose-headers': 'harness-session',
      vary: 'Origin',
    };
  }

  /** The answer to a CORS preflight from an allowed origin; null when the origin is not allowed. */
  preflightHeaders(headers: IncomingHttpHeaders): Record<string, string> | null {
    const cors = this.corsHeaders(headers);
    return cors === null ? null : { ...cors, ...preflightHeaders };
  }

  /** 'allowed' (configured), 'same-origin' (matches Host), or why the origin is refused. */
  private judgeOrigin(origin: string, host: string | undefined): 'allowed' | 'same-origin' | string {
    if (origin === 'null') {
      return 'Origin "null" (a sandboxed frame, a file: page or a privacy-redirected request) is never trusted';
    }
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return `Origin "${origin}" is not a valid origin`;
    }
    if (this.allowed.has(url.origin)) return 'allowed';
    const web = url.protocol === 'http:' || url.protocol === 'https:';
    if (web && host !== undefined && sameHost(url, host)) return 'same-origin';
    return (
      `Origin ${origin} is neither this server's own origin (http://${host ?? '?'}) ` +
      'nor listed in server.allowed_origins'
    );
  }
}

/** Compares host and port, reading the Host header's default port by the origin's scheme. */
function sameHost(origin: URL, host: string): boolean {
  try {
    return new URL(`${origin.protocol}//${host}`).host === origin.host;
  } catch {
    return false;
  }
}

/** The host name of a Host header (`127.0.0.1:9800` → `127.0.0.1`, `[::1]:1` → `[::1]`), lower-cased. */
function hostnameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}
