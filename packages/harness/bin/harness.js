#!/usr/bin/env node
// The `harness` binary: runs the compiled CLI (run `npm run build` first).
import { main } from '../dist/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`harness: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
