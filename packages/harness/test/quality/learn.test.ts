import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { newTask, type ReviewRound, type Task } from '@harness/protocol';
import {
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  type ScriptedAnthropicServer,
  type ScriptTurn,
} from '@harness/testkit';
import { ClaudeAdapter } from '../../src/agents/index.js';
import { createLogger } from '../../src/core/index.js';
import { EventLog } from '../../src/observe/index.js';
import { fencedFiles, learn, NO_LESSONS, readOnlyAgent } from '../../src/quality/index.js';
import { SqliteStore, type Store } from '../../src/store/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  git,
  hasClaude,
  limits,
  makeRepo,
  spec,
  tempDir,
} from '../agents/helpers.js';

const servers: ScriptedAnthropicServer[] = [];
const stores: Store[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});
afterAll(() => cleanupTempDirs());

const at = (minute: number) => `2026-11-20T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** A store holding what the pipeline leaves behind: tasks, their `task.finished` and `task.review` events. */
async function history(tasks: Partial<Task>[]): Promise<{ store: Store; log: EventLog }> {
  const store = SqliteStore.open(tempDir('learn-data'));
  stores.push(store);
  const log = new EventLog(store, createLogger('silent'));
  for (const [i, init] of tasks.entries()) {
    const task = newTask({
      id: `task_${i}`,
      project: 'widgets',
      kind: 'prompt',
      created_at: at(i),
      finished_at: at(i + 1),
      ...init,
    });
    // Stored as the pipeline left it: finished.
    await store.tasks.enqueue(task, 1000);
    if (init.state === 'failed')
      await log.append({
        kind: 'task.finished',
        task_id: task.id,
        decision: 'block',
        reason: init.error?.message ?? null,
        data: { state: 'failed', error: init.error, score: null, grade: null, cost_usd: 0.1 },
      });
    for (const round of init.rounds ?? [])
      await log.append({
        kind: 'task.review',
        task_id: task.id,
        decision: round.verdict === 'approve' ? 'pass' : 'block',
        data: { round: round.round, verdict: round.verdict, findings: round.findings.length },
      });
  }
  return { store, log };
}

const failed = (message: string): Partial<Task> => ({
  state: 'failed',
  prompt: 'add the export',
  error: { code: 'validation_failed', message },
});
const reviewed = (message: string, file: string): Partial<Task> => ({
  state: 'done',
  prompt: 'fix the parser',
  rounds: [
    {
      round: 1,
      reviewer: 'codex',
      verdict: 'changes_requested',
      summary: 'needs work',
      findings: [{ file, line: 3, severity: 'high', message }],
      at: at(30),
    } satisfies ReviewRound,
  ],
});

const ruleAnswer = [
  'The failures all come from the type check after an export is added without its type.',
  '```markdown .harness/rules/learned-exports.md',
  '---',
  'paths: "src/**/*.ts"',
  '---',
  '# Learned',
  '## LRN-01: Exported functions declare their return type (high)',
  'Declare the return type of every exported function; `tsc` fails otherwise.',
  '```',
  'And a guard that finds them:',
  '```bash .harness/guards/lrn-01.sh',
  'grep -rn "^export function [a-z]*()\\s*{" "$1/src" | while IFS=: read -r f l _; do echo "$f:$l:LRN-01:no return type"; done',
  '```',
  '```bash ../outside.sh',
  'echo refused',
  '```',
].join('\n');

describe('learn', () => {
  it('asks no agent and says why when the project has nothing to learn from', async () => {
    const { store } = await history([failed('tsc failed: 3 errors'), { state: 'done' }]);
    const result = await learn('rules', {
      project: { name: 'widgets', root: makeRepo() },
      store,
      agent: () => Promise.reject(new Error('no agent may be asked without a lesson')),
    });
    expect(result).toEqual({ project: 'widgets', drafts: [], cost_usd: 0, errors: [], reason: NO_LESSONS });
  });

  it.skipIf(!hasClaude)(
    'turns recurring failures into a pending rule draft through Claude Code, with evidence and replay',
    async () => {
      const root = makeRepo();
      writeFileSync(path.join(root, 'README.md'), 'export function typed(): number {\n');
      mkdirSync(path.join(root, 'src'));
      writeFileSync(path.join(root, 'src', 'a.ts'), 'export function untyped() {\n  return 1;\n}\n');
      git(root, 'add', '-A');
      git(root, 'commit', '-qm', 'planted');
      const { store } = await history([
        failed('tsc failed: 3 errors'),
        failed('tsc failed: 12 errors'),
        reviewed('the TODO marker must go before merging', 'src/p.ts'),
        reviewed('The TODO marker must go before merging', 'src/q.ts'),
        { state: 'done' },
      ]);
      const server = await startScriptedAnthropicServer([
        { text: ruleAnswer },
        { text: 'Nothing worth a rule here.' },
      ] satisfies ScriptTurn[]);
      servers.push(server);
      const adapter = new ClaudeAdapter({
        cliPath: claudeBin,
        home: tempDir('claude-home'),
        env: scriptedClaudeEnv(server.baseUrl),
      });
      const saved: string[] = [];
      const result = await learn('rules', {
        project: { name: 'widgets', root },
        store,
        agent: async () =>
          readOnlyAgent(adapter, { cwd: root, sandbox: spec(root, 'read-only'), limits, model: null }),
        saveDraft: async (draft) => {
          saved.push(draft.id);
        },
      });
      expect(result.errors).toEqual([
        {
          key: 'the todo marker must go before merging',
          message: expect.stringContaining('proposed no file'),
        },
      ]);
      expect(result.drafts).toHaveLength(1);
      const [draft] = result.drafts;
      expect(saved).toEqual([draft?.id]);
      expect(draft).toMatchObject({
        project: 'widgets',
        status: 'pending',
        agent: 'claude',
        signal: {
          type: 'task_failures',
          key: 'validation_failed: tsc failed: N errors',
          remediation: 'rule',
          evidence: { event_count: 2, task_ids: ['task_0', 'task_1'] },
        },
      });
      expect(draft?.signal.evidence.event_ids).toHaveLength(2);
      expect(draft?.cost_usd).toBeGreaterThan(0);
      expect(draft?.artifacts.map((a) => [a.path, a.kind])).toEqual([
        ['.harness/rules/learned-exports.md', 'rule'],
        ['.harness/guards/lrn-01.sh', 'guard'],
      ]);
      // The draft was tried on the tree, and nothing was written to the project.
      expect(draft?.replay?.skipped).toEqual([]);
      expect(draft?.replay?.tree).toMatchObject({
        findings: 1,
        examples: [{ rule_id: 'LRN-01', file: 'src/a.ts', line: 1, severity: 'high' }],
      });
      expect(git(root, 'status', '--porcelain')).toBe('');
      // The agent saw the evidence.
      const prompt = JSON.stringify(server.script.requests.find((r) => r.turn === 0)?.body);
      expect(prompt).toContain('validation_failed');
      expect(prompt).toContain('task_0');
    },
    120_000,
  );
});

describe.skipIf(!hasClaude)('learn/skills through Claude Code', () => {
  it('drafts a skill, then stops drafting once the run budget is spent and says so', async () => {
    const root = makeRepo();
    const { store } = await history([
      failed('tsc failed: 3 errors'),
      failed('tsc failed: 4 errors'),
      reviewed('missing test for the new branch', 'src/p.ts'),
      reviewed('Missing test for the new branch', 'src/q.ts'),
    ]);
    const skill = [
      '````markdown .harness/skills/typecheck-first/SKILL.md',
      '---',
      'name: typecheck-first',
      'description: Run the type check before declaring work done',
      '---',
      '1. Run `npx tsc --noEmit`.',
      '```bash',
      'npx tsc --noEmit',
      '```',
      '````',
    ].join('\n');
    const server = await startScriptedAnthropicServer([{ text: skill }, { text: 'never asked' }]);
    servers.push(server);
    const adapter = new ClaudeAdapter({
      cliPath: claudeBin,
      home: tempDir('claude-home'),
      env: scriptedClaudeEnv(server.baseUrl),
    });
    const result = await learn('skills', {
      project: { name: 'widgets', root },
      store,
      agent: async () => readOnlyAgent(adapter, { cwd: root, sandbox: spec(root, 'read-only'), limits }),
      // Room for one draft's budget, not two: the second lesson is reported, not drafted.
      budgetUsd: 0.01,
      totalBudgetUsd: 0.0101,
    });
    expect(result.drafts).toHaveLength(1);
    expect(result.cost_usd).toBe(result.drafts[0]?.cost_usd);
    expect(result.cost_usd).toBeGreaterThan(0);
    expect(result.drafts[0]?.signal).toMatchObject({ type: 'task_failures', remediation: 'skill' });
    expect(result.drafts[0]?.artifacts).toEqual([
      expect.objectContaining({ path: '.harness/skills/typecheck-first/SKILL.md', kind: 'skill' }),
    ]);
    expect(result.drafts[0]?.artifacts[0]?.content).toContain('```bash\nnpx tsc --noEmit\n```\n');
    expect(result.drafts[0]?.replay?.skipped).toEqual([
      {
        path: '.harness/skills/typecheck-first/SKILL.md',
        reason: expect.stringMatching(/^not replayable: a skill/),
      },
    ]);
    expect(result.errors).toEqual([
      {
        key: 'missing test for the new branch',
        message: 'not drafted: the $0.0101 budget of this run is spent',
      },
    ]);
    expect(server.script.requests.filter((r) => r.turn !== null)).toHaveLength(1);
  }, 120_000);
});

describe.skipIf(!hasClaude)('learning from adopted drafts', () => {
  it('proposes a rule for what an adopted guard catches, citing that draft and its evidence', async () => {
    const root = makeRepo();
    const { store } = await history([]);
    const evidence = {
      event_ids: ['evt_1', 'evt_2'],
      event_count: 7,
      files: ['src/a.ts'],
      task_ids: [],
      first_seen: at(1),
      last_seen: at(9),
    };
    const adopted = {
      id: 'draft_guard',
      project: 'widgets',
      status: 'adopted' as const,
      signal: {
        id: 'sig_lint',
        project: 'widgets',
        type: 'linter_violations' as const,
        key: 'TS-03',
        strength: 7,
        threshold: 5,
        remediation: 'guard' as const,
        summary: 'TS-03 found 7 times',
        details: {},
        evidence,
        detected_at: at(10),
      },
      artifacts: [
        {
          path: '.harness/guards/ts-03.sh',
          kind: 'guard' as const,
          format: 'file' as const,
          content: 'grep -rn "console.log" "$1/src" | sed "s/$/:TS-03:console.log/"\n',
        },
      ],
      rationale: 'console.log keeps coming back',
      agent: 'claude',
      model: null,
      cost_usd: 0.2,
      replay: null,
      created_at: at(10),
      expires_at: at(50),
      decided_at: at(20),
      decided_by: 'operator',
      reject_reason: null,
      task_id: null,
    };
    const server = await startScriptedAnthropicServer([
      {
        text: '```markdown .harness/rules/console.md\n## TS-03: No console.log in shipped code (medium)\nUse the logger.\n```',
      },
    ]);
    servers.push(server);
    const adapter = new ClaudeAdapter({
      cliPath: claudeBin,
      home: tempDir('claude-home'),
      env: scriptedClaudeEnv(server.baseUrl),
    });
    const result = await learn('rules', {
      project: { name: 'widgets', root },
      store,
      agent: async () => readOnlyAgent(adapter, { cwd: root, sandbox: spec(root, 'read-only'), limits }),
      // A pending draft teaches nothing yet.
      adoptedDrafts: async () => [adopted, { ...adopted, id: 'draft_pending', status: 'pending' as const }],
    });
    expect(result.errors).toEqual([]);
    expect(result.drafts).toHaveLength(1);
    expect(result.drafts[0]?.signal).toMatchObject({
      type: 'linter_violations',
      key: 'adopted:draft_guard',
      remediation: 'rule',
      evidence,
    });
    const prompt = JSON.stringify(server.script.requests.find((r) => r.turn === 0)?.body);
    expect(prompt).toContain('.harness/guards/ts-03.sh');
    expect(prompt).not.toContain('draft_pending');
  }, 120_000);
});

describe('fencedFiles', () => {
  it('keeps nested fences inside a file and refuses paths outside the allowed places', () => {
    const text = [
      '````markdown .harness/skills/edit/SKILL.md',
      '# Editing',
      '```bash',
      'npm test',
      '```',
      '````',
      '```python src/x.py',
      'print(1)',
      '```',
    ].join('\n');
    const found = fencedFiles(text, [{ prefix: '.harness/skills/', kind: 'skill' }]);
    expect(found.artifacts).toEqual([
      {
        path: '.harness/skills/edit/SKILL.md',
        kind: 'skill',
        format: 'file',
        content: '# Editing\n```bash\nnpm test\n```\n',
      },
    ]);
    expect(found.refused).toEqual(['src/x.py']);
    expect(path.isAbsolute(found.artifacts[0]?.path ?? '/')).toBe(false);
  });
});
