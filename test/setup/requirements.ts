/**
 * vitest's globalSetup: before any test file loads, the machine's requirements
 * (scripts/check-requirements.mjs). Without one, the run stops at once with one line naming what to
 * install, instead of failing a dozen tests one by one.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/check-requirements.mjs', import.meta.url));

export default function checkRequirements(): void {
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  if (run.status === 0) return;
  const line = run.stdout.trim() || run.stderr.trim() || `${script} failed (${run.status ?? run.signal})`;
  // One line, without a stack: the error is the machine, not the code.
  const error = new Error(line);
  error.stack = line;
  throw error;
}
