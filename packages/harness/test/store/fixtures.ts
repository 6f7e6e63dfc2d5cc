import { type Task, type TaskState, type Thread, type Turn, newTask } from '@harness/protocol';
import type { ClaimRequest, Store } from '../../src/store/index.js';

/** Rows for the contract tests: each whole, with every nullable and JSON field set, so a round trip shows loss. */

export const at = '2026-01-01T00:00:00.000Z';

/** An ISO time `minutes` after `at`. */
export const minutesAfter = (minutes: number): string =>
  new Date(Date.parse(at) + minutes * 60_000).toISOString();

export const thread = (id: string, createdAt = at, overrides: Partial<Thread> = {}): Thread => ({
  id,
  project_root: '/srv/app',
  agent: null,
  title: null,
  status: 'idle',
  native_session_id: null,
  parent_thread_id: null,
  metadata: { n: id, nested: { list: [1, 'two', null, true] } },
  turn_count: 0,
  created_at: createdAt,
  updated_at: createdAt,
  ...overrides,
});

export const turn = (id: string, threadId: string, seq: number, overrides: Partial<Turn> = {}): Turn => ({
  id,
  thread_id: threadId,
  seq,
  status: 'completed',
  input: `turn ${seq} — ünïcode ✓`,
  agent: 'claude',
  items: [{ type: 'agent_message', text: `answer ${seq}` }],
  usage: { input_tokens: 1, output_tokens: 2, cache_read_tokens: 3, cache_write_tokens: 4, cost_usd: 0.01 },
  error: null,
  started_at: minutesAfter(seq),
  completed_at: minutesAfter(seq + 1),
  ...overrides,
});

export const task = (id: string, overrides: Partial<Task> = {}): Task =>
  newTask({ id, project: 'app', kind: 'prompt', prompt: `do ${id}`, created_at: at, ...overrides });

/** A task with every field set to something other than its starting value. */
export const fullTask = (id: string): Task =>
  task(id, {
    kind: 'issue',
    prompt: 'fix it',
    issue: 12,
    pr: 34,
    description: 'a description',
    agent: 'codex',
    reviewer: 'claude',
    review: false,
    budget_usd: 2.5,
    priority: 3,
    branch: 'harness/x',
    worktree: '/srv/wt/x',
    pr_url: 'https://github.com/o/r/pull/34',
    pr_number: 34,
    deliver: 'pull_request',
    delivery: 'branch',
    commit_sha: 'abc123',
    base_commit: 'def456',
    rounds: [
      {
        round: 1,
        reviewer: 'claude',
        verdict: 'changes_requested',
        summary: 'one finding',
        findings: [{ file: 'a.ts', line: 3, severity: 'high', message: 'bad' }],
        at,
        challenger: 'codex',
        contested: [],
      },
    ],
    validation_attempts: 2,
    cost_usd: 0.75,
    score: 88.5,
    grade: 'B',
    error: { code: 'agent_failed', message: 'it broke' },
    pending_approval: {
      command: 'rm -rf build',
      reason: 'policy.star:3',
      stage: 'implementing',
      role: 'implementor',
      thread_id: 'th_1',
      asked_at: at,
    },
    approvals: [
      {
        command: 'npm publish',
        reason: null,
        stage: 'fixing',
        role: 'reviewer',
        thread_id: null,
        asked_at: at,
        decision: 'deny',
        note: 'no',
        decided_by: 'rpc',
        decided_at: at,
        used: false,
        delivered: true,
      },
    ],
    source: 'github',
    external_id: 'issue:12',
    updated_at: minutesAfter(5),
    started_at: minutesAfter(1),
    finished_at: null,
    routing: { complexity: 'complex', agent: 'codex', model: null, reason: 'long' },
    plan: {
      plan_id: 'p1',
      path: '.agent/plans/p1.md',
      title: 'The plan',
      status: 'active',
      progress: { done: 1, total: 3 },
      updated_at: at,
      markdown: '# The plan\n\n- [x] one\n',
    },
    preflight: {
      agent: 'claude',
      constraints: ['keep the API'],
      affected_files: ['src/a.ts'],
      risk: 'medium',
      complexity: 'simple',
      summary: 'small',
      baseline: { scan_id: 'scan1', started_at: at, finding_count: 2, by_severity: { high: 2 }, ran: false },
      cost_usd: 0.01,
      at,
    },
  });

/** A claim with room for everything unless the test names limits. */
export const claimRequest = (owner: string, overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  owner,
  expires_at: minutesAfter(10),
  now: at,
  globalLimit: 1000,
  projectLimits: {},
  defaultProjectLimit: 1000,
  ...overrides,
});

/** Stores a task already in `state` (enqueue writes the state it is given). */
export async function storedTask(store: Store, id: string, state: TaskState, overrides: Partial<Task> = {}) {
  return store.tasks.enqueue(task(id, { ...overrides, state }), 1_000_000);
}
