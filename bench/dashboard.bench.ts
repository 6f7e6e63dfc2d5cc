/**
 * The web dashboard: the gzipped size of all its JavaScript (`packages/dashboard/dist/assets/*.js`,
 * budget 250 KB), and the time from navigation to a board showing 200 task cards in headless
 * Chromium, beside the time to load an empty page (the same server's `/health`) measured in the
 * same run, in the same browser, interleaved. The 200 tasks are submitted over REST to a real
 * `harness serve` whose agent cannot run (claude is not on its PATH), so each fails at once with a
 * stored error: real tasks in the real store, and no agent work going on while the board is timed.
 * Exits 1 if the dashboard is not built, a page does not load or the board never shows the cards; a
 * budget not met is printed, not a failure (as the other benches).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import {
  launchBrowser,
  makeProject,
  projectEntry,
  repoRoot,
  startHarnessUnderTest,
  tempDir,
} from '@harness/testkit';

const TASKS = 200;
const ROUNDS = Number(process.env.BENCH_DASHBOARD_ROUNDS ?? 7);
const SIZE_BUDGET = 250 * 1000;
const assets = path.join(repoRoot, 'packages', 'dashboard', 'dist', 'assets');

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The gzipped bytes of every script the page can load (what a first visit downloads at most). */
function gzippedScripts(): { files: number; raw: number; gzipped: number } {
  let files: string[];
  try {
    files = readdirSync(assets).filter((file) => file.endsWith('.js'));
  } catch {
    throw new Error(`${path.relative(repoRoot, assets)} not found: run npm run build`);
  }
  if (files.length === 0) throw new Error(`no .js in ${path.relative(repoRoot, assets)}: run npm run build`);
  let raw = 0;
  let gzipped = 0;
  for (const file of files) {
    const bytes = readFileSync(path.join(assets, file));
    raw += bytes.length;
    gzipped += gzipSync(bytes, { level: 9 }).length;
  }
  return { files: files.length, raw, gzipped };
}

/** Milliseconds from the start of navigation until `ready` holds in the page. */
async function timeTo(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await page.goto(url);
  await ready();
  return performance.now() - start;
}

async function main(): Promise<number> {
  const size = gzippedScripts();
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
  const sizeRatio = size.gzipped / SIZE_BUDGET;
  process.stdout.write(
    `JavaScript: ${size.files} file(s), ${kb(size.raw)} raw, ${kb(size.gzipped)} gzipped   ` +
      `×${sizeRatio.toFixed(2)} of the ${kb(SIZE_BUDGET)} budget: ${sizeRatio <= 1 ? 'met' : 'NOT met'}\n`,
  );

  const dir = tempDir('harness-bench-dashboard-');
  const { root } = makeProject(dir.path, 'bench', '[validation]\npre_commit = []\n');
  const app = await startHarnessUnderTest(
    dir.path,
    [
      ...['[agents]', 'default_agent = "claude"', '[agents.review]', 'enabled = false'],
      ...['[concurrency]', `max_queue_size = ${TASKS + 10}`, '[otel]', 'exporter = "disabled"'],
      ...projectEntry('bench', root),
    ],
    // No agent CLI on PATH: every task fails at once, with its error stored.
    { PATH: '/usr/bin:/bin' },
  );
  const browser = await launchBrowser();
  try {
    for (let i = 0; i < TASKS; i++) {
      const created = await app.post('/tasks', { prompt: `bench task ${i}`, project: 'bench' });
      if (created.status !== 202) throw new Error(`task ${i}: ${created.status} ${await created.text()}`);
    }
    for (let settled = 0; settled < TASKS;) {
      const listed = (await (await fetch(`${app.server.url}/tasks?limit=${TASKS}`)).json()) as {
        tasks: { state: string }[];
      };
      settled = listed.tasks.filter((t) => t.state === 'failed').length;
      if (settled < TASKS) await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const { page } = browser;
    const empty = () => timeTo(page, `${app.server.url}/health`, () => page.waitForLoadState('load'));
    const board = () =>
      timeTo(page, `${app.server.url}/#/board`, () =>
        // The 200th card attached (the page's CSP forbids the string evaluation waitForFunction uses).
        page
          .getByTestId('task-card')
          .nth(TASKS - 1)
          .waitFor({ state: 'attached', timeout: 60_000 }),
      );
    // Warm both (the browser's first start of a renderer, the server's first request): not counted.
    await empty();
    await board();
    const emptyTimes: number[] = [];
    const boardTimes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // about:blank between runs, so each navigation starts from nothing rendered.
      await page.goto('about:blank');
      emptyTimes.push(await empty());
      await page.goto('about:blank');
      boardTimes.push(await board());
    }
    const baseline = median(emptyTimes);
    const boardMs = median(boardTimes);
    process.stdout.write(
      `${ROUNDS} loads each, interleaved, in headless Chromium\n` +
        `${'empty page (/health)'.padEnd(36)} median ${baseline.toFixed(1).padStart(7)} ms\n` +
        `${`board of ${TASKS} task cards`.padEnd(36)} median ${boardMs.toFixed(1).padStart(7)} ms   ×${(boardMs / baseline).toFixed(2)} of the empty page\n`,
    );
    // Any console error means the board measured was a broken one.
    const errors = browser.consoleErrors;
    if (errors.length > 0) throw new Error(`console errors on the board: ${errors.join('; ')}`);
    return 0;
  } finally {
    await browser.close();
    await app.stop();
    dir.remove();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`dashboard bench: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
