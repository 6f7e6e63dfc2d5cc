/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own process, one after another (so they do
 * not compete for the two cores), and fails if any of them fails.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`!! ${file} failed (exit ${result.status ?? result.signal})\n`);
  }
}
process.stdout.write(`\n${benches.length - failed} benchmarks passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
