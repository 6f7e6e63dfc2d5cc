import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const harnessBin = path.join(repoRoot, 'packages/harness/bin/harness.js');

export function tempDir(prefix = 'harness-test-'): { path: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An environment that cannot pick up the developer's own config, data or agent session variables. */
export function isolatedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_DATA_HOME: path.join(home, '.data'),
    NO_COLOR: '1',
  };
  return { ...env, ...extra };
}

export interface RunningHarness {
  child: ChildProcess;
  url: string;
  stderr: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `harness serve` over HTTP/WS on an ephemeral port and resolves once it is listening. */
export function startHttpHarness(args: string[], env: NodeJS.ProcessEnv): Promise<RunningHarness> {
  const child = spawn(process.execPath, [harnessBin, 'serve', '--port', '0', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      stderr.push(line);
      const parsed = parseJson(line) as { msg?: string; url?: string } | undefined;
      if (parsed?.msg === 'listening' && parsed.url) {
        resolve({
          child,
          url: parsed.url,
          stderr,
          stop: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    // `exited` never rejects; after `listening` this reject is a no-op.
    void exited.then((code) =>
      reject(new Error(`harness exited (${code}) before listening:\n${stderr.join('\n')}`)),
    );
  });
}

export function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
