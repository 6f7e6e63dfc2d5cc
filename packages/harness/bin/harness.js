#!/usr/bin/env node
// The `harness` binary: runs the compiled CLI (run `npm run build` first).
//
// Start-up is kept short for calls that scripts make often (bench/start-up.bench.ts measures it):
// `harness --version` reads package.json and loads nothing else, and `harness … rule …` loads only
// the rule command, from the bundle that `npm run build` makes (see dist/cli/start-up.js).
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Node ≥ 22.1 can keep compiled code between runs; Node 20 has no such function.
module.enableCompileCache?.();

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const { entryFor } = await import('../dist/cli/start-up.js');
  const { main } = await import(
    pathToFileURL(entryFor(args, fileURLToPath(new URL('..', import.meta.url)))).href
  );
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`harness: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
