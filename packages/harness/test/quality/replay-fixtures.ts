/**
 * Fixtures of the replay tests: a project with planted problems, a catalogue rule, drafts, and a
 * real SQLite store holding events shaped as threads/turn-service.ts and scans write them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newTask, type Artifact, type Draft } from '@harness/protocol';
import { makeRepo } from '@harness/testkit';
import { createLogger } from '../../src/core/index.js';
import type { Rule } from '../../src/guards/index.js';
import { EventLog } from '../../src/observe/index.js';
import { SqliteStore, type Store } from '../../src/store/index.js';

const dirs: string[] = [];
const stores: Store[] = [];
/** Closes the stores and removes the directories the fixtures made (call it in afterEach). */
export async function cleanup(): Promise<void> {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function temp(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** A project with three planted `console.log`s, a TODO guard and a policy that forbids `rm -rf`. */
export function plantedProject(): string {
  return makeRepo(path.join(temp('harness-replay-'), 'widgets'), {
    'src/a.ts': 'export const a = 1;\nconsole.log(a);\nconsole.log("again");\n',
    'src/b.ts': '// TODO tidy\nconsole.log("b");\n',
    'src/c.ts': 'export const c = 3;\n',
    '.harness/guards/todo.sh':
      'grep -rn "TODO" "$1/src" | while IFS=: read -r f l _; do echo "$f:$l:STY-01:a TODO left behind"; done\n',
    '.harness/policy/base.star': 'prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden")\n',
  });
}

export const consoleGuard =
  'grep -rn "console\\.log" "$1/src" | while IFS=: read -r f l _; do echo "$f:$l:TS-03:console.log left in"; done\n';

export const catalogue = new Map<string, Rule>([
  [
    'TS-03',
    {
      id: 'TS-03',
      title: 'No console.log',
      severity: 'low',
      category: 'stability',
      paths: [],
      description: 'Use the logger.',
      fixPattern: null,
      source: { file: 'builtin:typescript/quality.md', line: 3 },
    },
  ],
]);

export function draftOf(artifacts: Artifact[]): Draft {
  const at = '2026-12-01T10:00:00.000Z';
  return {
    id: 'draft_1',
    project: 'widgets',
    status: 'pending',
    signal: {
      id: 'sig_1',
      project: 'widgets',
      type: 'linter_violations',
      key: 'TS-03',
      strength: 6,
      threshold: 5,
      remediation: 'guard',
      summary: 'TS-03 found 6 times',
      details: {},
      evidence: { event_ids: [], event_count: 6, files: [], task_ids: [], first_seen: null, last_seen: null },
      detected_at: at,
    },
    artifacts,
    rationale: 'test',
    agent: 'claude',
    model: null,
    cost_usd: 0,
    replay: null,
    created_at: at,
    expires_at: at,
    decided_at: null,
    decided_by: null,
    reject_reason: null,
    task_id: null,
  };
}

export const file = (p: string, kind: Artifact['kind'], content: string): Artifact => ({
  path: p,
  kind,
  format: 'file',
  content,
});

export async function storeWithHistory(_root: string): Promise<{ store: Store; log: EventLog }> {
  const store = SqliteStore.open(temp('harness-replay-data-'));
  stores.push(store);
  const log = new EventLog(store, createLogger('silent'));
  const at = '2026-11-30T12:00:00.000Z';
  await store.tasks.enqueue(
    newTask({ id: 'task_w', project: 'widgets', kind: 'prompt', created_at: at }),
    100,
  );
  await store.tasks.enqueue(newTask({ id: 'task_o', project: 'other', kind: 'prompt', created_at: at }), 100);
  return { store, log };
}

/** What threads/turn-service.ts writes for an agent's `command_gate` and `command` events. */
export function gate(
  turn: string,
  task: string | null,
  command: string,
  decision: 'allow' | 'prompt' | 'forbidden',
) {
  return {
    kind: 'agent.command_gate',
    thread_id: `thr_${turn}`,
    turn_id: turn,
    task_id: task,
    tool: 'command',
    decision,
    data: { command, decision, reason: decision === 'allow' ? null : 'matched rm -rf' },
  };
}
export function ran(
  turn: string,
  task: string | null,
  command: string,
  status: 'completed' | 'failed' | 'declined' = 'completed',
) {
  return {
    kind: 'agent.command',
    thread_id: `thr_${turn}`,
    turn_id: turn,
    task_id: task,
    tool: 'command',
    decision: null,
    data: {
      call_id: `call_${command.length}`,
      command,
      exit_code: status === 'completed' ? 0 : 1,
      output: '',
      status,
    },
  };
}
