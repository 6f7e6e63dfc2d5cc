import { newTask, type Task, type TaskState } from '@harness/protocol';
import { describe, expect, it } from 'vitest';
import { boardGroups, filterOptions, groupOf, groupTasks, needsAttention, noFilter } from './board.js';
import { taskStateSchemaValues } from './task-states.js';

const task = (id: string, state: TaskState, more: Partial<Task> = {}): Task =>
  newTask({ id, project: 'web', kind: 'prompt', created_at: '2026-01-01T00:00:00.000Z', state, ...more });

describe('board grouping', () => {
  it('puts every state in one of the five groups', () => {
    expect(taskStateSchemaValues.map(groupOf)).toEqual([
      'Queued',
      'Running',
      'Running',
      'Running',
      'Running',
      'Running',
      'Running',
      'Needs input',
      'Done',
      'Failed',
      'Done',
    ]);
  });

  it('groups and filters by project, agent and state, newest activity first', () => {
    const tasks = [
      task('a', 'implementing', { updated_at: '2026-01-01T00:00:01.000Z', agent: 'claude' }),
      task('b', 'implementing', { updated_at: '2026-01-01T00:00:05.000Z', agent: 'codex' }),
      task('c', 'needs_input', { project: 'api' }),
      task('d', 'failed'),
    ];
    const all = groupTasks(tasks, noFilter);
    expect(Object.keys(all)).toEqual([...boardGroups]);
    expect(all.Running.map((t) => t.id)).toEqual(['b', 'a']);
    expect(all['Needs input'].map((t) => t.id)).toEqual(['c']);
    expect(all.Done).toEqual([]);
    expect(groupTasks(tasks, { ...noFilter, project: 'api' }).Running).toEqual([]);
    expect(groupTasks(tasks, { ...noFilter, agent: 'codex' }).Running.map((t) => t.id)).toEqual(['b']);
    expect(groupTasks(tasks, { ...noFilter, state: 'failed' }).Failed.map((t) => t.id)).toEqual(['d']);
    expect(filterOptions(tasks)).toEqual({ projects: ['api', 'web'], agents: ['claude', 'codex'] });
    expect(needsAttention(tasks).map((t) => t.id)).toEqual(['c', 'd']);
  });

  it('groups 2000 tasks without trouble (the board re-groups on every change)', () => {
    const many = Array.from({ length: 2000 }, (_, i) => task(`t${i}`, taskStateSchemaValues[i % 11]!));
    const groups = groupTasks(many, noFilter);
    expect(boardGroups.reduce((n, g) => n + groups[g].length, 0)).toBe(2000);
  });
});

describe('retry', () => {
  it('asks for the same work on the same project, agent and options', async () => {
    const { retryOf } = await import('./retry.js');
    const failed = task('x', 'failed', { prompt: 'Fix it', agent: 'codex', review: false, budget_usd: 2 });
    expect(retryOf(failed)).toEqual({
      project: 'web',
      prompt: 'Fix it',
      agent: 'codex',
      review: false,
      budget_usd: 2,
    });
    expect(retryOf(task('y', 'cancelled', { kind: 'issue', issue: 7 }))).toEqual({
      project: 'web',
      issue: 7,
    });
  });
});
