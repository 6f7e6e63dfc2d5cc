/**
 * The dashboard's shell in Debian's Chromium against a real `harness serve -t http` that has an API
 * token: the page asks for the token once and, signed in, shows the board; the token never appears
 * in a request URL, the page's HTML, the console or the server's log. Every view is opened from
 * the main navigation without a console error; Tab reaches the navigation and Enter switches the
 * view; the theme toggle flips `data-theme` on <html>. A wrong token is refused and asked again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type HarnessUnderTest,
  launchBrowser,
  makeProject,
  projectEntry,
  startHarnessUnderTest,
  tempDir,
  type TestBrowser,
} from '@harness/testkit';
import { appErrors, navLink, WAIT_MS, waitForLiveStatus } from './dashboard-support.js';

const TOKEN = 'e2e-dashboard-token-5f1c9a7d3b';
const VIEWS = ['Overview', 'Board', 'Projects', 'Policy', 'Quality', 'Skills', 'Plans', 'Events'];

describe('the dashboard shell', () => {
  const dir = tempDir('harness-dashboard-shell-');
  const logFile = path.join(dir.path, 'serve.log');
  let app: HarnessUnderTest;
  let browser: TestBrowser;
  let page: Page;

  beforeAll(async () => {
    const { root } = makeProject(dir.path, 'shop', '[validation]\npre_commit = []\n');
    app = await startHarnessUnderTest(
      dir.path,
      ['[otel]', 'exporter = "disabled"', ...projectEntry('shop', root)],
      { HARNESS_API_TOKEN: TOKEN },
      ['--log-file', logFile],
    );
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(WAIT_MS);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    dir.remove();
  }, 60_000);

  it('asks for the token once, then loads the board; the token is in no URL, HTML, console or log', async () => {
    await page.goto(`${app.server.url}/`);
    const login = page.getByLabel('API token');
    await login.waitFor();

    // A wrong token is refused and the form comes back.
    await login.fill('not-the-token');
    const refused = page.waitForResponse((response) => response.status() === 401);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await refused;
    await login.waitFor();

    await login.fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await login.waitFor({ state: 'detached' });
    await navLink(page, 'Board').click();
    await page.locator('section[aria-label="Queued"]').waitFor();
    await waitForLiveStatus(page, 'live');

    // Every view, from the navigation: signed in once is enough.
    for (const view of VIEWS) {
      await navLink(page, view).click();
      await page.waitForURL(`**/#/${view.toLowerCase()}`);
      await page.locator('main').waitFor();
    }
    expect(await login.count()).toBe(0);

    // A reload keeps the session (sessionStorage), asking nothing.
    await page.reload();
    await waitForLiveStatus(page, 'live');
    expect(await login.count()).toBe(0);

    expect(browser.requestUrls.length).toBeGreaterThan(0);
    expect(browser.requestUrls.filter((url) => url.includes(TOKEN))).toEqual([]);
    expect(await page.content()).not.toContain(TOKEN);
    expect(browser.consoleMessages.filter((message) => message.includes(TOKEN))).toEqual([]);
    const log = readFileSync(logFile, 'utf8') + app.server.stderr.join('\n');
    expect(log).toContain('listening');
    expect(log).not.toContain(TOKEN);
    // The 401s are the ones before signing in and the wrong token's.
    expect(appErrors(browser, [401])).toEqual([]);
  }, 150_000);

  it('names an icon the browser can load, so opening the page logs no missing /favicon.ico', async () => {
    await page.goto(`${app.server.url}/#/board`);
    await navLink(page, 'Board').waitFor();
    const icon = await page.evaluate(
      `(document.querySelector('link[rel~="icon"]') || { href: location.origin + '/favicon.ico' }).href`,
    );
    expect(typeof icon).toBe('string');
    if (!String(icon).startsWith('data:')) {
      expect((await fetch(String(icon))).status).toBe(200);
    }
    expect(browser.consoleErrors.filter((error) => error.includes('favicon'))).toEqual([]);
  }, 150_000);

  it('is driven by the keyboard: Tab reaches the navigation and Enter switches the view', async () => {
    await page.goto(`${app.server.url}/#/overview`);
    await navLink(page, 'Overview').waitFor();
    await page.locator('body').focus();
    let reached = '';
    for (let presses = 0; presses < 40 && reached !== 'Policy'; presses++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        `document.activeElement?.closest('nav[aria-label="Main"]') ? document.activeElement.textContent.trim() : ''`,
      );
    }
    expect(reached).toBe('Policy');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/#/policy');
    await page.getByLabel('Command').waitFor();
    expect(appErrors(browser, [401])).toEqual([]);
  }, 150_000);

  it('checks a command against the loaded policy from the Policy view', async () => {
    await page.goto(`${app.server.url}/#/policy`);
    await page.getByLabel('Command').fill('rm -rf /');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByTestId('policy-decision').filter({ hasText: /\S/ }).waitFor();
    expect(appErrors(browser, [401])).toEqual([]);
  }, 150_000);

  it('switches between light and dark with the theme toggle', async () => {
    await page.goto(`${app.server.url}/#/board`);
    const theme = () => page.locator('html').getAttribute('data-theme');
    const toggle = page.getByRole('button', { name: 'Toggle theme' });
    const before = await theme();
    await toggle.click();
    const first = await theme();
    expect(['light', 'dark']).toContain(first);
    expect(first).not.toBe(before);
    await toggle.click();
    const second = await theme();
    expect(['light', 'dark']).toContain(second);
    expect(second).not.toBe(first);
    expect(appErrors(browser, [401])).toEqual([]);
  }, 150_000);
});
