import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { maskSecrets, parseConfig, type ConfigErrorData } from './index.js';

let dir: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-store-config-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function parse(text: string, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(text, path.join(dir, 'harness.toml'), { env, home: dir, cwd: dir });
}

function issuesOf(fn: () => unknown): ConfigErrorData['issues'] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return (error as HarnessError & { data: ConfigErrorData }).data.issues;
  }
  throw new Error('expected a config error');
}

const fileUrl = 'postgres://harness:file-secret@127.0.0.1:5432/harness';
const envUrl = 'postgresql://fleet:env-secret@127.0.0.1:6543/fleet';

describe('[store] url and HARNESS_DATABASE_URL', () => {
  it('is SQLite (no url) unless one of them names a PostgreSQL database', () => {
    expect(parse('').store.url).toBeUndefined();
    expect(parse(`[store]\nurl = "${fileUrl}"\n`).store.url).toBe(fileUrl);
    expect(parse('', { HARNESS_DATABASE_URL: envUrl }).store.url).toBe(envUrl);
    expect(parse('', { HARNESS_DATABASE_URL: '' }).store.url).toBeUndefined();
  });

  it('takes the environment over the file', () => {
    expect(parse(`[store]\nurl = "${fileUrl}"\n`, { HARNESS_DATABASE_URL: envUrl }).store.url).toBe(envUrl);
  });

  it('refuses anything but a postgres:// or postgresql:// URL, naming the key and hiding the value', () => {
    for (const bad of ['mysql://u:hidden-pw@db/x', 'hidden-pw', 'https://u:hidden-pw@db/x']) {
      const [fromFile] = issuesOf(() => parse(`[store]\nurl = "${bad}"\n`));
      expect(fromFile).toMatchObject({ path: 'store.url' });
      expect(fromFile?.message).toMatch(/expected a postgres:\/\/ or postgresql:\/\/ URL/);
      const [fromEnv] = issuesOf(() => parse('', { HARNESS_DATABASE_URL: bad }));
      expect(fromEnv).toMatchObject({ path: 'store.url', file: 'env HARNESS_DATABASE_URL' });
      expect(JSON.stringify([fromFile, fromEnv])).not.toContain('hidden-pw');
    }
    expect(issuesOf(() => parse('[store]\nurl = 5432\n'))[0]).toMatchObject({ path: 'store.url' });
    expect(issuesOf(() => parse('[store]\nhost = "db"\n'))[0]?.path).toMatch(/^store/);
  });

  it('is shown with its user and password masked, the host and database kept', () => {
    const shown = JSON.stringify(maskSecrets(parse('', { HARNESS_DATABASE_URL: envUrl })));
    expect(shown).toContain('postgresql://****@127.0.0.1:6543/fleet');
    expect(shown).not.toContain('env-secret');
  });
});

describe('[concurrency] for a fleet', () => {
  it('defaults this host cap to the fleet-wide limit (left unset) and the lease to 30 seconds', () => {
    const { concurrency } = parse('[concurrency]\nmax_concurrent_tasks = 6\n');
    expect(concurrency).toEqual({ max_concurrent_tasks: 6, lease_seconds: 30, max_queue_size: 32 });
  });

  it('takes a host cap and a lease from 5 to 3600 seconds', () => {
    const { concurrency } = parse('[concurrency]\nhost_max_concurrent_tasks = 2\nlease_seconds = 5\n');
    expect(concurrency).toMatchObject({ host_max_concurrent_tasks: 2, lease_seconds: 5 });
    for (const bad of ['lease_seconds = 4', 'lease_seconds = 3601', 'host_max_concurrent_tasks = 0']) {
      const [issue] = issuesOf(() => parse(`[concurrency]\n${bad}\n`));
      expect(issue?.path).toBe(`concurrency.${bad.split(' ')[0]}`);
    }
    expect(issuesOf(() => parse('[concurrency]\nlease_seconds = 4\n'))[0]?.message).toMatch(
      /expected an integer from 5 to 3600, got 4/,
    );
  });
});
