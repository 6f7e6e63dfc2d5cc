import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError, parseConfig } from '../core/index.js';
import { describeDatabase, openStore } from './open-store.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-open-store-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const configWith = (env: NodeJS.ProcessEnv) =>
  parseConfig('', path.join(dir, 'config.toml'), { env, home: dir, cwd: dir });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('openStore', () => {
  it('opens SQLite in the data directory when no database URL is set, and says so', async () => {
    const { store, description } = await openStore(configWith({}), dir);
    expect(store.backend).toBe('sqlite');
    expect(description).toBe(`sqlite ${path.join(dir, 'harness.db')}`);
    await store.close();
  });

  it('names the unreachable database without its password, and what to do', async () => {
    const url = `postgres://fleet:pw-never-shown@127.0.0.1:${await closedPort()}/harness`;
    const failure = await openStore(configWith({ HARNESS_DATABASE_URL: url }), dir).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(HarnessError);
    const { code, message } = failure as HarnessError;
    expect(code).toBe('storage_error');
    expect(message).toMatch(/cannot use the database postgres:\/\/fleet:\*\*\*@127\.0\.0\.1:\d+\/harness/);
    expect(message).toMatch(/HARNESS_DATABASE_URL or \[store\] url/);
    expect(message).not.toContain('pw-never-shown');
  });
});

describe('describeDatabase', () => {
  it('keeps the host, port and database, never the user or password', () => {
    expect(describeDatabase('postgres://u:secret@db.internal:6543/fleet')).toBe('db.internal:6543/fleet');
    expect(describeDatabase('postgresql://127.0.0.1/harness')).toBe('127.0.0.1/harness');
    expect(describeDatabase('postgres:///harness?host=/run/postgresql')).toBe('/run/postgresql/harness');
    expect(describeDatabase('postgres://u:secret@db')).toBe('db/(default database)');
  });
});
