/**
 * A task waiting for a person, answered: the real Claude Code CLI (against the scripted model)
 * drafts fix.txt, then asks to run a command the project's policy marks `prompt`; with
 * `rules.on_prompt = "needs_input"` the task stops in `needs_input` saying what it waits for. An
 * `allow_once` over REST queues it again: it resumes in the same worktree with the draft kept, the
 * CLI's session continued (the model sees the earlier conversation), the command runs once, and the
 * task ends `done` with both files delivered. Bad answers are refused, naming what is wrong.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  type GithubStandIn,
  type HarnessUnderTest,
  type ScriptedAnthropicServer,
  git,
  githubStandInConfig,
  makeProject,
  projectEntry,
  scriptedClaudeEnv,
  startGithubStandIn,
  startHarnessUnderTest,
  startScriptedAnthropicServer,
  tempDir,
} from '@harness/testkit';

type Detailed = Task & {
  timeline: { kind: string; decision: string | null; data: Record<string, unknown> | null }[];
};
type Message = { role?: string; content?: unknown };
/** A respond reply: the task, or an error. */
type Answer = Partial<Task> & { error: { code: string; message: string; data?: unknown } };

const POLICY =
  'prefix_rule(pattern = ["touch", "approved.txt"], decision = "prompt", justification = "ask first")\n';
const DRAFT = 'echo fixed > fix.txt';
const ASK = 'touch approved.txt';

describe('answering a task that needs input', () => {
  const dir = tempDir('harness-task-respond-');
  const keyFile = path.join(dir.path, 'data', 'operator-key');
  let project: { root: string; remote: string };
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let app: HarnessUnderTest;
  /** Whether the model, once the task resumed, was shown the conversation from before the wait. */
  let resumedWithHistory = false;
  /** What an agent is told to run to answer a waiting task itself (the attack test sets it). */
  let attack = '';

  beforeAll(async () => {
    project = makeProject(dir.path, 'respond', '[validation]\npre_commit = ["grep -q fixed fix.txt"]\n');
    // Not committed: a task's turns answer to the project checkout's policy, not their worktree's copy.
    mkdirSync(path.join(project.root, '.harness', 'policy'), { recursive: true });
    writeFileSync(path.join(project.root, '.harness', 'policy', 'agents.star'), POLICY);
    hub = await startGithubStandIn({ token: 't' });
    hub.addRepo('acme/respond');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const messages = (body as { messages?: Message[] }).messages ?? [];
      const text = (m: Message | undefined) => JSON.stringify(m?.content ?? '');
      const last = messages.at(-1);
      const lastAsked = text([...messages].reverse().find((m) => m.role === 'assistant'));
      if (JSON.stringify(messages).includes('ANSWER IT YOURSELF')) {
        if (text(last).includes('tool_result')) return { text: 'I tried.' };
        return { tool_calls: [{ name: 'Bash', input: { command: attack } }] };
      }
      if (text(last).includes('A person approved it')) {
        resumedWithHistory = JSON.stringify(messages).includes(DRAFT);
        return { tool_calls: [{ name: 'Bash', input: { command: ASK } }] };
      }
      if (text(last).includes('tool_result')) {
        if (lastAsked.includes(DRAFT)) return { tool_calls: [{ name: 'Bash', input: { command: ASK } }] };
        return { text: 'Done: fix.txt says fixed and approved.txt exists.' };
      }
      return { tool_calls: [{ name: 'Bash', input: { command: DRAFT } }] };
    });
    app = await startHarnessUnderTest(
      dir.path,
      [
        ...['[agents]', 'default_agent = "claude"', '[agents.review]', 'enabled = false'],
        ...['[rules]', 'on_prompt = "needs_input"', '[otel]', 'exporter = "disabled"'],
        ...githubStandInConfig(hub, 't'),
        ...projectEntry('respond', project.root),
      ],
      scriptedClaudeEnv(model.baseUrl),
    );
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await model?.close();
    await hub?.close();
    dir.remove();
  });

  /** Who answers an approval over HTTP shows the operator key (there is no API token here). */
  const operator = () => ({ authorization: `Bearer ${readFileSync(keyFile, 'utf8').trim()}` });
  const post = (route: string, body: unknown, headers: Record<string, string> = operator()) =>
    fetch(`${app.server.url}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const task = async (id: string) => (await app.task(id)) as unknown as Detailed;
  const settled = async (id: string) => (await app.finished(id)) as unknown as Detailed;
  const respond = async (id: string, body: unknown, headers?: Record<string, string>) => {
    const response = await post(`/tasks/${id}/respond`, body, headers);
    return { status: response.status, body: (await response.json()) as Answer };
  };
  const waitingTask = async (prompt: string): Promise<string> => {
    const created = await post('/tasks', { prompt, project: 'respond' }, {});
    const id = ((await created.json()) as { task_id: string }).task_id;
    expect((await settled(id)).state).toBe('needs_input');
    return id;
  };

  it('waits in needs_input saying what for, and after allow_once over REST resumes to done', async () => {
    const created = await post('/tasks', { prompt: 'Make the check pass', project: 'respond' }, {});
    expect(created.status).toBe(202);
    const id = ((await created.json()) as { task_id: string }).task_id;

    const waiting = await settled(id);
    expect(waiting.state).toBe('needs_input');
    expect(waiting.pending_approval).toMatchObject({
      command: ASK,
      stage: 'implementing',
      role: 'implementor',
    });
    expect(waiting.pending_approval?.reason).toContain('ask first');
    expect(waiting.error?.message).toContain('task/respond');
    expect(existsSync(path.join(waiting.worktree!, 'approved.txt'))).toBe(false);

    const answered = await respond(id, { decision: 'allow_once', note: 'fine, once' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ id, state: 'queued', pending_approval: null });
    expect(answered.body.approvals).toMatchObject([
      { command: ASK, decision: 'allow_once', note: 'fine, once', decided_by: 'REST API' },
    ]);

    const done = await settled(id);
    expect(done).toMatchObject({ state: 'done', error: null, worktree: null });
    expect(done.approvals).toMatchObject([{ used: true, delivered: true }]);
    expect(resumedWithHistory).toBe(true);
    // The draft from before the wait and the approved command's file are both delivered.
    expect(git(project.remote, 'show', `${done.branch!}:fix.txt`)).toBe('fixed');
    expect(git(project.remote, 'ls-tree', '--name-only', done.branch!)).toContain('approved.txt');
    const responded = done.timeline.find((e) => e.kind === 'task.responded');
    expect(responded).toMatchObject({
      decision: 'pass',
      data: { decision: 'allow_once', decided_by: 'REST API' },
    });
    expect(done.timeline.map((e) => e.kind)).not.toContain('task.interrupted_work_discarded');

    // Answered once is enough: a task no longer waiting refuses another answer, naming its state.
    const again = await respond(id, { decision: 'allow_always' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', data: { task_id: id, state: 'done' } });
    expect(again.body.error.message).toContain(`task ${id} is done, not waiting for input`);
  }, 120_000);

  it('takes allow_always over JSON-RPC, recording which client answered', async () => {
    const id = await waitingTask('Make the check pass again');

    const reply = await post('/rpc', [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { client_info: { name: 'e2e' } } },
      { jsonrpc: '2.0', method: 'initialized' },
      { jsonrpc: '2.0', id: 2, method: 'task/respond', params: { task_id: id, decision: 'allow_always' } },
    ]);
    const replies = (await reply.json()) as { id: number; result?: Task }[];
    const answered = replies.find((r) => r.id === 2)?.result;
    expect(answered).toMatchObject({
      state: 'queued',
      approvals: [{ decision: 'allow_always', decided_by: 'http client (e2e)' }],
    });

    const done = await settled(id);
    expect(done).toMatchObject({ state: 'done', error: null });
    expect(git(project.remote, 'ls-tree', '--name-only', done.branch!)).toContain('approved.txt');
  }, 120_000);

  it('refuses an unknown task and a bad decision, over REST and JSON-RPC', async () => {
    const unknown = await respond('task_missing', { decision: 'deny' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('task not found: task_missing');

    const bad = await respond('task_missing', { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^invalid body: decision/);

    const reply = await post('/rpc', [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { client_info: { name: 'e2e' } } },
      { jsonrpc: '2.0', method: 'initialized' },
      {
        jsonrpc: '2.0',
        id: 2,
        method: 'task/respond',
        params: { task_id: 'task_missing', decision: 'maybe' },
      },
      {
        jsonrpc: '2.0',
        id: 3,
        method: 'task/respond',
        params: { task_id: 'task_missing', decision: 'deny' },
      },
    ]);
    const replies = (await reply.json()) as { id: number; error?: { code: number; message: string } }[];
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(byId.get(2)?.error?.code).toBe(-32602);
    expect(byId.get(2)?.error?.message).toMatch(/decision/);
    expect(byId.get(3)?.error).toMatchObject({ code: -32001, message: 'task not found: task_missing' });
  });

  it('refuses an answer that does not show the operator key, over REST and JSON-RPC', async () => {
    const id = await waitingTask('Make the check pass (no key)');
    const wrongKeys: Record<string, string>[] = [{}, { authorization: `Bearer ${'0'.repeat(64)}` }];
    for (const headers of wrongKeys) {
      const refused = await respond(id, { decision: 'allow_always' }, headers);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(refused.body.error.message).toContain("answering a task's approval is for a person");
      expect(refused.body.error.message).toContain(`Authorization: Bearer $(cat ${keyFile})`);
    }
    const reply = await post(
      '/rpc',
      [
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: { client_info: { name: 'e2e' } } },
        { jsonrpc: '2.0', method: 'initialized' },
        { jsonrpc: '2.0', id: 2, method: 'task/respond', params: { task_id: id, decision: 'allow_once' } },
      ],
      {},
    );
    const replies = (await reply.json()) as { id: number; error?: { message: string; data?: unknown } }[];
    expect(replies.find((r) => r.id === 2)?.error).toMatchObject({ data: { code: 'forbidden' } });
    expect(await task(id)).toMatchObject({ state: 'needs_input', approvals: [] });
    expect((await post(`/tasks/${id}/cancel`, {}, {})).status).toBe(200);
  }, 120_000);

  it('an agent cannot answer a waiting task itself: its sandbox hides the key, and the API refuses it', async () => {
    const id = await waitingTask('Make the check pass (attacked)');
    // What a prompt-injected agent would run: read the key, then answer the other task's approval.
    const answer = `curl -s -o answer.txt -X POST -H 'content-type: application/json' -d '{"decision": "allow_always"}' ${app.server.url}/tasks/${id}/respond`;
    attack = `${DRAFT}; cat ${keyFile} > stolen.txt 2>&1; ${answer}`;
    const created = await post('/tasks', { prompt: 'ANSWER IT YOURSELF', project: 'respond' }, {});
    const attacker = await settled(((await created.json()) as { task_id: string }).task_id);
    expect(attacker.state, JSON.stringify(attacker.error)).toBe('done');
    const show = (file: string) => git(project.remote, 'show', `${attacker.branch!}:${file}`);
    expect(show('stolen.txt')).not.toContain(readFileSync(keyFile, 'utf8').trim());
    expect(show('answer.txt')).toContain('"code":"forbidden"');
    expect(await task(id)).toMatchObject({ state: 'needs_input', approvals: [] });
    expect((await post(`/tasks/${id}/cancel`, {}, {})).status).toBe(200);
  }, 120_000);
});
