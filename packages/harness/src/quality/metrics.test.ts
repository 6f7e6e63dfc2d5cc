import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Clock, silentLogger } from '../core/index.js';
import type { Rule } from '../guards/index.js';
import { EventLog, queryStats } from '../observe/index.js';
import { SqliteStore } from '../store/index.js';
import { healthReport } from './health.js';
import { collectMetrics, gcIntervalSecs, projectGrades, qualityReport } from './metrics.js';
import type { SignalThresholds } from './signals/evaluate.js';

const clock: Clock = { now: () => new Date('2026-12-01T12:00:00Z') };
const thresholds: SignalThresholds = {
  repeated_warn_min: 3,
  chronic_block_min: 5,
  hot_file_edits_min: 20,
  slow_op_threshold_ms: 5000,
  slow_op_count_min: 10,
  escalation_ratio: 1.5,
  violation_min: 5,
  task_failure_min: 3,
  policy_denial_min: 5,
  validation_failure_min: 3,
  review_finding_min: 3,
  ci_failure_min: 3,
  changes_requested_min: 3,
};

function rule(id: string, severity: Rule['severity']): Rule {
  return {
    id,
    title: `${id} title`,
    severity,
    category: 'security',
    paths: [],
    description: '',
    fixPattern: null,
    source: { file: 'builtin', line: 1 },
  } as Rule;
}
const rules = new Map([
  ['SEC-01', rule('SEC-01', 'critical')],
  ['Q-01', rule('Q-01', 'low')],
]);

let root: string;
let store: SqliteStore;
let events: EventLog;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'harness-metrics-'));
  await mkdir(path.join(root, '.harness', 'guards'), { recursive: true });
  const guard = path.join(root, '.harness', 'guards', 'planted.sh');
  // Three planted problems: two critical (SEC-01), one low.
  await writeFile(
    guard,
    'echo "src/a.ts:3:SEC-01:eval() on input"\necho "src/b.ts:9:SEC-01:eval() on input"\necho "README.md:1:Q-01:todo left"\n',
  );
  await chmod(guard, 0o755);
  store = SqliteStore.open(':memory:');
  events = new EventLog(store, silentLogger, clock);
});
afterEach(async () => {
  await store.close();
  await rm(root, { recursive: true, force: true });
});

const collect = () =>
  collectMetrics({ store, events, clock, rules: async () => rules }, { name: 'web', root });

describe('metrics', () => {
  it('collect scans the project with its guards, stores the scan and grades it', async () => {
    const report = await collect();
    expect(report.scan).toMatchObject({
      finding_count: 3,
      by_rule: { 'SEC-01': 2, 'Q-01': 1 },
      problems: [],
    });
    expect(report.violations).toMatchObject({
      count: 3,
      by_severity: { critical: 2, high: 0, medium: 0, low: 1 },
      scan_id: report.scan.id,
    });
    // 4 events (1 scan + 3 findings), 2 of them blocks: stability 50, coverage 97.
    expect(report.events).toMatchObject({ total: 4, instability: 2 });
    expect(report.quality.dimensions).toEqual({
      security: 100,
      stability: 50,
      coverage: 97,
      performance: 100,
    });
    expect(report.quality).toMatchObject({ score: 84.4, grade: 'B' });
    expect(report.recommended_gc_interval_secs).toBe(gcIntervalSecs('B'));
    expect((await store.scans.latestFull('web'))?.trigger).toBe('metrics');
  });

  it('grades per project and over all of them', async () => {
    await collect();
    await events.append({ kind: 'hook', project: 'api', decision: 'pass' });
    const api = await qualityReport(store, 'api', {});
    expect(api).toMatchObject({ project: 'api', violations: { count: 0, scan_id: null } });
    expect(api.quality.grade).toBe('A');
    const all = await qualityReport(store, null, {}, ['web', 'api']);
    expect(all).toMatchObject({ project: null, events: { total: 5 }, violations: { count: 3 } });
    expect(await projectGrades(store, ['web', 'api'])).toEqual([
      { project: 'web', grade: 'B', score: 84.4, violations: 3 },
      { project: 'api', grade: 'A', score: 100, violations: 0 },
    ]);
    expect((await qualityReport(store, 'web', { until: '2000-01-01T00:00:00.000Z' })).events.total).toBe(0);
  });

  it('health: violations per rule, signals, events and concrete recommendations', async () => {
    await collect();
    for (let i = 0; i < 3; i++)
      await events.append({ kind: 'hook', project: 'web', decision: 'warn', reason: 'big write' });
    const report = await healthReport({ store, clock, thresholds }, 'web');
    expect(report.violation_summary).toEqual([
      { rule_id: 'SEC-01', count: 2, severity: 'critical' },
      { rule_id: 'Q-01', count: 1, severity: 'low' },
    ]);
    expect(report.signal_summary).toEqual([
      { type: 'repeated_warn', count: 1, last_detected: clock.now().toISOString() },
    ]);
    expect(report.event_summary).toEqual({ total: 7, pass: 1, warn: 4, block: 2, escalate: 0 });
    expect(report.recommendations).toEqual([
      'fix the 2 critical finding(s) of SEC-01 in src/a.ts, src/b.ts',
      'run harness gc run web: 1 signal(s) pending, the strongest: 3 warnings for "big write"',
    ]);
  });

  it('health of a project never scanned says so', async () => {
    const report = await healthReport({ store, clock, thresholds }, 'web');
    expect(report.violation_summary).toEqual([]);
    expect(report.recommendations[0]).toMatch(/^scan web: it has no full scan yet/);
  });

  it('stats: per rule, per kind and tool, and rule trends', async () => {
    await collect();
    await events.append({ kind: 'hook', project: 'api', tool: 'Bash', decision: 'block' });
    const stats = await queryStats(store, clock, { project: 'web', violations: 3 });
    expect(stats.project).toBe('web');
    expect(stats.rule_stats).toEqual([
      { rule_id: 'SEC-01', total: 2, block: 2, warn: 0, pass: 0, last_seen: clock.now().toISOString() },
      { rule_id: 'Q-01', total: 1, block: 0, warn: 0, pass: 1, last_seen: clock.now().toISOString() },
    ]);
    expect(stats.tool_stats.map((t) => [t.kind, t.tool, t.total])).toEqual([
      ['rule.finding', 'SEC-01', 2],
      ['rule.finding', 'Q-01', 1],
      ['rule.scan', 'rule-engine', 1],
    ]);
    expect(stats.quality.dimensions.coverage).toBe(97);
    expect(stats.rule_trends.filter((t) => t.count > 0).map((t) => [t.rule_id, t.count])).toEqual([
      ['SEC-01', 2],
      ['Q-01', 1],
    ]);
    expect((await queryStats(store, clock, {})).tool_stats.map((t) => t.tool)).toContain('Bash');
  });
});
