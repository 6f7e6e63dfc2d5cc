/**
 * What the dashboard's browser tests share: the DOM contract's locators, signing in when the page
 * asks for a key, and telling the app's own console errors from the browser's notes about answers
 * the test expected (a 401 before signing in, a 403 before the operator key is given).
 */
import { createServer } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import type { TestBrowser } from '@harness/testkit';

/** Generous: the real Claude Code CLI runs a whole task behind some of these waits. */
export const WAIT_MS = 120_000;

/** A free TCP port on 127.0.0.1, for a server that must come back on the same port after a restart. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const card = (page: Page, id: string): Locator =>
  page.locator(`[data-testid="task-card"][data-task-id="${id}"]`);

/** The card of task ID inside the board's group named GROUP ("Done", "Needs input", …). */
export const cardIn = (page: Page, group: string, id: string): Locator =>
  page.locator(`section[aria-label="${group}"] [data-testid="task-card"][data-task-id="${id}"]`);

export const navLink = (page: Page, name: string): Locator =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Waits until the task view shows STATE (the contract does not fix its case). */
export async function waitForTaskState(page: Page, state: string): Promise<void> {
  const exact = new RegExp(`^\\s*${state.replace('_', '[_ ]')}\\s*$`, 'i');
  await page.getByTestId('task-state').filter({ hasText: exact }).waitFor({ timeout: WAIT_MS });
}

/** Waits until the event stream indicator reads TEXT (`live` or `reconnecting`). */
export async function waitForLiveStatus(page: Page, text: 'live' | 'reconnecting'): Promise<void> {
  await page
    .getByTestId('live-status')
    .filter({ hasText: new RegExp(`^\\s*${text}\\s*$`) })
    .waitFor({ timeout: WAIT_MS });
}

/**
 * Clicks BUTTON, an operator-only act; when the page answers with its login form (the server said
 * the act "is for a person"), gives it KEY and signs in, then clicks BUTTON again once it is back,
 * unless DONE happened first (an app that repeats the act itself after signing in).
 * Resolves once DONE resolves.
 */
export async function actAsOperator(
  page: Page,
  key: string,
  button: Locator,
  done: () => Promise<void>,
): Promise<void> {
  await button.click();
  // One wait for the outcome, awaited at the end; the catch only keeps it from counting as
  // unhandled while it is a loser in a race below (its rejection still fails the test there).
  const outcome = done();
  outcome.catch(() => undefined);
  const login = page.getByLabel('API token');
  const asked = await Promise.race([
    login.waitFor({ timeout: WAIT_MS }).then(
      () => true,
      () => false,
    ),
    outcome.then(() => false),
  ]);
  if (!asked) return outcome;
  await login.fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await login.waitFor({ state: 'detached', timeout: WAIT_MS });
  // Signing in reloads the view: the act is done again once its button is back, unless the app
  // already repeated it and the wanted outcome came first.
  const finished = await Promise.race([
    outcome.then(() => true),
    button.waitFor({ state: 'visible', timeout: WAIT_MS }).then(
      () => false,
      () => false,
    ),
  ]);
  if (!finished) await button.click();
  return outcome;
}

/**
 * The console errors the app caused. Chromium also logs, as errors, every HTTP answer >= 400 it
 * received ("Failed to load resource: … status of 401 … at URL"); EXPECTED lists the statuses the
 * test provoked on purpose, whose notes are left out. Every other error is the app's.
 */
export function appErrors(browser: TestBrowser, expected: number[] = []): string[] {
  return browser.consoleErrors.filter(
    (error) =>
      !expected.some((status) =>
        error.startsWith(`Failed to load resource: the server responded with a status of ${status}`),
      ),
  );
}
