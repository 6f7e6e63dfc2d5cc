import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, HarnessError } from './errors.js';

/**
 * The operator key: what tells the person running Harness from an agent when no API token is set.
 * Agents reach the loopback API (their sandbox shares the network so they can reach the model
 * gateway), so without `server.api_token` a request alone cannot say who sent it. Acts only a
 * person may take (answering a task's approval) need this key as the bearer token. It lives in the
 * data directory, which both sandboxed modes hide from agents; `harness task …` reads it there.
 */
export function operatorKeyPath(dataDir: string): string {
  return path.join(dataDir, 'operator-key');
}

const keyPattern = /^[0-9a-f]{64}$/;

/** The data directory's operator key, made (256 random bits, mode 0600) the first time. */
export function ensureOperatorKey(dataDir: string): string {
  const file = operatorKeyPath(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: a second server starting at once reads a whole key or
  // makes none, never a half-written one.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const key = readOperatorKey(dataDir);
  if (key === null) {
    throw new HarnessError(
      ErrorCodes.config,
      `${file} does not hold an operator key (64 hex digits): delete it, and Harness makes a new one`,
    );
  }
  return key;
}

/** The data directory's operator key, or null when there is none (or it is not one). */
export function readOperatorKey(dataDir: string): string | null {
  let text: string;
  try {
    text = readFileSync(operatorKeyPath(dataDir), 'utf8').trim();
  } catch {
    return null;
  }
  return keyPattern.test(text) ? text : null;
}
