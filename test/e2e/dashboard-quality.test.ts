/**
 * GC drafts in the dashboard's Quality view, in Debian's Chromium against a real `harness serve
 * -t http` whose store holds two pending drafts (written through the store before the server
 * started, as test/e2e/gc-cli.test.ts does): Adopt, an act for a person, makes the page ask for
 * the operator key, then writes the draft's file into the project; Reject records the decision.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isolatedEnv,
  launchBrowser,
  makeRepo,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  type TestBrowser,
  sampleDraft,
} from '@harness/testkit';
import { readOperatorKey } from '../../packages/harness/src/core/index.js';
import { SqliteStore } from '../../packages/harness/src/store/index.js';
import { actAsOperator, appErrors, navLink, WAIT_MS } from './dashboard-support.js';

const dir = tempDir('harness-dashboard-quality-');
const dataDir = path.join(dir.path, 'data');
const root = makeRepo(path.join(dir.path, 'app'), { 'src/a.ts': 'old\n' });

describe('GC drafts in the Quality view', () => {
  let server: RunningHarness;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const store = SqliteStore.open(dataDir);
    await store.gc.drafts.insert(
      sampleDraft('draft_adopt', '.harness/guards/no-todo.sh', 'TODOs left behind'),
    );
    await store.gc.drafts.insert(sampleDraft('draft_reject', '.harness/guards/other.sh', 'Another signal'));
    await store.close();
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', dataDir, '--project', `app=${root}`],
      isolatedEnv(dir.path),
    );
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(WAIT_MS);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    dir.remove();
  }, 60_000);

  const article = (id: string) => page.locator(`article[data-testid="draft"][data-draft-id="${id}"]`);
  const operatorKey = () => readOperatorKey(dataDir) ?? 'no operator key';

  it('adopts a draft after asking for the operator key: its file is written into the project', async () => {
    await page.goto(`${server.url}/`);
    await navLink(page, 'Quality').click();
    await article('draft_adopt').waitFor();
    expect(await article('draft_adopt').textContent()).toContain('TODOs left behind');
    await actAsOperator(
      page,
      operatorKey(),
      article('draft_adopt').getByRole('button', { name: 'Adopt' }),
      () =>
        article('draft_adopt')
          .filter({ hasText: /adopted/i })
          .waitFor({ timeout: WAIT_MS }),
    );
    expect(readFileSync(path.join(root, '.harness/guards/no-todo.sh'), 'utf8')).toContain('NO-TODO');
    expect(await article('draft_adopt').getByRole('button', { name: 'Adopt' }).count()).toBe(0);
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 150_000);

  it('rejects a draft: nothing is written and the page shows it rejected', async () => {
    await page.goto(`${server.url}/#/quality`);
    await article('draft_reject').waitFor();
    await actAsOperator(
      page,
      operatorKey(),
      article('draft_reject').getByRole('button', { name: 'Reject' }),
      () =>
        article('draft_reject')
          .filter({ hasText: /rejected/i })
          .waitFor({ timeout: WAIT_MS }),
    );
    expect(existsSync(path.join(root, '.harness/guards/other.sh'))).toBe(false);
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 150_000);
});
