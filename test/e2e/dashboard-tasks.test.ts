/**
 * The dashboard's task flows in Debian's Chromium, as a new user drives them, against a real
 * `harness serve -t http` whose agent is the real Claude Code CLI on the scripted model, with
 * pull requests on the local GitHub stand-in: submit a task from the New task form and watch its
 * card reach Done and its view show the pull request; answer a needs_input with Allow once and
 * another with Refuse (the operator key asked for by the login form); cancel a running task;
 * hostile text in a prompt, a transcript and a diff shown as text; and the event stream dropped
 * mid-task (the server stopped and started again on the same port) resuming with no duplicate
 * and no gap. Screenshots of the board and of a task: to docs/images with UPDATE_SCREENSHOTS=1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GithubStandIn,
  type HarnessUnderTest,
  launchBrowser,
  makeProject,
  projectEntry,
  repoRoot,
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startGithubStandIn,
  startHarnessUnderTest,
  startScriptedAnthropicServer,
  tempDir,
  type TaskView,
  type TestBrowser,
  githubStandInConfig,
} from '@harness/testkit';
import {
  actAsOperator,
  appErrors,
  card,
  cardIn,
  freePort,
  navLink,
  WAIT_MS,
  waitForLiveStatus,
  waitForTaskState,
} from './dashboard-support.js';

type Message = { role?: string; content?: unknown };

const POLICY =
  'prefix_rule(pattern = ["touch", "approved.txt"], decision = "prompt", justification = "ask first")\n';
const ASK = 'touch approved.txt';
const HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"> HOSTILE';
const HOSTILE_FILE = '<script>window.__pwned=2</script>';
const HOSTILE_REPLY = '<script>window.__pwned=3</script> all done';

/**
 * The scripted model, by what the prompt asks: ASK tasks draft a file, ask to run a command the
 * policy marks `prompt`, and after the answer run two more steps; STALL tasks never get an answer
 * (they stay running until cancelled); HOSTILE tasks write and say markup; the rest fix fix.txt.
 */
function respond(body: unknown) {
  const messages = (body as { messages?: Message[] }).messages ?? [];
  const all = JSON.stringify(messages);
  const text = (m: Message | undefined) => JSON.stringify(m?.content ?? '');
  const last = messages.at(-1);
  const afterTool = text(last).includes('tool_result');
  const lastAsked = text([...messages].reverse().find((m) => m.role === 'assistant'));
  const bash = (command: string) => ({ tool_calls: [{ name: 'Bash', input: { command } }] });
  if (all.includes('STALL')) return afterTool ? { text: 'stalled' } : { stall: true };
  if (all.includes('HOSTILE')) {
    if (afterTool) return { text: HOSTILE_REPLY };
    return bash(`printf '%s\\n' '${HOSTILE_FILE}' > hostile.html`);
  }
  if (all.includes('ASK')) {
    if (text(last).includes('A person approved it')) return bash(ASK);
    if (text(last).includes('REFUSED')) return { text: 'Understood: finished without it. FINISHED-marker' };
    if (!afterTool) return bash('echo draft-marker > fix.txt');
    if (lastAsked.includes('draft-marker')) return bash(ASK);
    if (lastAsked.includes(ASK)) return bash('echo after-marker > after.txt');
    return { text: 'All steps ran. FINISHED-marker' };
  }
  return afterTool ? { text: 'Done: fix.txt says fixed.' } : bash('echo fixed > fix.txt');
}

describe('the dashboard drives tasks', () => {
  const dir = tempDir('harness-dashboard-tasks-');
  const keyFile = path.join(dir.path, 'data', 'operator-key');
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let app: HarnessUnderTest;
  let browser: TestBrowser;
  let page: Page;
  /** The task the first test delivered, shown in the README's screenshot of a task. */
  let delivered = '';
  /** The task the cancel test cancelled. */
  let cancelled = '';
  const operatorKey = () => readFileSync(keyFile, 'utf8').trim();

  beforeAll(async () => {
    const project = makeProject(dir.path, 'web', '[validation]\npre_commit = []\n');
    // Not committed: a task's turns answer to the project checkout's policy.
    mkdirSync(path.join(project.root, '.harness', 'policy'), { recursive: true });
    writeFileSync(path.join(project.root, '.harness', 'policy', 'agents.star'), POLICY);
    hub = await startGithubStandIn({ token: 't' });
    hub.addRepo('acme/web');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith(respond);
    // A fixed port, so the reconnect test can start the server again where the page expects it.
    const port = await freePort();
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...['[agents]', 'default_agent = "claude"', '[agents.review]', 'enabled = false'],
        ...['[rules]', 'on_prompt = "needs_input"', '[otel]', 'exporter = "disabled"'],
        ...githubStandInConfig(hub, 't'),
        ...projectEntry('web', project.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
      ['--port', String(port)],
    );
    browser = await launchBrowser();
    page = browser.page;
    page.setDefaultTimeout(WAIT_MS);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await model?.close();
    await hub?.close();
    dir.remove();
  });

  /**
   * Submits PROMPT through the New task form and returns the new task's id: from the task view the
   * app may open, or else from the card that was not on the board before. Ends on the board.
   */
  async function submitFromForm(prompt: string): Promise<string> {
    await page.goto(`${app.server.url}/#/board`);
    await page.locator('section[aria-label="Queued"]').waitFor();
    await page.getByRole('button', { name: 'New task' }).click();
    // The textbox: a task's view also has a section labelled Prompt.
    const promptBox = page.getByRole('textbox', { name: 'Prompt' });
    await promptBox.fill(prompt);
    const form = page.locator('form').filter({ has: promptBox });
    await form.getByLabel('Project').selectOption('web');
    await form.getByLabel('Agent').selectOption('claude');
    const before = new Set(await page.getByTestId('task-card').evaluateAll(ids));
    await page.getByRole('button', { name: 'Submit task' }).click();
    await promptBox.waitFor({ state: 'detached' });
    for (;;) {
      const opened = /#\/tasks\/([^/?]+)$/.exec(page.url());
      if (opened?.[1] !== undefined) {
        await navLink(page, 'Board').click();
        return decodeURIComponent(opened[1]);
      }
      const added = (await page.getByTestId('task-card').evaluateAll(ids)).find((id) => !before.has(id));
      if (added !== undefined) return added;
      await page.waitForTimeout(100);
    }
  }

  /** WAITING, with the task's stored state, error and approvals added to its failure (which wait
   *  gave up says little on its own). */
  async function explained(id: string, waiting: Promise<void>): Promise<void> {
    try {
      await waiting;
    } catch (error) {
      const task = await app.task(id);
      const facts = { state: task.state, error: task.error, approvals: task.approvals };
      throw new Error(`${(error as Error).message}\ntask ${id}: ${JSON.stringify(facts)}`, { cause: error });
    }
  }

  async function openTask(id: string): Promise<void> {
    await page.goto(`${app.server.url}/#/board`);
    await card(page, id).getByRole('link').first().click();
    await page.waitForURL(`**/#/tasks/${id}`);
  }

  it('submits a task from the New task form; its card reaches Done and its view shows the PR', async () => {
    const id = await submitFromForm('Make fix.txt say fixed');
    await cardIn(page, 'Done', id).waitFor({ timeout: WAIT_MS });
    await openTask(id);
    await waitForTaskState(page, 'done');
    expect(await page.locator('h1').textContent()).toContain('Make fix.txt say fixed');
    const stored = await app.task(id);
    expect(stored.pr_url).toMatch(/\/acme\/web\/pull\/\d+$/);
    expect(await page.getByTestId('pr-link').getAttribute('href')).toBe(stored.pr_url);
    await page.getByTestId('diff').filter({ hasText: 'fix.txt' }).waitFor();
    expect(await page.getByTestId('diff').textContent()).toContain('+fixed');
    expect(await page.getByTestId('transcript').textContent()).toContain('echo fixed > fix.txt');
    delivered = id;
    expect(appErrors(browser)).toEqual([]);
  }, 240_000);

  it('answers a needs_input with Allow once: the task resumes and is delivered', async () => {
    const id = await submitFromForm('ASK allow: make fix.txt and approved.txt');
    await cardIn(page, 'Needs input', id).waitFor({ timeout: WAIT_MS });
    await openTask(id);
    await waitForTaskState(page, 'needs_input');
    await page.getByRole('button', { name: 'Refuse' }).waitFor();
    await explained(
      id,
      actAsOperator(page, operatorKey(), page.getByRole('button', { name: 'Allow once' }), () =>
        waitForTaskState(page, 'done'),
      ),
    );
    const stored = await app.task(id);
    expect(stored.approvals).toMatchObject([{ command: ASK, decision: 'allow_once', used: true }]);
    expect(stored.state).toBe('done');
    expect(await page.getByRole('button', { name: 'Allow once' }).count()).toBe(0);
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 240_000);

  it('answers a needs_input with Refuse: the agent is told and finishes without the command', async () => {
    const id = await submitFromForm('ASK refuse: make fix.txt and approved.txt');
    await cardIn(page, 'Needs input', id).waitFor({ timeout: WAIT_MS });
    await openTask(id);
    await waitForTaskState(page, 'needs_input');
    await explained(
      id,
      actAsOperator(page, operatorKey(), page.getByRole('button', { name: 'Refuse' }), () =>
        waitForTaskState(page, 'done'),
      ),
    );
    const stored = await app.task(id);
    expect(stored.approvals).toMatchObject([{ command: ASK, decision: 'deny' }]);
    await page.getByTestId('transcript').filter({ hasText: 'finished without it' }).waitFor();
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 240_000);

  it('cancels a running task', async () => {
    const id = await submitFromForm('STALL until cancelled');
    await cardIn(page, 'Running', id).waitFor({ timeout: WAIT_MS });
    await openTask(id);
    await waitForTaskState(page, 'implementing');
    await explained(
      id,
      actAsOperator(page, operatorKey(), page.getByRole('button', { name: 'Cancel' }), () =>
        waitForTaskState(page, 'cancelled'),
      ),
    );
    expect((await app.task(id)).state).toBe('cancelled');
    cancelled = id;
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 240_000);

  it('filters the board by state, and retries a cancelled task as a new one with the same work', async () => {
    await page.goto(`${app.server.url}/#/board`);
    await cardIn(page, 'Done', delivered).waitFor();
    await page.getByLabel('State').selectOption('cancelled');
    await card(page, delivered).waitFor({ state: 'detached' });
    expect(await page.getByTestId('task-card').evaluateAll(ids)).toEqual([cancelled]);
    await page.getByLabel('State').selectOption('');
    await card(page, delivered).waitFor();

    await openTask(cancelled);
    await page.getByRole('button', { name: 'Retry' }).click();
    const stalls = async () =>
      (
        (await (await fetch(`${app.server.url}/tasks?limit=500`)).json()) as { tasks: TaskView[] }
      ).tasks.filter((task) => task.prompt === 'STALL until cancelled');
    while ((await stalls()).length < 2) await page.waitForTimeout(100);
    const retried = (await stalls()).find((task) => task.id !== cancelled);
    expect(retried).toMatchObject({ project: 'web', agent: 'claude', review: false });
    // It stalls like the first: cancelled here, so it does not hold the model to the end.
    const stop = await fetch(`${app.server.url}/tasks/${retried?.id}/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorKey()}` },
      body: '{}',
    });
    expect(stop.status).toBe(200);
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 240_000);

  it('shows markup in a title, a transcript and a diff as text, never running it', async () => {
    const id = await submitFromForm(HOSTILE_TITLE);
    await cardIn(page, 'Done', id).waitFor({ timeout: WAIT_MS });
    expect(await card(page, id).textContent()).toContain(HOSTILE_TITLE.slice(0, 30));
    await openTask(id);
    await waitForTaskState(page, 'done');
    await page.getByTestId('transcript').filter({ hasText: HOSTILE_REPLY }).waitFor();
    await page.getByTestId('diff').filter({ hasText: HOSTILE_FILE }).waitFor();
    expect(await page.locator('h1').textContent()).toContain(HOSTILE_TITLE);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    // Nothing the agent wrote became an element: no <img>, no <script> beyond the app's own.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(appErrors(browser, [401, 403])).toEqual([]);
  }, 240_000);

  it('resumes the event stream after the server drops it, with no duplicate and no gap', async () => {
    const id = await submitFromForm('ASK reconnect: make fix.txt and approved.txt');
    await cardIn(page, 'Needs input', id).waitFor({ timeout: WAIT_MS });
    await openTask(id);
    await waitForTaskState(page, 'needs_input');
    await waitForLiveStatus(page, 'live');
    const markers = ['draft-marker', ASK, 'after-marker', 'FINISHED-marker'];
    const counts = async (p: Page) => {
      const text = (await p.getByTestId('transcript').textContent()) ?? '';
      return markers.map((m) => text.split(m).length - 1);
    };
    // What the task has shown so far, as a page opened now shows it; the live page catches up to it
    // before the drop, so everything after the drop is measured from a known point.
    const reference = await browser.newPage();
    await reference.goto(`${app.server.url}/#/tasks/${id}`);
    await reference
      .getByTestId('transcript')
      .filter({ hasText: 'draft-marker' })
      .waitFor({ timeout: WAIT_MS });
    const beforeDrop = await counts(reference);
    await reference.close();
    expect(beforeDrop[0]).toBeGreaterThan(0);
    while (JSON.stringify(await counts(page)) !== JSON.stringify(beforeDrop)) await page.waitForTimeout(100);

    // The server goes away: the page notices. While it is down and until the test lets it, the
    // page cannot reach the streams, so what happens meanwhile must come from the resume.
    await app.server.stop();
    await waitForLiveStatus(page, 'reconnecting');
    const streams = /\/(api\/events\/stream|tasks\/[^/]+\/stream)/;
    await page.route(streams, (route) => route.abort('connectionrefused'));
    await app.startAgain();
    const answered = await fetch(`${app.server.url}/tasks/${id}/respond`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${operatorKey()}` },
      body: JSON.stringify({ decision: 'allow_once' }),
    });
    expect(answered.status).toBe(200);
    expect((await app.finished(id)).state).toBe('done');
    await page.unroute(streams);
    await waitForLiveStatus(page, 'live');
    await waitForTaskState(page, 'done');
    await page.getByTestId('transcript').filter({ hasText: 'FINISHED-marker' }).waitFor();

    // The same task opened afresh is the reference: the resumed page shows exactly what it shows.
    const fresh = await browser.newPage();
    await fresh.goto(`${app.server.url}/#/tasks/${id}`);
    await fresh
      .getByTestId('transcript')
      .filter({ hasText: 'FINISHED-marker' })
      .waitFor({ timeout: WAIT_MS });
    const resumed = await counts(page);
    expect(resumed).toEqual(await counts(fresh));
    expect(resumed[0]).toBe(beforeDrop[0]);
    expect(resumed[2]).toBeGreaterThan(0);
    await fresh.close();
    // The dropped and refused connections are logged as network errors of the streams (and of
    // what the page fetched while the server was down); nothing else may be.
    const unexpected = appErrors(browser, [401, 403]).filter(
      (error) => !/^Failed to load resource: net::ERR_\w+ at /.test(error),
    );
    expect(unexpected).toEqual([]);
    browser.consoleErrors.length = 0;
  }, 240_000);

  // Last, so the board has tasks in several states. Into docs/images with UPDATE_SCREENSHOTS=1
  // (then look at them), else into the test's temp dir: taken either way, so a view that cannot be
  // captured fails here.
  it('takes the screenshots of the board and of a task that the README shows', async () => {
    const shots = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs/images') : dir.path;
    await page.goto(`${app.server.url}/#/board`);
    await cardIn(page, 'Done', delivered).waitFor();
    await waitForLiveStatus(page, 'live');
    await page.screenshot({ path: path.join(shots, 'dashboard-board.png') });
    await openTask(delivered);
    await page.getByTestId('pr-link').waitFor();
    await page.screenshot({ path: path.join(shots, 'dashboard-task.png') });
    expect(appErrors(browser, [401, 403])).toEqual([]);
  });
});

/** The task ids of the cards matched (evaluated in the page). */
function ids(cards: { getAttribute(name: string): string | null }[]): string[] {
  return cards.map((element) => element.getAttribute('data-task-id') ?? '');
}
