/**
 * GC runs on a real SQLite store and a real git project, with signals built by hand and an
 * in-process drafter: ordering, max_drafts_per_run (server and overlay), pending signals skipped,
 * no artifact ⇒ no draft, the total budget stopping a run mid-way and the next one entirely,
 * one run per project, a crashed run recovered, replay stored on the draft.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReplayReport } from '@harness/protocol';
import { eventually } from '@harness/testkit';
import {
  type GcFixture,
  ScriptedDrafter,
  gcFixture,
  guardAnswer,
  signal,
  writeOverlay,
} from './gc-fixture.js';

let fx: GcFixture;
afterEach(() => fx.close());

const replayReport: ReplayReport = {
  replayed_at: '2026-03-01T12:00:00.000Z',
  tree: { findings: 2, files: 1, examples: [] },
  history: {
    commands_checked: 10,
    commands_blocked: 3,
    command_examples: [],
    findings_explained: 4,
    finding_examples: [],
  },
  skipped: [],
};

describe('GcService.run', () => {
  it('drafts the strongest signals first (ties by type), stores each draft with its replay, and records every step', async () => {
    const drafter = new ScriptedDrafter([guardAnswer('first'), guardAnswer('second'), guardAnswer('third')]);
    const replayed: string[] = [];
    fx = gcFixture({
      drafter,
      signals: [
        signal('repeated_warn', 'W1', 7),
        signal('hot_files', 'src/a.ts', 30),
        signal('chronic_block', 'B1', 7),
      ],
      replay: async (draft) => {
        replayed.push(draft.signal.key);
        return replayReport;
      },
    });
    const report = await fx.gc.run(undefined);
    expect(report.drafts.map((d) => d.signal.key)).toEqual(['src/a.ts', 'B1', 'W1']);
    expect(replayed).toEqual(['src/a.ts', 'B1', 'W1']);
    const first = report.drafts[0];
    expect(first).toMatchObject({
      project: 'app',
      status: 'pending',
      agent: 'claude',
      model: 'scripted',
      cost_usd: 0.1,
      rationale: 'A guard for it.',
      replay: replayReport,
      expires_at: '2026-03-04T12:00:00.000Z',
      artifacts: [{ path: '.harness/guards/first.sh', kind: 'guard', format: 'file' }],
    });
    expect(drafter.asked[0]?.prompt).toContain('Summary: hot_files on src/a.ts: 30 times');
    expect(drafter.asked[0]?.prompt).toContain('evt_1, evt_2');
    expect(drafter.asked[0]?.budgetUsd).toBe(0.5);
    expect(await fx.gc.drafts({ project: 'app', status: 'pending', limit: 10 })).toHaveLength(3);
    expect((await fx.store.gc.drafts.get(first?.id ?? ''))?.replay).toEqual(replayReport);
    expect(report.budget).toEqual({
      spent_usd: 0.3,
      total_usd: 5,
      window_hours: 24,
      remaining_usd: 4.7,
      exhausted: false,
    });
    const kinds = await fx.kinds();
    expect(kinds[0]).toBe('gc.run_started');
    expect(kinds.filter((k) => k === 'gc.signal')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'gc.draft_created')).toHaveLength(3);
    expect(kinds.at(-1)).toBe('gc.run_finished');
    const status = await fx.gc.status(undefined);
    expect(status).toMatchObject({ project: 'app', running: false, drafts: { pending: 3, adopted: 0 } });
    expect(status.last_run).toMatchObject({ status: 'finished', signals: 3, drafts: 3, spent_usd: 0.3 });
  });

  it('skips signals with a pending draft and keeps to max_drafts_per_run, the overlay over the server', async () => {
    const drafter = new ScriptedDrafter([guardAnswer('g')]);
    const signals = [
      signal('repeated_warn', 'A', 9),
      signal('repeated_warn', 'B', 8),
      signal('repeated_warn', 'C', 7),
    ];
    fx = gcFixture({ drafter, signals, settings: { max_drafts_per_run: 1 } });
    const first = await fx.gc.run(undefined);
    expect(first.drafts.map((d) => d.signal.key)).toEqual(['A']);
    expect(first.skipped).toEqual([
      { signal_id: 'sig_repeated_warn_B', reason: 'over max_drafts_per_run (1)' },
      { signal_id: 'sig_repeated_warn_C', reason: 'over max_drafts_per_run (1)' },
    ]);
    writeOverlay(fx.root, '[gc]\nmax_drafts_per_run = 5\n');
    const second = await fx.gc.run(undefined);
    expect(second.drafts.map((d) => d.signal.key)).toEqual(['B', 'C']);
    expect(second.skipped).toEqual([
      { signal_id: 'sig_repeated_warn_A', reason: 'a pending draft exists for it' },
    ]);
  });

  it('makes no draft from an answer without artifacts, and says which signal', async () => {
    fx = gcFixture({
      drafter: new ScriptedDrafter(['I suggest adding a guard.']),
      signals: [signal('task_failures', 'timeout', 6)],
    });
    const report = await fx.gc.run(undefined);
    expect(report.drafts).toEqual([]);
    expect(report.errors).toEqual([
      {
        signal_id: 'sig_task_failures_timeout',
        signal_type: 'task_failures',
        message:
          "signal task_failures (timeout): no draft: the agent's answer held no artifact (a fenced block with a path, or a unified diff)",
      },
    ]);
    expect(await fx.store.gc.drafts.list({ limit: 10 })).toEqual([]);
    expect((await fx.gc.status(undefined)).last_run?.spent_usd).toBe(0.1);
  });
});

describe('budgets that hold', () => {
  it('stops drafting mid-run once the next draft would not fit the total, and says so', async () => {
    // Each draft may spend its whole per-signal budget (1.0): with 1.5 in total, one fits, a second does not.
    const drafter = new ScriptedDrafter([guardAnswer('g')], 1.0);
    const signals = [
      signal('chronic_block', 'A', 9),
      signal('chronic_block', 'B', 8),
      signal('chronic_block', 'C', 7),
    ];
    fx = gcFixture({ drafter, signals, settings: { budget_per_signal_usd: 1, total_budget_usd: 1.5 } });
    const report = await fx.gc.run(undefined);
    expect(drafter.asked).toHaveLength(1);
    expect(report.drafts.map((d) => d.signal.key)).toEqual(['A']);
    expect(report.signals).toHaveLength(3);
    expect(report.skipped.map((s) => s.reason)).toEqual([
      'the total budget is spent: detected, not drafted',
      'the total budget is spent: detected, not drafted',
    ]);
    expect(report.budget).toEqual({
      spent_usd: 1,
      total_usd: 1.5,
      window_hours: 24,
      remaining_usd: 0.5,
      exhausted: true,
    });
    expect((await fx.kinds()).filter((k) => k === 'gc.budget_exhausted')).toHaveLength(1);
    expect((await fx.gc.status(undefined)).last_run?.budget_exhausted).toBe(true);

    // The next run, inside the window, detects and reports but drafts nothing.
    const next = await fx.gc.run(undefined);
    expect(drafter.asked).toHaveLength(1);
    expect(next.signals).toHaveLength(3);
    expect(next.drafts).toEqual([]);
    expect(next.budget.exhausted).toBe(true);

    // Once the window has passed, the spend no longer counts.
    fx.clock.advanceHours(25);
    const later = await fx.gc.run(undefined);
    expect(drafter.asked).toHaveLength(2);
    expect(later.drafts.map((d) => d.signal.key)).toEqual(['B']);
  });

  it('drafts nothing with a zero budget', async () => {
    const drafter = new ScriptedDrafter([guardAnswer('g')]);
    fx = gcFixture({ drafter, signals: [signal('hot_files', 'x', 40)], settings: { total_budget_usd: 0 } });
    const report = await fx.gc.run(undefined);
    expect(drafter.asked).toEqual([]);
    expect(report.budget.exhausted).toBe(true);
  });
});

describe('one run per project', () => {
  it('refuses a second run of the same project while one is in flight', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const drafter = new ScriptedDrafter([guardAnswer('g')]);
    const slow = { draft: async (r: Parameters<typeof drafter.draft>[0]) => (await gate, drafter.draft(r)) };
    fx = gcFixture({ drafter: slow, signals: [signal('hot_files', 'x', 40)] });
    const first = fx.gc.run(undefined);
    await expect(fx.gc.run(undefined)).rejects.toThrow('GC is already running for project app');
    await expect(fx.gc.start(undefined)).rejects.toThrow('GC is already running for project app');
    expect((await fx.gc.status(undefined)).running).toBe(true);
    release();
    expect((await first).drafts).toHaveLength(1);
  });

  it('starts a run in the background, answering once it is recorded', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const drafter = new ScriptedDrafter([guardAnswer('g')]);
    const slow = { draft: async (r: Parameters<typeof drafter.draft>[0]) => (await gate, drafter.draft(r)) };
    fx = gcFixture({ drafter: slow, signals: [signal('hot_files', 'x', 40)] });
    const started = await fx.gc.start(undefined);
    expect(started).toEqual({ run_id: expect.stringMatching(/^gcrun_/), project: 'app' });
    expect(await fx.store.gc.runs.get(started.run_id)).toMatchObject({
      status: 'running',
      trigger: 'manual',
    });
    release();
    const done = await eventually(
      () => fx.gc.status(undefined),
      (s) => !s.running,
    );
    expect(done.last_run).toMatchObject({ id: started.run_id, status: 'finished', drafts: 1 });
  });

  it('recovers a run a crashed server left running, and refuses one a live server holds', async () => {
    fx = gcFixture({ drafter: new ScriptedDrafter([guardAnswer('g')]), signals: [] });
    const crashed = { id: 'gcrun_dead', owner: 'no-such-host/1/x' };
    await fx.store.gc.runs.start({
      ...crashed,
      project: 'app',
      status: 'running',
      trigger: 'schedule',
      started_at: '2026-03-01T11:00:00.000Z',
      finished_at: null,
      signals: 0,
      drafts: 0,
      spent_usd: 0,
      errors: [],
      budget_exhausted: false,
    });
    // Another host's run cannot be checked: it is presumed alive.
    await expect(fx.gc.run(undefined)).rejects.toThrow(
      /already running for project app \(run gcrun_dead by no-such-host/,
    );
    expect(await fx.gc.recover()).toBe(0);
    // The same host, a process that is gone: cut off by a crash.
    const { hostname } = await import('node:os');
    await fx.store.gc.runs.update('gcrun_dead', { status: 'finished' });
    await fx.store.gc.runs.start({
      ...(await fx.store.gc.runs.get('gcrun_dead'))!,
      id: 'gcrun_gone',
      owner: `${hostname()}/999999999/x`,
      status: 'running',
    });
    expect(await fx.gc.recover()).toBe(1);
    expect(await fx.store.gc.runs.get('gcrun_gone')).toMatchObject({
      status: 'abandoned',
      errors: ['the server running it stopped before it finished'],
    });
    expect((await fx.gc.run(undefined)).signals).toEqual([]);
  });
});
