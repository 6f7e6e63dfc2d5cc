import { describe, expect, it } from 'vitest';
import { sampleDraft } from '@harness/testkit';
import type { Draft, ReplayReport } from '@harness/protocol';
import type { GcRunRecord } from '../../src/store/index.js';
import { backends, useStore } from './backends.js';
import { at, minutesAfter } from './fixtures.js';

const draft = (id: string, fields: Partial<Draft> = {}): Draft => ({
  ...sampleDraft(id, `.harness/guards/${id}`),
  ...fields,
});

const replay: ReplayReport = {
  replayed_at: at,
  tree: {
    findings: 1,
    files: 2,
    examples: [
      {
        rule_id: 'no-todo',
        severity: 'high',
        title: null,
        file: 'a.ts',
        line: 3,
        message: 'TODO',
        guard: 'g',
      },
    ],
  },
  history: {
    commands_checked: 10,
    commands_blocked: 1,
    command_examples: [{ event_id: 'e1', ts: at, task_id: null, command: 'rm -rf /', decision: 'forbidden' }],
    findings_explained: 0,
    finding_examples: [],
  },
  skipped: [{ path: 'skills/x.md', reason: 'a skill' }],
};

const run = (
  id: string,
  project: string,
  minute: number,
  fields: Partial<GcRunRecord> = {},
): GcRunRecord => ({
  id,
  project,
  status: 'running',
  trigger: 'schedule',
  owner: 'host/1/a',
  started_at: minutesAfter(minute),
  finished_at: null,
  signals: 0,
  drafts: 0,
  spent_usd: 0,
  errors: [],
  budget_exhausted: false,
  ...fields,
});

describe.each(backends)('GC drafts and runs ($name)', (backend) => {
  const db = useStore(backend);

  it('stores a draft whole and lists newest first, by project and status, at most `limit`', async () => {
    const drafts = db.store.gc.drafts;
    await drafts.insert(draft('d1', { created_at: minutesAfter(1) }));
    await drafts.insert(draft('d3', { created_at: minutesAfter(2), status: 'rejected' }));
    await drafts.insert(draft('d2', { created_at: minutesAfter(2) }));
    await drafts.insert(draft('w1', { created_at: minutesAfter(3), project: 'web' }));
    expect(await drafts.get('d1')).toEqual(draft('d1', { created_at: minutesAfter(1) }));
    expect(await drafts.get('none')).toBeNull();
    const ids = async (filter: { project?: string; status?: Draft['status']; limit?: number }) =>
      (await drafts.list({ limit: 10, ...filter })).map((d) => d.id);
    expect(await ids({})).toEqual(['w1', 'd3', 'd2', 'd1']);
    expect(await ids({ project: 'app', limit: 2 })).toEqual(['d3', 'd2']);
    expect(await ids({ project: 'app', status: 'pending' })).toEqual(['d2', 'd1']);
    await expect(drafts.insert(draft('d1'))).rejects.toThrow();
  });

  it('decides a draft only while it is still in the status the caller saw', async () => {
    const drafts = db.store.gc.drafts;
    await drafts.insert(draft('d1'));
    const decision = {
      status: 'rejected' as const,
      decided_at: minutesAfter(5),
      decided_by: 'rpc',
      reject_reason: 'noisy',
    };
    const decided = await drafts.decide('d1', 'pending', decision);
    expect(decided).toEqual({ ...draft('d1'), ...decision });
    expect(await drafts.get('d1')).toEqual(decided);
    expect(
      await drafts.decide('d1', 'pending', {
        status: 'adopted',
        decided_at: at,
        decided_by: 'x',
        task_id: 't',
      }),
    ).toBeNull();
    expect(await drafts.decide('none', 'pending', decision)).toBeNull();
    expect((await drafts.list({ limit: 5, status: 'rejected' })).map((d) => d.id)).toEqual(['d1']);
  });

  it("keeps a draft's replay report", async () => {
    await db.store.gc.drafts.insert(draft('d1'));
    expect(await db.store.gc.drafts.setReplay('d1', replay)).toEqual({ ...draft('d1'), replay });
    expect((await db.store.gc.drafts.get('d1'))?.replay).toEqual(replay);
    expect(await db.store.gc.drafts.setReplay('none', replay)).toBeNull();
  });

  it('expires pending drafts due at or before now, of one project or all, and returns them', async () => {
    const drafts = db.store.gc.drafts;
    await drafts.insert(draft('due', { expires_at: minutesAfter(5) }));
    await drafts.insert(draft('later', { expires_at: minutesAfter(6) }));
    await drafts.insert(draft('adopted', { expires_at: minutesAfter(1), status: 'adopted' }));
    await drafts.insert(draft('web', { expires_at: minutesAfter(1), project: 'web' }));
    const expired = await drafts.expire(minutesAfter(5), 'app');
    expect(expired).toEqual([
      {
        ...draft('due', { expires_at: minutesAfter(5) }),
        status: 'expired',
        decided_at: minutesAfter(5),
        decided_by: 'gc',
      },
    ]);
    expect(await drafts.get('due')).toEqual(expired[0]);
    expect((await drafts.expire(minutesAfter(9))).map((d) => d.id).sort()).toEqual(['later', 'web']);
    expect(await drafts.expire(minutesAfter(9))).toEqual([]);
    expect((await drafts.get('adopted'))?.status).toBe('adopted');
  });

  it('names the signals with a pending draft, and counts drafts by status', async () => {
    const drafts = db.store.gc.drafts;
    expect(await drafts.counts('app')).toEqual({ pending: 0, adopted: 0, rejected: 0, expired: 0 });
    await drafts.insert(draft('a'));
    await drafts.insert(draft('b', { signal: { ...draft('b').signal, id: 'sig_shared' } }));
    await drafts.insert(draft('c', { signal: { ...draft('c').signal, id: 'sig_shared' } }));
    await drafts.insert(draft('d', { status: 'rejected' }));
    await drafts.insert(draft('e', { project: 'web' }));
    expect([...(await drafts.pendingSignalIds('app'))].sort()).toEqual(['sig_a', 'sig_shared']);
    expect(await drafts.pendingSignalIds('none')).toEqual(new Set());
    expect(await drafts.counts('app')).toEqual({ pending: 3, adopted: 0, rejected: 1, expired: 0 });
  });

  it('starts one running run per project, and reads runs back whole', async () => {
    const runs = db.store.gc.runs;
    expect(await runs.start(run('r1', 'app', 1))).toBe(true);
    expect(await runs.start(run('r2', 'app', 2))).toBe(false);
    expect(await runs.start(run('w1', 'web', 2))).toBe(true);
    expect(await runs.get('r1')).toEqual(run('r1', 'app', 1));
    expect(await runs.get('r2')).toBeNull();
    expect(await runs.running('app')).toEqual(run('r1', 'app', 1));
    expect((await runs.listRunning()).map((r) => r.id).sort()).toEqual(['r1', 'w1']);
    await runs.update('r1', { status: 'finished', finished_at: minutesAfter(3) });
    expect(await runs.running('app')).toBeNull();
    expect(await runs.start(run('r3', 'app', 4))).toBe(true);
  });

  it('patches a run, errors and flags included', async () => {
    const runs = db.store.gc.runs;
    await runs.start(run('r1', 'app', 1));
    const patch = {
      status: 'failed' as const,
      finished_at: minutesAfter(2),
      signals: 3,
      drafts: 2,
      spent_usd: 0.125,
      errors: ['one', 'two'],
      budget_exhausted: true,
    };
    await runs.update('r1', patch);
    expect(await runs.get('r1')).toEqual({ ...run('r1', 'app', 1), ...patch });
    await runs.update('r1', {});
    expect(await runs.get('r1')).toEqual({ ...run('r1', 'app', 1), ...patch });
  });

  it("gives a project's latest run that is not running", async () => {
    const runs = db.store.gc.runs;
    expect(await runs.last('app')).toBeNull();
    await runs.start(run('old', 'app', 1, { status: 'finished' }));
    await runs.start(run('new', 'app', 5, { status: 'failed' }));
    await runs.start(run('mid', 'app', 3, { status: 'abandoned' }));
    await runs.start(run('now', 'app', 9));
    expect((await runs.last('app'))?.id).toBe('new');
  });

  it('abandons only a running run, noting why', async () => {
    const runs = db.store.gc.runs;
    await runs.start(run('r1', 'app', 1, { errors: ['earlier'] }));
    expect(await runs.abandon('r1', minutesAfter(4))).toBe(true);
    expect(await runs.get('r1')).toEqual({
      ...run('r1', 'app', 1),
      status: 'abandoned',
      finished_at: minutesAfter(4),
      errors: ['earlier', 'the server running it stopped before it finished'],
    });
    expect(await runs.abandon('r1', minutesAfter(5))).toBe(false);
    expect(await runs.abandon('none', minutesAfter(5))).toBe(false);
  });

  it("sums every project's spending since a time", async () => {
    const runs = db.store.gc.runs;
    expect(await runs.spentSince(at)).toBe(0);
    await runs.start(run('a', 'app', 1, { status: 'finished', spent_usd: 0.25 }));
    await runs.start(run('b', 'web', 2, { status: 'finished', spent_usd: 0.5 }));
    await runs.start(run('c', 'app', 3, { spent_usd: 0.125 }));
    expect(await runs.spentSince(minutesAfter(2))).toBe(0.625);
    expect(await runs.spentSince(at)).toBe(0.875);
  });
});
