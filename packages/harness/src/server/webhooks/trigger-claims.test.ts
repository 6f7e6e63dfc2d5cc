import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Task } from '@harness/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type Clock } from '../../core/index.js';
import { SqliteStore } from '../../store/index.js';
import { TriggerClaims, webhookTaskSource } from './trigger-claims.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function openStore(): SqliteStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-claims-'));
  dirs.push(dir);
  return SqliteStore.open(dir);
}

const clock: Clock = { now: () => new Date('2026-01-01T00:00:00.000Z') };

function queuedTask(id: string, externalId: string): Task {
  const now = clock.now().toISOString();
  return {
    id,
    project: 'widgets',
    kind: 'issue',
    prompt: null,
    issue: 42,
    pr: null,
    description: null,
    agent: null,
    reviewer: null,
    review: true,
    budget_usd: null,
    priority: 0,
    state: 'queued',
    branch: null,
    worktree: null,
    pr_url: null,
    pr_number: null,
    deliver: null,
    delivery: null,
    commit_sha: null,
    base_commit: null,
    rounds: [],
    validation_attempts: 0,
    cost_usd: 0,
    score: null,
    grade: null,
    error: null,
    source: webhookTaskSource,
    external_id: externalId,
    created_at: now,
    updated_at: now,
    started_at: null,
    finished_at: null,
  };
}

describe('TriggerClaims.recover (what a crash between claim and task leaves)', () => {
  it('records the task a claim did start, releases one that started none, forgets unsettled deliveries', async () => {
    const store = openStore();
    const claims = new TriggerClaims(store, clock);
    // Cut off after the task was created but before the claim recorded it.
    expect((await claims.claim('issue_comment:1:10', 'd-created')).claimed).toBe(true);
    await store.tasks.enqueue(queuedTask('task_created', 'issue_comment:1:10'), 100);
    // Cut off before the task was created.
    expect((await claims.claim('issue_comment:1:11', 'd-lost')).claimed).toBe(true);
    await store.webhookDeliveries.insert({
      id: 'd-lost',
      event: 'issue_comment',
      received_at: '2025-12-31T23:59:00.000Z',
    });
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('info', sink);

    expect(await claims.recover(logger)).toBe(2);

    expect(await store.webhookTriggers.get('issue_comment:1:10')).toMatchObject({ task_id: 'task_created' });
    expect(await store.webhookTriggers.get('issue_comment:1:11')).toBeNull();
    expect(await store.webhookDeliveries.get('d-lost')).toBeNull();
    // The comment whose task was never created can start it now; the other cannot start a second.
    expect((await claims.claim('issue_comment:1:11', 'd-redelivered')).claimed).toBe(true);
    expect((await claims.claim('issue_comment:1:10', 'd-redelivered')).claimed).toBe(false);
    expect(lines.some((line) => line.includes('webhook work cut off by the last shutdown recovered'))).toBe(
      true,
    );
    await store.close();
  });
});
