import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureOperatorKey, operatorKeyPath, readOperatorKey } from './operator-key.js';

describe('the operator key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'harness-operator-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once, 256 random bits readable only by its owner, and kept across starts', () => {
    const dataDir = path.join(dir, 'data');
    expect(readOperatorKey(dataDir)).toBeNull();
    const key = ensureOperatorKey(dataDir);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(operatorKeyPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(ensureOperatorKey(dataDir)).toBe(key);
    expect(readOperatorKey(dataDir)).toBe(key);
    expect(ensureOperatorKey(path.join(dir, 'other'))).not.toBe(key);
  });

  it('refuses a file that holds something else, saying how to recover', () => {
    writeFileSync(operatorKeyPath(dir), 'not a key\n');
    expect(readOperatorKey(dir)).toBeNull();
    expect(() => ensureOperatorKey(dir)).toThrow(
      `${operatorKeyPath(dir)} does not hold an operator key (64 hex digits): delete it, and Harness makes a new one`,
    );
  });
});
