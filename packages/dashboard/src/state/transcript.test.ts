import { type Event, newTask } from '@harness/protocol';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyEvents, emptyActivity } from './transcript.js';
import { TaskStore, tokensByTask } from './task-store.js';
import { parseRoute, taskHref } from './routes.js';
import { safeHttpUrl } from './safe-url.js';
import { formatAge, formatCost, formatTokens, taskTitle } from './format.js';

let seq = 0;
const ev = (kind: string, data: unknown, more: Partial<Event> = {}): Event => ({
  id: `evt_${++seq}`,
  seq,
  ts: '2026-01-01T00:00:00.000Z',
  kind,
  thread_id: 'thr',
  turn_id: 'trn',
  task_id: 'tsk_1',
  session_id: null,
  tool: null,
  decision: null,
  reason: null,
  duration_ms: null,
  data,
  project: 'web',
  ...more,
});

describe('the transcript fold', () => {
  it('turns agent events into messages, tools and commands with their policy decision', () => {
    seq = 0;
    const events = [
      ev('task.stage', { stage: 'implementing' }),
      ev('turn.started', { agent: 'claude' }),
      ev('agent.text', { text: '<img src=x onerror=alert(1)>' }),
      ev('agent.tool_call', { call_id: 'c1', name: 'Read', input: { path: 'a.ts' } }),
      ev('agent.tool_result', { call_id: 'c1', output: 'file body', is_error: false }),
      ev(
        'agent.command_gate',
        { command: 'npm test', decision: 'allow', reason: null },
        { decision: 'allow' },
      ),
      ev('agent.command', { command: 'npm test', exit_code: 0, output: 'ok', status: 'completed' }),
      ev(
        'agent.command_gate',
        { command: 'rm -rf /', decision: 'forbidden', reason: 'rule x' },
        { decision: 'forbidden' },
      ),
      ev('agent.usage', { usage: { input_tokens: 100, output_tokens: 20 } }),
      ev('task.validation', {
        attempt: 1,
        passed: false,
        commands: [{ command: 'npm test', passed: false, exit_code: 1, output: 'boom', duration_ms: 5 }],
      }),
    ];
    const activity = applyEvents(emptyActivity, events);
    expect(activity.transcript.map((item) => item.type)).toEqual([
      'turn',
      'message',
      'tool',
      'command',
      'command',
    ]);
    expect(activity.transcript[1]).toMatchObject({ text: '<img src=x onerror=alert(1)>' });
    expect(activity.transcript[2]).toMatchObject({ name: 'Read', output: 'file body' });
    expect(activity.transcript[3]).toMatchObject({
      command: 'npm test',
      decision: 'allow',
      exitCode: 0,
      status: 'completed',
    });
    expect(activity.transcript[4]).toMatchObject({
      command: 'rm -rf /',
      decision: 'forbidden',
      reason: 'rule x',
      status: null,
    });
    expect(activity.tokens).toEqual({ input: 100, output: 20 });
    expect(activity.validations).toHaveLength(1);
    expect(activity.validations[0]!.commands[0]).toMatchObject({ exit_code: 1, output: 'boom' });
    expect(activity.timeline.map((entry) => entry.summary)).toEqual([
      '→ implementing',
      'validation attempt 1 failed',
    ]);
  });

  it('ignores an event seen twice and events older than what it has', () => {
    seq = 0;
    const first = ev('agent.text', { text: 'hello' });
    const once = applyEvent(emptyActivity, first);
    expect(applyEvent(once, first)).toBe(once);
    expect(applyEvents(once, [first, ev('agent.text', { text: 'again' })]).transcript).toHaveLength(2);
  });
});

describe('the task store', () => {
  it('adds usage to token totals and marks a task stale on its own events only', () => {
    seq = 0;
    const store = new TaskStore();
    let heard = 0;
    store.subscribe(() => heard++);
    expect(store.applyEvent(ev('agent.usage', { usage: { input_tokens: 3, output_tokens: 4 } }))).toBe(false);
    expect(store.applyEvent(ev('task.stage', { stage: 'validating' }))).toBe(true);
    expect(store.applyEvent(ev('task.stage', {}, { task_id: null }))).toBe(false);
    expect(store.getSnapshot().tokens.get('tsk_1')).toBe(7);
    expect(store.takeStale()).toEqual(['tsk_1']);
    expect(store.takeStale()).toEqual([]);
    expect(heard).toBe(1);
    expect(store.getSnapshot()).toBe(store.getSnapshot());
    expect(
      tokensByTask([ev('agent.usage', { usage: { input_tokens: 1, output_tokens: 1 } })]).get('tsk_1'),
    ).toBe(2);
  });
});

describe('the task store and stage events', () => {
  it('moves a known task to the stage an event names at once, and takes the refetched row after', () => {
    seq = 0;
    const store = new TaskStore();
    const row = newTask({
      id: 'tsk_1',
      project: 'web',
      kind: 'prompt',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    store.replaceAll([row]);
    store.applyEvent(ev('task.stage', { stage: 'implementing' }));
    expect(store.get('tsk_1')?.state).toBe('implementing');
    store.applyEvent(ev('task.stage', { stage: 'not-a-state' }));
    expect(store.get('tsk_1')?.state).toBe('implementing');
    store.upsert({ ...row, state: 'validating', updated_at: '2026-01-01T00:00:01.000Z' });
    expect(store.get('tsk_1')?.state).toBe('validating');
    // A slower, older answer does not undo a newer one.
    store.upsert({ ...row, state: 'implementing', updated_at: '2026-01-01T00:00:00.500Z' });
    expect(store.get('tsk_1')?.state).toBe('validating');
  });
});

describe('routes, links and formats', () => {
  it('parses hash routes', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#/board')).toEqual({ view: 'board' });
    expect(parseRoute(taskHref('tsk/1 x'))).toEqual({ view: 'task', id: 'tsk/1 x' });
    expect(parseRoute('#/plans/web/p1')).toEqual({ view: 'plans', project: 'web', plan: 'p1' });
    expect(parseRoute('#/nope')).toEqual({ view: 'not_found', path: '/nope' });
  });

  it('lets only http(s) URLs become links', () => {
    expect(safeHttpUrl('https://github.com/o/r/pull/1')).toBe('https://github.com/o/r/pull/1');
    expect(safeHttpUrl('javascript:alert(1)')).toBeNull();
    expect(safeHttpUrl('data:text/html,x')).toBeNull();
    expect(safeHttpUrl('not a url')).toBeNull();
  });

  it('formats costs, tokens, ages and titles', () => {
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.004)).toBe('<$0.01');
    expect(formatCost(1.234)).toBe('$1.23');
    expect(formatTokens(999)).toBe('999');
    expect(formatTokens(1500)).toBe('1.5k');
    expect(formatTokens(2_500_000)).toBe('2.5M');
    expect(formatAge('2026-01-01T00:00:00.000Z', Date.parse('2026-01-01T02:00:00.000Z'))).toBe('2h');
    const base = { id: 't', description: null, prompt: null, issue: null, pr: null };
    expect(taskTitle({ ...base, prompt: 'Fix the bug\nmore' })).toBe('Fix the bug');
    expect(taskTitle({ ...base, issue: 12 })).toBe('Issue #12');
  });
});
