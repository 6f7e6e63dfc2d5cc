#!/usr/bin/env node
// What the test suite needs from the machine, checked before anything is built or run (`npm test`'s
// pretest, and vitest's globalSetup for `npx vitest run`): Node.js >= 20.19, git, bubblewrap, curl,
// Debian's Chromium at /usr/bin/chromium (the dashboard's browser tests drive it through
// playwright-core), Debian's PostgreSQL server binaries (the PostgreSQL store's and the fleet's tests
// start a throwaway cluster from /usr/lib/postgresql/<major>/bin), and the SQLite binding
// (better-sqlite3), which a C++ toolchain and python3 build at `npm ci`. Prints nothing and exits 0 when all are there; else one line naming what to install,
// and exits 1.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const missing = [];

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  missing.push(`Node.js >= 20.19 (this is ${process.versions.node})`);
}

/** Whether PROGRAM runs from PATH (`PROGRAM --version` exits 0). */
function runs(program) {
  const run = spawnSync(program, ['--version'], { stdio: 'ignore', timeout: 10_000 });
  return run.error === undefined && run.status === 0;
}
if (!runs('git')) missing.push('git (apt-get install git)');
if (!runs('bwrap')) missing.push('bubblewrap (apt-get install bubblewrap)');
// The tests that play an agent calling Harness's API from its sandbox use curl, as an agent would.
if (!runs('curl')) missing.push('curl (apt-get install curl)');
// The browser tests launch this exact binary (packages/testkit/src/fixtures/browser.ts), not one on PATH.
try {
  accessSync('/usr/bin/chromium', constants.X_OK);
} catch {
  missing.push('chromium at /usr/bin/chromium (apt-get install chromium)');
}

// Where the testkit looks for initdb (packages/testkit/src/fixtures/postgres.ts): the server binaries
// are not on PATH in Debian, and the tests start no system service.
const postgresBase = '/usr/lib/postgresql';
const hasInitdb =
  existsSync(postgresBase) &&
  readdirSync(postgresBase).some((major) => existsSync(`${postgresBase}/${major}/bin/initdb`));
if (!hasInitdb) missing.push('PostgreSQL (apt-get install postgresql)');

const require = createRequire(import.meta.url);
let Database;
try {
  Database = require('better-sqlite3');
} catch {
  missing.push('the npm dependencies (run npm ci)');
}
if (Database) {
  try {
    new Database(':memory:').close();
  } catch {
    missing.push(
      'the SQLite binding: a C++ toolchain and python3 (apt-get install g++ make python3), then npm rebuild better-sqlite3',
    );
  }
}

if (missing.length > 0) {
  console.log(`Cannot run the tests; missing: ${missing.join('; ')}.`);
  process.exit(1);
}
