/**
 * JSON-RPC `health/check` over HTTP: requests per second of `harness serve --transport http`
 * against a bare `node:http` server answering the same bytes, measured in the same run. Each
 * server is pinned to core 0 and the load generator to core 1 where taskset exists; rounds
 * alternate so drift hits both sides. Target: ratio >= 0.70.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { pinned, spawnUntil, stop } from './support/processes.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const harnessBin = path.join(root, 'packages/harness/bin/harness.js');
const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

async function startHarness(dataDir: string) {
  const [command, args] = pinned(0, process.execPath, [
    harnessBin,
    'serve',
    '--transport',
    'http',
    '--port',
    '0',
    '--log-level',
    'info',
  ]);
  const env = { ...process.env, XDG_DATA_HOME: dataDir, HARNESS_CONFIG: '', XDG_CONFIG_HOME: dataDir };
  const { child, value: url } = await spawnUntil(command, args, { env, stream: 'stderr' }, (line) => {
    const parsed = safeJson(line) as { msg?: string; url?: string } | undefined;
    return parsed?.msg === 'listening' ? parsed.url : undefined;
  });
  const handshake = await fetch(`${url}/rpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { client_info: { name: 'bench' } } },
      { jsonrpc: '2.0', method: 'initialized' },
    ]),
  });
  const session = handshake.headers.get('harness-session');
  if (!session) throw new Error('no session from the handshake');
  return { child, url: `${url}/rpc`, headers: { 'harness-session': session } };
}

async function startBare(body: string) {
  const [command, args] = pinned(0, process.execPath, [
    '--import',
    'tsx',
    path.join(root, 'bench/support/bare-server.ts'),
    body,
  ]);
  const { child, value: port } = await spawnUntil(
    command,
    args,
    { stream: 'stdout' },
    (line) => (safeJson(line) as { port?: number } | undefined)?.port,
  );
  return { child, url: `http://127.0.0.1:${port}/rpc`, headers: {} };
}

async function load(url: string, headers: Record<string, string>, duration: number): Promise<number> {
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'health/check' }),
    connections: 50,
    duration,
  });
  if (result.errors > 0 || result.non2xx > 0)
    throw new Error(`${url}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return result.requests.average;
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

// The load generator gets core 1 to itself; the servers under test get core 0.
spawnSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

const dataDir = mkdtempSync(path.join(tmpdir(), 'harness-bench-'));
try {
  const harness = await startHarness(dataDir);
  const sample = await (
    await fetch(harness.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...harness.headers },
      body: '{"jsonrpc":"2.0","id":1,"method":"health/check"}',
    })
  ).text();
  const bare = await startBare(sample);
  const measured = { harness: [] as number[], bare: [] as number[] };
  await load(harness.url, harness.headers, 2);
  await load(bare.url, bare.headers, 2);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['bare', 'harness'] as const) : (['harness', 'bare'] as const);
    for (const name of order) {
      const target = name === 'bare' ? bare : harness;
      measured[name].push(await load(target.url, target.headers, seconds));
    }
  }
  await Promise.all([stop(harness.child), stop(bare.child)]);
  const best = (values: number[]) => Math.max(...values);
  const ratio = best(measured.harness) / best(measured.bare);
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  console.log(
    `rpc-http health/check: harness ${fmt(best(measured.harness))} req/s (rounds: ${measured.harness.map(fmt).join(', ')})`,
  );
  console.log(
    `rpc-http baseline node:http: ${fmt(best(measured.bare))} req/s (rounds: ${measured.bare.map(fmt).join(', ')})`,
  );
  console.log(`rpc-http ratio: ${ratio.toFixed(2)} (target >= 0.70)`);
  if (ratio < 0.7) process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
