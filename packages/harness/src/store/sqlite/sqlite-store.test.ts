import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore, databaseFileName, latestSchemaVersion } from '../index.js';

// What only the SQLite backend does: its file, its pragmas and its own schema versions. What every
// backend does is the store contract suite's (packages/harness/test/store).

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-store-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('SqliteStore', () => {
  it('creates its data dir for the owner only, and one database file in WAL mode at the latest schema', async () => {
    const dir = path.join(tempDir(), 'data');
    const store = SqliteStore.open(dir);
    expect(await store.schemaVersion()).toBe(latestSchemaVersion);
    await store.close();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const raw = new Database(path.join(dir, databaseFileName));
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
  });

  it('refuses a database written by a newer Harness, and leaves it untouched', async () => {
    const dir = tempDir();
    await SqliteStore.open(dir).close();
    const raw = new Database(path.join(dir, databaseFileName));
    raw.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(999, 'future', 'now');
    raw.close();
    expect(() => SqliteStore.open(dir)).toThrow(/schema version 999 was written by a newer Harness/);
    const after = new Database(path.join(dir, databaseFileName));
    expect(after.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: 999 });
    after.close();
  });

  it('says which file it cannot open, as a storage error', () => {
    const notADir = path.join(tempDir(), 'file');
    writeFileSync(notADir, 'x');
    expect(() => SqliteStore.open(notADir)).toThrow(
      expect.objectContaining({
        code: 'storage_error',
        message: expect.stringContaining(`cannot open the database ${path.join(notADir, databaseFileName)}`),
      }),
    );
  });

  it('opens a throwaway database in memory', async () => {
    const store = SqliteStore.open(':memory:');
    expect(await store.ping()).toBe(true);
    await store.close();
  });
});
