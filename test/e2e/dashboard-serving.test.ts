/**
 * The dashboard's static files over a real `harness serve`: the page at `/` and deep links, the
 * security headers, cached assets, no way out of the directory, the page open without the token
 * while every data route keeps requiring it, and a clear 503 when the dashboard is not built.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, type RunningHarness, startHttpHarness, tempDir } from '@harness/testkit';

const token = 'dashboard-token-5f1c9e0b7a';
const secret = 'outside-the-dashboard-directory';
const indexHtml =
  '<!doctype html><html><head><title>Harness</title>' +
  '<script type="module" src="./assets/index-3f9a1c.js"></script>' +
  '<link rel="stylesheet" href="./assets/index-77b2e0.css"></head><body><div id="root"></div></body></html>';
const script = 'document.getElementById("root").textContent = "board";\n';
const stylesheet = 'body { margin: 0; }\n';
const favicon = '<svg xmlns="http://www.w3.org/2000/svg"/>';

const expectedCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request sent exactly as written: fetch would resolve `..` before sending it. */
function rawRequest(
  url: string,
  rawPath: string,
  method = 'GET',
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A built dashboard in miniature, with a file beside it and symlinks that lead out of it. */
function writeFakeDashboard(dir: string): string {
  const dist = path.join(dir, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), indexHtml);
  writeFileSync(path.join(dist, 'favicon.svg'), favicon);
  writeFileSync(path.join(dist, 'assets', 'index-3f9a1c.js'), script);
  writeFileSync(path.join(dist, 'assets', 'index-77b2e0.css'), stylesheet);
  writeFileSync(path.join(dir, 'secret.txt'), secret);
  symlinkSync(path.join(dir, 'secret.txt'), path.join(dist, 'assets', 'escape.js'));
  symlinkSync(dir, path.join(dist, 'assets', 'outside'));
  return dist;
}

describe('the dashboard page and its files', () => {
  const dir = tempDir();
  let server: RunningHarness;
  /** Every response the test saw, to check that none of them carries the token. */
  const seen: RawResponse[] = [];
  const get = async (rawPath: string, headers: Record<string, string> = {}, method = 'GET') => {
    const response = await rawRequest(server.url, rawPath, method, headers);
    seen.push(response);
    return response;
  };

  beforeAll(async () => {
    const dist = writeFakeDashboard(dir.path);
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data'), '--dashboard-dir', dist],
      isolatedEnv(dir.path, { HARNESS_API_TOKEN: token }),
    );
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  const expectSecurityHeaders = (response: RawResponse) => {
    expect(response.headers['content-security-policy']).toBe(expectedCsp);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['x-frame-options']).toBe('DENY');
  };

  it('serves index.html at / without the token, with every security header', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toBe(indexHtml);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expectSecurityHeaders(page);
    const named = await get('/index.html');
    expect(named.body).toBe(indexHtml);
    expect(named.headers['cache-control']).toBe('no-cache');
  });

  it('answers a browser navigation to a deep path with the page, and an API client with 401', async () => {
    const deep = await get('/board/task_123', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
    expect(deep.status).toBe(200);
    expect(deep.body).toBe(indexHtml);
    expectSecurityHeaders(deep);
    // Not a page request: the path goes on to the API, which wants the token first.
    expect((await get('/board/task_123', { accept: '*/*' })).status).toBe(401);
    // API routes are never the page, even for a browser navigation.
    const api = await get('/api/dashboard', { accept: 'text/html' });
    expect(api.status).toBe(401);
    expect(api.headers['content-type']).toMatch(/application\/json/);
    expect((await get('/tasks', { accept: 'text/html' })).status).toBe(401);
  });

  it('serves the hashed assets with their types and a year-long cache, and the files beside the page', async () => {
    const js = await get('/assets/index-3f9a1c.js');
    expect(js.status).toBe(200);
    expect(js.body).toBe(script);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
    const css = await get('/assets/index-77b2e0.css');
    expect(css.body).toBe(stylesheet);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    // Under a deep link the page's relative URLs name the same files one level down.
    const fromDeepLink = await get('/board/task_123/assets/index-3f9a1c.js');
    expect(fromDeepLink.body).toBe(script);
    expect(fromDeepLink.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/board/assets/gone-000000.js')).status).toBe(404);
    const icon = await get('/favicon.svg');
    expect(icon.body).toBe(favicon);
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
    // A missing asset is a 404, never the page (a script tag would otherwise run HTML).
    const missing = await get('/assets/gone-000000.js', { accept: 'text/html' });
    expect(missing.status).toBe(404);
    expect(missing.body).not.toContain('<html');
  });

  it('answers HEAD with the headers and no body', async () => {
    const head = await get('/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(indexHtml)));
    expectSecurityHeaders(head);
    const asset = await get('/assets/index-3f9a1c.js', {}, 'HEAD');
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('');
    expect(asset.headers['content-length']).toBe(String(Buffer.byteLength(script)));
  });

  it('never reads outside the dashboard directory', async () => {
    const attempts = [
      '/assets/../../secret.txt',
      '/assets/../../../../../../etc/passwd',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/%252e%252e/%252e%252e/secret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/assets/%2fetc%2fpasswd',
      '/assets/escape.js',
      '/assets/outside/secret.txt',
      '/board/assets/../../secret.txt',
      '/board/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/assets/index-3f9a1c.js%00.css',
      '/assets/%ff',
      '/..%2fsecret.txt',
      '/%2e%2e/%2e%2e/etc/passwd',
    ];
    for (const attempt of attempts) {
      for (const accept of ['*/*', 'text/html']) {
        const response = await get(attempt, { accept });
        // 404 from the dashboard, or, for a path it leaves to the API (not under /assets/, not a
        // page request), 401 from the API for want of the token.
        expect([404, 401], `${attempt} (${accept}): ${response.status}`).toContain(response.status);
        if (attempt.startsWith('/assets/') || accept === 'text/html') expect(response.status).toBe(404);
        expect(response.body).not.toContain(secret);
        expect(response.body).not.toContain('root:');
      }
    }
  });

  it('keeps every data route behind the token', async () => {
    const stream = await fetch(`${server.url}/api/events/stream`);
    expect(stream.status).toBe(401);
    expect(stream.headers.get('www-authenticate')).toMatch(/Bearer/);
    const rpc = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}',
    });
    expect(rpc.status).toBe(401);
    expect((await fetch(`${server.url}/api/dashboard`)).status).toBe(401);
    const allowed = await fetch(`${server.url}/api/dashboard`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(allowed.status).toBe(200);
  });

  it("accepts the page's own same-origin requests and refuses another site's", async () => {
    const origin = new URL(server.url).origin;
    const fromPage = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        origin,
        'sec-fetch-site': 'same-origin',
        'sec-fetch-mode': 'cors',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}',
    });
    expect(fromPage.status).toBe(200);
    expect(((await fromPage.json()) as { result?: unknown }).result).toBeDefined();
    const cancelFromPage = await fetch(`${server.url}/tasks/task_missing/cancel`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        origin,
        'sec-fetch-site': 'same-origin',
      },
      body: '{}',
    });
    expect(cancelFromPage.status).toBe(404);
    const fromElsewhere = await fetch(`${server.url}/rpc`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"initialize"}',
    });
    expect(fromElsewhere.status).toBe(403);
  });

  it('never puts the token in a served file or a response header', () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const response of seen) {
      expect(response.body).not.toContain(token);
      expect(JSON.stringify(response.headers)).not.toContain(token);
    }
    expect(server.stderr.join('\n')).not.toContain(token);
  });
});

describe('a dashboard that is not built', () => {
  const dir = tempDir();
  let server: RunningHarness;
  beforeAll(async () => {
    server = await startHttpHarness(
      [
        '--transport',
        'http',
        '--data-dir',
        path.join(dir.path, 'data'),
        '--dashboard-dir',
        path.join(dir.path, 'no-dist'),
      ],
      isolatedEnv(dir.path),
    );
  });
  afterAll(async () => {
    await server.stop();
    dir.remove();
  });

  it('answers / with 503 and what to do', async () => {
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect((await page.text()).trim()).toBe('the dashboard is not built: run npm run build');
    const deep = await fetch(`${server.url}/board`, { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(503);
    // The API itself is unaffected.
    expect((await fetch(`${server.url}/api/dashboard`)).status).toBe(200);
  });
});
