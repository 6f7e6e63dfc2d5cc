import { existsSync, readFileSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What the page may do: load its own scripts, styles and images, talk to this server only, never be
 * framed. Whatever agents or issues wrote is rendered as text by the app; this is the second wall.
 */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Vite names every file under assets/ by its content hash: a new build is a new name. */
const immutable = 'public, max-age=31536000, immutable';
/** index.html and the files beside it keep their names across builds: always revalidate. */
const revalidate = 'no-cache';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** First path segments that belong to the API: never answered with the page. */
const apiRoots = new Set(['rpc', 'ws', 'mcp', 'health', 'tasks', 'api', 'webhook', 'webhooks', 'projects']);

/** Files Vite copies beside index.html (`/favicon.svg`, `/index.html`): one segment with an extension. */
const fileBesideIndex = /^\/[^/]+\.[A-Za-z0-9]+$/;

/**
 * An asset asked for from under a deep link: the page uses relative URLs (Vite's `base: './'`), so
 * at `/board/x` the browser asks for `/board/assets/index-….js`. Names are content hashes: the last
 * two segments say which file it is.
 */
const nestedAsset = /^\/(?:[^/]+\/)+(assets\/[^/]+)$/;

export const dashboardNotBuilt = 'the dashboard is not built: run npm run build';

/**
 * `packages/dashboard/dist` of the checkout this code runs from. The server runs from
 * packages/harness/src (tests) or packages/harness/dist (the CLI; bundle-cli.mjs bundles only
 * `harness rule`), so the harness package root is found by walking up to its package.json.
 */
export function defaultDashboardDir(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && isHarnessManifest(manifest))
      return path.join(path.dirname(dir), 'dashboard', 'dist');
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function isHarnessManifest(file: string): boolean {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === '@harness/harness';
  } catch {
    return false;
  }
}

/**
 * Serves the built dashboard (packages/dashboard/dist): `/` and any page-like path that is not an
 * API route get index.html (the app routes by `#/…` anyway), `/assets/*` the hashed files with a
 * year-long cache. The files hold no data and no token, so they are served without authentication;
 * every data route still requires it. Nothing outside the directory is ever read: paths with `..`
 * (encoded or not), backslashes or NULs, and symlinks that lead out, are not found.
 */
export class DashboardFiles {
  constructor(private readonly root: string | null) {}

  /** Whether this GET/HEAD request is for the dashboard rather than for an API route. */
  wants(req: IncomingMessage, path: string): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (apiRoots.has(path.split('/')[1] ?? '')) return false;
    if (path === '/' || path.startsWith('/assets/') || fileBesideIndex.test(path)) return true;
    if (nestedAsset.test(path)) return true;
    // Browser navigations to deep links (`/board`) get the page; API clients keep their 401 or 404.
    return acceptsHtml(req);
  }

  /** Answers a request `wants` accepted. */
  async serve(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    const root = this.root === null ? null : await realDirectory(this.root);
    if (root === null || !(await isFile(path.join(root, 'index.html'))))
      return sendText(res, req, 503, dashboardNotBuilt);
    const safe = safeRelativePath(urlPath);
    if (safe === null) return sendText(res, req, 404, 'not found');
    const relative = nestedAsset.exec(`/${safe}`)?.[1] ?? safe;
    const file = relative === '' ? null : await fileInside(root, relative);
    if (file !== null) {
      const cache = relative.startsWith('assets/') ? immutable : revalidate;
      return sendFile(req, res, file, cache);
    }
    const page = relative === '' || (acceptsHtml(req) && !relative.startsWith('assets/'));
    if (!page) return sendText(res, req, 404, 'not found');
    return sendFile(req, res, path.join(root, 'index.html'), revalidate);
  }
}

function acceptsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

/**
 * The URL path as a path relative to the dashboard directory ('' for `/`), or null when it could
 * reach outside it or is not a plain path: `..` or `.` segments (also percent-encoded), backslashes,
 * NULs, or an encoding that does not decode.
 */
export function safeRelativePath(urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\\') || decoded.includes('\0')) return null;
  const segments = decoded.slice(1).split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  if (segments.slice(0, -1).some((segment) => segment === '')) return null;
  return segments.join('/');
}

async function realDirectory(dir: string): Promise<string | null> {
  try {
    const real = await realpath(dir);
    return (await stat(real)).isDirectory() ? real : null;
  } catch {
    return null;
  }
}

/** The real path of `relative` under `root` when it is a regular file that stays inside `root`. */
async function fileInside(root: string, relative: string): Promise<string | null> {
  try {
    const real = await realpath(path.join(root, relative));
    if (!real.startsWith(root + path.sep)) return null;
    return (await stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  file: string,
  cacheControl: string,
): Promise<void> {
  const body = await readFile(file);
  res.writeHead(200, {
    ...securityHeaders,
    'content-type': contentTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': cacheControl,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, req: IncomingMessage, status: number, text: string): void {
  const body = Buffer.from(`${text}\n`);
  res.writeHead(status, {
    ...securityHeaders,
    'content-type': 'text/plain; charset=utf-8',
    'content-length': body.length,
    'cache-control': 'no-store',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
