import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTask, type Signal, type SignalType, type Task } from '@harness/protocol';
import type { Clock } from '../../core/index.js';
import { type NewEvent, SqliteStore } from '../../store/index.js';
import { detectSignals } from './detect.js';
import { type SignalThresholds, signalId } from './evaluate.js';

const thresholds: SignalThresholds = {
  repeated_warn_min: 4,
  chronic_block_min: 3,
  hot_file_edits_min: 3,
  slow_op_threshold_ms: 1000,
  slow_op_count_min: 3,
  escalation_ratio: 1.5,
  violation_min: 3,
  task_failure_min: 2,
  policy_denial_min: 3,
  validation_failure_min: 2,
  review_finding_min: 2,
  ci_failure_min: 2,
  changes_requested_min: 2,
};
const clock: Clock = { now: () => new Date('2026-12-01T12:00:00Z') };

let store: SqliteStore;
let n = 0;
beforeEach(() => {
  store = SqliteStore.open(':memory:');
  n = 0;
});
afterEach(() => store.close());

/** Appends `count` copies of an event of project `web`, one second apart. */
async function plant(count: number, event: Partial<NewEvent> & { kind: string }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    n += 1;
    const id = `evt_${String(n).padStart(6, '0')}`;
    const ts = new Date(Date.parse('2026-11-30T00:00:00Z') + n * 1000).toISOString();
    await store.events.append({ project: 'web', ...event, id, ts });
    ids.push(id);
  }
  return ids;
}

const detect = () => detectSignals(store, 'web', thresholds, clock);
const ofType = (signals: Signal[], type: SignalType) => signals.filter((s) => s.type === type);

/** Each case plants `at` matching events (the threshold) and checks one fewer raises nothing. */
const cases: {
  type: SignalType;
  at: number;
  event: Partial<NewEvent> & { kind: string };
  key: string;
  files?: string[];
}[] = [
  {
    type: 'repeated_warn',
    at: 4,
    event: { kind: 'hook.pre_tool_use', decision: 'warn', reason: 'large file write' },
    key: 'large file write',
  },
  {
    type: 'chronic_block',
    at: 3,
    event: { kind: 'hook.pre_tool_use', tool: 'Bash', decision: 'block', reason: 'x' },
    key: 'hook.pre_tool_use:Bash',
  },
  {
    type: 'hot_files',
    at: 3,
    event: {
      kind: 'agent.file_change',
      data: { path: '/data/worktrees/web/tsk_1/src/app.ts', kind: 'update' },
    },
    key: 'src/app.ts',
    files: ['src/app.ts'],
  },
  {
    type: 'slow_operations',
    at: 3,
    event: { kind: 'tool.used', tool: 'npm test', duration_ms: 1500 },
    key: 'npm test',
  },
  {
    type: 'slow_operations',
    at: 3,
    event: {
      kind: 'agent.command',
      tool: 'command',
      duration_ms: 1500,
      data: { command: 'cargo build --release', status: 'completed' },
    },
    key: 'command: cargo build',
  },
  {
    type: 'linter_violations',
    at: 3,
    event: {
      kind: 'rule.finding',
      tool: 'SEC-01',
      decision: 'block',
      data: { file: 'a.ts', line: 1, full: true },
    },
    key: 'SEC-01',
    files: ['a.ts'],
  },
  {
    type: 'task_failures',
    at: 2,
    event: {
      kind: 'task.finished',
      decision: 'block',
      task_id: 'tsk_a',
      data: { state: 'failed', error: { code: 'validation_failed', message: 'm' } },
    },
    key: 'validation_failed',
  },
  {
    type: 'policy_denials',
    at: 3,
    event: {
      kind: 'agent.command_gate',
      tool: 'command',
      decision: 'forbidden',
      reason: 'forbidden: `rm -rf build` matches prefix_rule `rm -rf` (policy.star:3): no deletes',
    },
    key: 'prefix_rule `rm -rf` (policy.star:3)',
  },
  {
    type: 'validation_failures',
    at: 2,
    event: {
      kind: 'task.validation',
      decision: 'block',
      data: {
        passed: false,
        commands: [
          { command: 'npm test', passed: false, exit_code: 1, timed_out: false },
          { command: 'npm run lint', passed: true, exit_code: 0, timed_out: false },
        ],
      },
    },
    key: 'npm test',
  },
  {
    type: 'ci_failures',
    at: 2,
    event: { kind: 'github.check_failed', decision: 'block', data: { check_name: 'build', pr_number: 4 } },
    key: 'build',
  },
  {
    type: 'changes_requested',
    at: 2,
    event: { kind: 'github.changes_requested', decision: 'block', data: { pr_number: 7 } },
    key: '7',
  },
];

describe('signal detectors', () => {
  it.each(cases)(
    '$type: raised at its threshold with its evidence',
    async ({ type, at, event, key, files }) => {
      const ids = await plant(at, event);
      const [signal] = ofType(await detect(), type);
      expect(signal).toMatchObject({ id: signalId('web', type, key), key, strength: at, project: 'web' });
      expect(signal?.evidence).toMatchObject({
        event_ids: ids,
        event_count: at,
        first_seen: '2026-11-30T00:00:01.000Z',
        last_seen: new Date(Date.parse('2026-11-30T00:00:00Z') + at * 1000).toISOString(),
        files: files ?? [],
      });
    },
  );

  it.each(cases)('$type: nothing just below its threshold', async ({ type, at, event }) => {
    await plant(at - 1, event);
    await plant(5, { kind: 'other', project: 'api', decision: 'block', tool: 'x' });
    expect(ofType(await detect(), type)).toEqual([]);
  });

  it('review_findings: findings that recur across tasks, read from the tasks’ rounds', async () => {
    const finding = (file: string, line: number) => ({
      file,
      line,
      severity: 'high' as const,
      message: `Missing error handling on line ${line}`,
    });
    for (const [id, file] of [
      ['tsk_r1', 'a.ts'],
      ['tsk_r2', 'b.ts'],
    ] as const) {
      await store.tasks.enqueue(reviewedTask(id, [finding(file, id === 'tsk_r1' ? 3 : 9)]), 10);
      await plant(1, {
        kind: 'task.review',
        task_id: id,
        decision: 'block',
        data: { round: 1, findings: 1 },
      });
      // One finding is below the threshold (2); the same one again, in another task, recurs.
      if (id === 'tsk_r1') expect(ofType(await detect(), 'review_findings')).toEqual([]);
    }
    const [signal] = ofType(await detect(), 'review_findings');
    expect(signal).toMatchObject({ key: 'missing error handling on line #', strength: 2 });
    expect(signal?.evidence).toMatchObject({ files: ['a.ts', 'b.ts'], task_ids: ['tsk_r1', 'tsk_r2'] });
  });

  it('warn_escalation: the warn rate of the second half against the first', async () => {
    await plant(10, { kind: 'hook', decision: 'pass' });
    await plant(1, { kind: 'hook', decision: 'warn', reason: 'w1' });
    await plant(10, { kind: 'hook', decision: 'pass' });
    const below = ofType(await detect(), 'warn_escalation');
    expect(below).toEqual([]);
    const warns = await plant(9, { kind: 'hook', decision: 'warn', reason: 'w2' });
    const [signal] = ofType(await detect(), 'warn_escalation');
    // 30 decisions: first 15 hold 1 warn, last 15 hold 9.
    expect(signal?.details).toMatchObject({ first_half_rate: 0.067, second_half_rate: 0.6, ratio: 9 });
    expect(signal?.evidence.event_count).toBe(10);
    expect(signal?.evidence.event_ids.slice(1)).toEqual(warns);
  });

  it('linter_violations: the findings of the latest scan of the whole project, not every scan summed', async () => {
    const scan = (files: string[] | null) => plant(1, { kind: 'rule.scan', data: { files } });
    const finding = (full: boolean) =>
      plant(1, { kind: 'rule.finding', tool: 'SEC-01', decision: 'block', data: { file: 'a.ts', full } });
    for (const full of [true, true, false]) {
      await scan(full ? null : ['a.ts']);
      for (let i = 0; i < 2; i++) await finding(full);
    }
    // Three scans found SEC-01 twice each: two is under the threshold (3), six would not be.
    expect(ofType(await detect(), 'linter_violations')).toEqual([]);
    await scan(null);
    const latest = [...(await finding(true)), ...(await finding(true)), ...(await finding(true))];
    const [signal] = ofType(await detect(), 'linter_violations');
    expect(signal?.evidence).toMatchObject({ event_ids: latest, event_count: 3 });
    await scan(null); // fixed: the next full scan finds nothing
    expect(ofType(await detect(), 'linter_violations')).toEqual([]);
  });

  it('keeps at most 50 event ids, the oldest', async () => {
    const ids = await plant(60, { kind: 'hook', decision: 'warn', reason: 'many' });
    const [signal] = ofType(await detect(), 'repeated_warn');
    expect(signal?.evidence.event_ids).toEqual(ids.slice(0, 50));
    expect(signal?.evidence.event_count).toBe(60);
  });

  it('recounts from the events kept once old events are purged', async () => {
    await plant(4, { kind: 'hook', decision: 'warn', reason: 'old' });
    expect(ofType(await detect(), 'repeated_warn')).toHaveLength(1);
    const kept = await plant(4, { kind: 'hook', decision: 'warn', reason: 'new' });
    expect(await store.events.purgeBefore('2026-11-30T00:00:04.500Z')).toBe(4);
    const signals = ofType(await detect(), 'repeated_warn');
    expect(signals.map((s) => [s.key, s.evidence.event_ids])).toEqual([['new', kept]]);
  });

  it('stores the signals and the checkpoint, and recounts when the slow threshold changes', async () => {
    await plant(3, { kind: 'tool.used', tool: 'build', duration_ms: 1500 });
    expect(ofType(await detect(), 'slow_operations')).toHaveLength(1);
    expect((await store.signals.list({ project: 'web' })).map((s) => s.type)).toContain('slow_operations');
    const stricter = { ...thresholds, slow_op_threshold_ms: 2000 };
    expect(ofType(await detectSignals(store, 'web', stricter, clock), 'slow_operations')).toEqual([]);
    expect(await store.signals.list({ project: 'web' })).toEqual([]);
  });
});

function reviewedTask(
  id: string,
  findings: { file: string; line: number; severity: 'high'; message: string }[],
): Task {
  const at = clock.now().toISOString();
  const rounds = [
    { round: 1, reviewer: 'codex', verdict: 'changes_requested' as const, summary: 's', findings, at },
  ];
  return {
    ...newTask({ id, project: 'web', kind: 'prompt', prompt: 'x', state: 'queued', created_at: at }),
    rounds,
  };
}
