import { readFileSync } from 'node:fs';

/** The version of the harness package, read once from its package.json (works from src and from dist). */
export const harnessVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
