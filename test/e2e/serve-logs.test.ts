/** `harness serve`'s ready line, log formats (text, JSON, auto) and `--log-file`. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, parseJson, startHttpHarness, tempDir } from '@harness/testkit';

interface Served {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first stderr line matching, or rejects with all of stderr if the process exits first. */
  waitFor(match: (line: string) => boolean): Promise<string>;
  stop(): Promise<number | null>;
}

function serve(args: string[], env: NodeJS.ProcessEnv, stdin: 'pipe' | 'ignore' = 'ignore'): Served {
  const child = spawn(process.execPath, [harnessBin, 'serve', ...args], {
    env,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters: { match: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    lines.push(line);
    for (const waiter of waiters.filter((w) => w.match(line))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    waitFor: (match) =>
      new Promise((resolve, reject) => {
        const seen = lines.find(match);
        if (seen !== undefined) return resolve(seen);
        waiters.push({ match, resolve });
        void exited.then((code) => reject(new Error(`harness exited (${code}):\n${lines.join('\n')}`)));
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const running: Served[] = [];
const dirs: { remove(): void }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  dirs.splice(0).forEach((d) => d.remove());
});

function home() {
  const dir = tempDir();
  dirs.push(dir);
  return dir.path;
}

describe('harness serve logs', () => {
  it('prints one readable ready line and text logs with --log-format text', async () => {
    const dir = home();
    const server = serve(
      ['--transport', 'http', '--port', '0', '--data-dir', path.join(dir, 'data'), '--log-format', 'text'],
      isolatedEnv(dir),
    );
    running.push(server);
    const ready = await server.waitFor((line) => line.startsWith('harness listening on '));
    expect(ready).toMatch(
      /^harness listening on http:\/\/127\.0\.0\.1:\d+ \(dashboard at \/, JSON-RPC at \/rpc and over WebSocket at \/ws, REST at \/tasks/,
    );
    const url = /on (http:\/\/\S+) /.exec(ready)![1]!;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    // Every other line is `HH:MM:SS.mmm LEVEL message key=value…`, none of them JSON.
    const starting = server.lines.find((line) => line.includes('harness starting'));
    expect(starting).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO +harness starting .*transport=http/);
    expect(server.lines.every((line) => parseJson(line) === undefined)).toBe(true);
  });

  it('logs JSON lines when stderr is not a terminal, with the listening entry tools wait for', async () => {
    const dir = home();
    const server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir, 'data')],
      isolatedEnv(dir),
    );
    try {
      const entries = server.stderr.map((line) => parseJson(line) as Record<string, unknown> | undefined);
      expect(entries.every((entry) => entry !== undefined)).toBe(true);
      const listening = entries.find((entry) => entry?.msg === 'listening');
      expect(listening?.url).toBe(server.url);
      expect(listening?.ready).toBe(
        `harness listening on ${server.url} (dashboard at /, JSON-RPC at /rpc and over WebSocket at /ws, ` +
          'REST at /tasks and /api/projects, dashboard data at /api/dashboard, health at /health)',
      );
    } finally {
      await server.stop();
    }
  });

  it('takes server.log_format and server.log_file from the config; the file is 0600, appended to, its directory made', async () => {
    const dir = home();
    const logFile = path.join(dir, 'logs', 'harness.log');
    const config = path.join(dir, 'config.toml');
    writeFileSync(
      config,
      `[server]\ndata_dir = "${path.join(dir, 'data')}"\nlog_format = "text"\nlog_file = "${logFile}"\n`,
    );
    for (let run = 1; run <= 2; run++) {
      const server = serve(['--config', config, '--transport', 'ws', '--port', '0'], isolatedEnv(dir));
      running.push(server);
      await server.waitFor((line) =>
        /^harness listening on http:\S+ \(JSON-RPC over WebSocket at \/ws/.test(line),
      );
      expect(await server.stop()).toBe(0);
    }
    expect(statSync(logFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(logFile)).mode & 0o777).toBe(0o700);
    // The file follows the format (text here) and keeps both runs.
    const lines = readFileSync(logFile, 'utf8').trimEnd().split('\n');
    expect(lines.filter((line) => / INFO +listening url=http/.test(line))).toHaveLength(2);
    expect(lines.filter((line) => / INFO +harness stopped signal=SIGTERM/.test(line))).toHaveLength(2);
  });

  it('--log-file gets JSON lines unless the format is text, and a file it cannot open is named', async () => {
    const dir = home();
    const logFile = path.join(dir, 'serve.log');
    const server = serve(
      ['--transport', 'stdio', '--data-dir', path.join(dir, 'data'), '--log-file', logFile],
      isolatedEnv(dir),
      'pipe',
    );
    running.push(server);
    server.child.stdin!.end();
    expect(await new Promise((resolve) => server.child.once('exit', resolve))).toBe(0);
    const entries = readFileSync(logFile, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => parseJson(line) as { msg?: string; ready?: string });
    expect(entries.find((entry) => entry.msg === 'reading JSON-RPC on stdin')?.ready).toMatch(
      /^harness reading JSON-RPC on stdin/,
    );
    expect(entries.find((entry) => entry.msg === 'harness stopped')).toBeDefined();

    // A directory cannot be a log file.
    const notAFile = path.join(dir, 'data');
    const refused = serve(['--transport', 'stdio', '--log-file', notAFile], isolatedEnv(dir), 'pipe');
    running.push(refused);
    const code = await new Promise((resolve) => refused.child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(refused.lines.join('\n')).toContain(`cannot open the log file ${notAFile}`);
  });

  it('harness mcp takes --log-format and --log-file too', async () => {
    const dir = home();
    const logFile = path.join(dir, 'mcp.log');
    const child = spawn(
      process.execPath,
      [
        harnessBin,
        'mcp',
        '--data-dir',
        path.join(dir, 'data'),
        '--log-format',
        'text',
        '--log-file',
        logFile,
      ],
      { env: isolatedEnv(dir), stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO +harness MCP server ready /m);
    expect(readFileSync(logFile, 'utf8')).toMatch(/ INFO +harness stopped reason="end of input"/);
  });

  it('prints the stdio ready line in text mode', async () => {
    const dir = home();
    const server = serve(
      ['--transport', 'stdio', '--data-dir', path.join(dir, 'data'), '--log-format', 'text'],
      isolatedEnv(dir),
      'pipe',
    );
    running.push(server);
    await server.waitFor((line) => line.startsWith('harness reading JSON-RPC on stdin'));
    server.child.stdin!.end();
    expect(await new Promise((resolve) => server.child.once('exit', resolve))).toBe(0);
  });
});
