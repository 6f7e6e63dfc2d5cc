/**
 * The DOM the browser tests rely on (the dashboard's DOM contract), rendered to HTML by React
 * itself in Node: the board's groups, cards, filters, the transcript and diff as text, the login
 * form. No DOM emulation: renderToStaticMarkup is what React's server renderer produces.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { newTask, type Task, type TaskDiff } from '@harness/protocol';
import { describe, expect, it } from 'vitest';
import { HarnessClient } from '../api/client.js';
import { type Services, ServicesContext } from '../services.js';
import { TaskStore } from '../state/task-store.js';
import { BoardView } from '../views/BoardView.js';
import { DiffView } from './DiffView.js';
import { LoginForm } from './LoginForm.js';
import { Transcript } from './Transcript.js';

const hostile = '<img src=x onerror=alert(1)>';
const task = (id: string, state: Task['state'], more: Partial<Task> = {}): Task =>
  newTask({ id, project: 'web', kind: 'prompt', created_at: '2026-01-01T00:00:00.000Z', state, ...more });

function withServices(store: TaskStore, element: ReturnType<typeof createElement>): string {
  const services: Services = {
    client: new HarnessClient({
      fetch: () => Promise.reject(new Error('no network in this test')),
      token: () => null,
    }),
    tasks: store,
    onEvent: () => () => undefined,
    reportError: () => undefined,
    epoch: 0,
  };
  return renderToStaticMarkup(createElement(ServicesContext.Provider, { value: services }, element));
}

describe('the DOM contract', () => {
  it('renders the board: one labelled section per group, cards with id, state, link and title, labelled filters', () => {
    const store = new TaskStore();
    store.replaceAll(
      [
        task('tsk_a', 'needs_input', { prompt: hostile }),
        task('tsk_b', 'implementing', { prompt: 'Fix the login', agent: 'claude', cost_usd: 0.42 }),
        task('tsk_c', 'done', { description: 'Ship it' }),
      ],
      new Map([['tsk_b', 12_345]]),
    );
    const html = withServices(store, createElement(BoardView));
    for (const group of ['Needs input', 'Failed', 'Running', 'Queued', 'Done'])
      expect(html).toContain(`<section aria-label="${group}"`);
    expect(html).toMatch(
      /<article data-testid="task-card" data-task-id="tsk_b" data-state="implementing"[^>]*>.*<a href="#\/tasks\/tsk_b">Fix the login<\/a>/,
    );
    expect(html).toContain('12k');
    expect(html).toContain('$0.42');
    for (const [id, label] of [
      ['filter-project', 'Project'],
      ['filter-agent', 'Agent'],
      ['filter-state', 'State'],
    ])
      expect(html).toContain(`<label for="${id}">${label}</label><select id="${id}"`);
    // A hostile title is text, escaped, never an element.
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('renders agent text in the transcript and a diff as text only', () => {
    const transcript = renderToStaticMarkup(
      createElement(Transcript, {
        items: [
          { key: 'e1', type: 'message', text: hostile, seq: 1 },
          {
            key: 'e2',
            type: 'command',
            command: 'rm -rf /',
            decision: 'forbidden',
            reason: 'never',
            exitCode: null,
            status: null,
            output: '',
            seq: 2,
          },
        ],
      }),
    );
    expect(transcript).toMatch(/^<ol data-testid="transcript"/);
    expect(transcript).not.toContain('<img');
    expect(transcript).toMatch(/policy: (<!-- -->)?forbidden/);
    const diff: TaskDiff = {
      task_id: 't',
      base: 'abc',
      branch: 'b',
      commit_sha: null,
      source: 'branch',
      files: [{ path: 'a.html', status: 'added', additions: 1, deletions: 0, binary: false }],
      diff: `+++ b/a.html\n+${hostile}`,
      truncated: false,
    };
    const diffHtml = renderToStaticMarkup(createElement(DiffView, { diff }));
    expect(diffHtml).toMatch(/^<div data-testid="diff"/);
    expect(diffHtml).not.toContain('<img');
  });

  it('renders the login form with its labelled password field and Sign in button', () => {
    const html = renderToStaticMarkup(
      createElement(LoginForm, {
        reason: 'This server asks for a token.',
        onSignIn: () => undefined,
        onDismiss: () => undefined,
      }),
    );
    expect(html).toContain(
      '<label for="login-token">API token</label><input id="login-token" type="password"',
    );
    expect(html).toContain('<button type="submit" class="primary">Sign in</button>');
  });
});
