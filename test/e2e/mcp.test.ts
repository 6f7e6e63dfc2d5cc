/**
 * MCP server mode end to end: the SDK's own Client over a real `harness mcp` process, the pinned
 * MCP Inspector CLI driving the same binary, `serve --transport mcp`, tool errors as `isError`
 * results, ExecPlan tools, shutdown at end of input and on SIGTERM, and a real turn with `send_message` waiting
 * for the answer (the real Claude Code CLI against a scripted model on 127.0.0.1).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  harnessBin,
  isolatedEnv,
  parseJson,
  repoRoot,
  tempDir,
  makeRepo,
} from '@harness/testkit';

const toolNames = [
  'start_task',
  'task_status',
  'list_tasks',
  'cancel_task',
  'respond_task',
  'task_diff',
  'start_thread',
  'send_message',
  'thread_history',
  'query_events',
  'check_command',
  'list_agents',
  'list_skills',
  'get_skill',
  'classify_task',
  'plan_init',
  'plan_status',
  'plan_update',
  'plan_list',
];

/** PATH without node_modules/.bin, so no agent CLI is found and no agent reaches for the network. */
const pathWithoutAgents = (process.env.PATH ?? '')
  .split(path.delimiter)
  .filter((entry) => !entry.includes('node_modules'))
  .join(path.delimiter);

interface McpSession {
  client: Client;
  stderr: string[];
  close(): Promise<void>;
}

async function connect(args: string[], env: NodeJS.ProcessEnv): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [harnessBin, ...args],
    env: env as Record<string, string>,
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  // With stderr: 'pipe' this is the child's stderr (a PassThrough), typed only as a Stream.
  createInterface({ input: transport.stderr as Readable }).on('line', (line) => stderr.push(line));
  const client = new Client({ name: 'harness-e2e', version: '1.0.0' });
  await client.connect(transport);
  return { client, stderr, close: () => client.close() };
}

/** A tool call's JSON payload (the text content), and whether it was an error. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return { isError: result.isError === true, text, data: parseJson(text) as Record<string, unknown> };
}

/** Runs the pinned Inspector CLI against `harness mcp` and parses its JSON output (not its exit code). */
function inspector(serverArgs: string[], cliArgs: string[], env: NodeJS.ProcessEnv): Promise<unknown> {
  const bin = path.join(repoRoot, 'node_modules/.bin/mcp-inspector');
  const args = [bin, '--cli', process.execPath, harnessBin, ...serverArgs, ...cliArgs];
  const child = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('close', () => {
      const parsed = parseJson(stdout);
      if (parsed === undefined) reject(new Error(`inspector printed no JSON:\n${stdout}\n${stderr}`));
      else resolve(parsed);
    });
  });
}

describe('harness mcp over stdio (SDK client)', () => {
  const dir = tempDir('harness-mcp-');
  const repo = makeRepo(path.join(dir.path, 'repo'));
  const project = path.join(dir.path, 'project');
  const env = isolatedEnv(dir.path, { PATH: pathWithoutAgents });
  const dataDir = path.join(dir.path, 'data');
  let session: McpSession;

  beforeAll(async () => {
    mkdirSync(path.join(project, '.harness/policy'), { recursive: true });
    writeFileSync(
      path.join(project, '.harness/policy/x.star'),
      'prefix_rule(pattern=["rm", "-rf"], decision="forbidden")\n',
    );
    session = await connect(['--project', `demo=${repo}`, 'mcp', '--data-dir', dataDir], env);
  });
  afterAll(async () => {
    await session.close();
    dir.remove();
  });

  it('lists every tool with a description and a strict input schema', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...toolNames].sort());
    for (const tool of tools) {
      expect(tool.description, tool.name).toBeTruthy();
      expect(tool.inputSchema.type).toBe('object');
      expect((tool.inputSchema as { additionalProperties?: boolean }).additionalProperties).toBe(false);
    }
    const schema = (name: string) => tools.find((tool) => tool.name === name)!.inputSchema;
    expect(Object.keys(schema('start_task').properties!)).toEqual(
      expect.arrayContaining(['prompt', 'issue', 'pr', 'project', 'agent', 'priority']),
    );
    expect(schema('send_message').required).toEqual(['thread_id', 'text']);
    expect(Object.keys(schema('send_message').properties!)).toEqual(
      expect.arrayContaining(['wait', 'timeout_secs']),
    );
    expect(schema('check_command').required).toEqual(['command']);
    expect(schema('task_status').required).toEqual(['task_id']);
    expect(schema('query_events').properties).toHaveProperty('kind');
  });

  it('starts a thread, finds its event with query_events and shows it in thread_history', async () => {
    const started = await call(session.client, 'start_thread', { cwd: repo, title: 'via MCP' });
    expect(started.isError).toBe(false);
    const threadId = started.data.thread_id as string;
    expect(started.data).toMatchObject({ project_root: repo, title: 'via MCP' });

    const events = await call(session.client, 'query_events', { thread_id: threadId });
    expect(events.isError).toBe(false);
    const kinds = (events.data.events as { kind: string }[]).map((event) => event.kind);
    expect(kinds).toContain('thread.started');

    const history = await call(session.client, 'thread_history', { thread_id: threadId });
    expect(history.data).toMatchObject({ thread_id: threadId, title: 'via MCP', turns: [] });
  });

  it('checks commands against a project policy and a policy file', async () => {
    const forbidden = await call(session.client, 'check_command', {
      project_root: project,
      command: 'rm -rf build',
    });
    expect(forbidden.isError).toBe(false);
    expect(forbidden.data.decision).toBe('forbidden');
    expect((forbidden.data.matched_rules as { rule: string }[]).map((rule) => rule.rule)).toEqual(['rm -rf']);

    const argv = await call(session.client, 'check_command', {
      policy_path: path.join(project, '.harness/policy/x.star'),
      command: ['ls', '-la'],
    });
    expect(argv.data.decision).not.toBe('forbidden');
    expect(argv.data.matched_rules).toEqual([]);
  });

  it('lists the agents and whether each is usable', async () => {
    const { data, isError } = await call(session.client, 'list_agents');
    expect(isError).toBe(false);
    const agents = data.agents as { name: string; usable: boolean }[];
    expect(agents.map((agent) => agent.name)).toEqual(['claude', 'codex', 'anthropic_api']);
    for (const agent of agents) expect(typeof agent.usable).toBe('boolean');
  });

  it('lists the skills and opens one with get_skill; a name that escapes is an error result', async () => {
    const listed = await call(session.client, 'list_skills', { query: 'review' });
    expect(listed.isError).toBe(false);
    const skills = listed.data.skills as { name: string; scope: string }[];
    expect(skills).toContainEqual(expect.objectContaining({ name: 'review', scope: 'builtin' }));
    const got = await call(session.client, 'get_skill', { name: 'review' });
    expect(got.isError).toBe(false);
    expect(got.data.body).toMatch(/# Review/);
    const bad = await call(session.client, 'get_skill', { name: '../x' });
    expect(bad.isError).toBe(true);
  });

  it('classifies a task with classify_task, saying why', async () => {
    const { data, isError } = await call(session.client, 'classify_task', {
      prompt: 'Fix the typo in README.md',
    });
    expect(isError).toBe(false);
    expect(data).toMatchObject({ complexity: 'simple', needs_write: true, needs_network: false });
    expect(data.reasons).toContain('simple: mentions "typo", "readme"');
    const bad = await call(session.client, 'classify_task', { prompt: 'x', pr: { files: 'a.ts' } });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/files/);
  });

  it('creates, updates, reads and lists ExecPlans in a registered project', async () => {
    const created = await call(session.client, 'plan_init', {
      spec: '# Plan over MCP\n\nSo agents can plan.',
      project_root: 'demo',
    });
    expect(created.isError, created.text).toBe(false);
    const planId = created.data.plan_id as string;
    expect(created.data).toMatchObject({ path: `.agent/plans/${planId}.md`, status: 'draft' });
    expect(created.data.markdown).toContain('## Purpose / Big Picture\n\nSo agents can plan.');
    for (const args of [
      { action: 'activate' },
      { action: 'milestone', description: 'tools listed' },
      { action: 'milestone', index: 0 },
      { action: 'decision', decision: 'thin tools', rationale: 'the RPC checks', author: 'mcp' },
    ]) {
      const updated = await call(session.client, 'plan_update', {
        project_root: 'demo',
        plan: planId,
        ...args,
      });
      expect(updated.isError, updated.text).toBe(false);
    }
    const status = await call(session.client, 'plan_status', { project_root: repo, plan: planId });
    expect(status.data).toMatchObject({ status: 'active', progress: { done: 1, total: 1 } });
    expect(status.data.markdown).toContain('- Decision: thin tools');
    const listed = await call(session.client, 'plan_list', { project_root: 'demo' });
    expect((listed.data.plans as { plan_id: string }[]).map((p) => p.plan_id)).toEqual([planId]);
    const half = await call(session.client, 'plan_update', {
      project_root: 'demo',
      plan: planId,
      action: 'surprise',
    });
    expect(half.isError).toBe(true);
    expect(half.text).toMatch(/observation: required for this action/);
    const escape = await call(session.client, 'plan_init', {
      spec: '# X',
      project_root: 'demo',
      path: '../x.md',
    });
    expect(escape.isError).toBe(true);
    expect(escape.text).toMatch(/outside the project/);
  });

  it('queues a task on a registered project and reports it with task_status and list_tasks', async () => {
    // No agent is usable here, so a task that needs review is refused when submitted; one without review queues.
    const refused = await call(session.client, 'start_task', { prompt: 'Add a CHANGELOG', project: 'demo' });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/no agent is usable/);
    const started = await call(session.client, 'start_task', {
      prompt: 'Add a CHANGELOG',
      project: 'demo',
      review: false,
    });
    expect(started.isError, started.text).toBe(false);
    expect(started.data).toMatchObject({ state: 'queued', project: 'demo', kind: 'prompt', priority: 0 });
    const taskId = started.data.task_id as string;

    const status = await call(session.client, 'task_status', { task_id: taskId });
    expect(status.isError).toBe(false);
    expect(status.data).toMatchObject({ task_id: taskId, project: 'demo', pr_url: null });
    expect(typeof status.data.state).toBe('string');
    expect(Array.isArray(status.data.last_events)).toBe(true);
    expect(status.data).toHaveProperty('cost_usd');
    expect(status.data).toHaveProperty('grade');

    const listed = await call(session.client, 'list_tasks', { project: 'demo' });
    expect((listed.data.tasks as { task_id: string }[]).map((task) => task.task_id)).toContain(taskId);
  });

  it('answers bad input with isError results that say what is wrong, never a stack', async () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['start_task', { prompt: 'x', issue: 3 }, /exactly one of prompt, issue or pr/],
      ['start_task', { prompt: 'x', project: 'nope' }, /nope/],
      ['start_task', { prompt: 'x', priority: 1000 }, /priority/],
      ['send_message', { thread_id: 'thr_missing', text: 'hi' }, /not found/],
      ['send_message', { thread_id: 'thr_missing' }, /text/],
      ['task_status', { task_id: 'task_missing' }, /task not found/],
      ['cancel_task', { task_id: 'task_missing' }, /not found/],
      ['respond_task', { task_id: 'task_missing', decision: 'allow_once' }, /task not found: task_missing/],
      ['respond_task', { task_id: 'task_missing', decision: 'maybe' }, /decision/],
      ['task_diff', { task_id: 'task_missing' }, /task not found: task_missing/],
      ['check_command', { command: 'ls' }, /project_root or policy_path/],
      ['start_thread', { agent: 'gpt-9' }, /unknown agent/],
      ['query_events', { limit: 0 }, /limit/],
      ['list_agents', { surprise: true }, /surprise|unrecognized/i],
      ['no_such_tool', {}, /no_such_tool/],
    ];
    for (const [tool, args, message] of cases) {
      const result = await call(session.client, tool, args);
      expect(result.isError, `${tool} ${JSON.stringify(args)}`).toBe(true);
      expect(result.text).toMatch(message);
      expect(result.text).not.toMatch(/\n\s+at /);
    }
  });

  it('logs to stderr only (stdout carries MCP)', () => {
    const logs = session.stderr.map((line) => parseJson(line) as { msg?: string } | undefined);
    expect(logs.some((log) => log?.msg === 'harness MCP server ready')).toBe(true);
  });
});

describe('MCP Inspector CLI against harness mcp', () => {
  const dir = tempDir('harness-mcp-inspector-');
  const env = isolatedEnv(dir.path, { PATH: pathWithoutAgents });
  const server = ['mcp', '--data-dir', path.join(dir.path, 'data')];
  afterAll(() => dir.remove());

  it('lists the tools and calls check_command', async () => {
    const project = path.join(dir.path, 'project');
    mkdirSync(path.join(project, '.harness/policy'), { recursive: true });
    writeFileSync(
      path.join(project, '.harness/policy/x.star'),
      'prefix_rule(pattern=["rm", "-rf"], decision="forbidden")\n',
    );
    const listed = (await inspector(server, ['--method', 'tools/list'], env)) as {
      tools: { name: string }[];
    };
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual([...toolNames].sort());

    const checked = (await inspector(
      server,
      [
        '--method',
        'tools/call',
        '--tool-name',
        'check_command',
        '--tool-arg',
        'command=rm -rf /',
        '--tool-arg',
        `project_root=${project}`,
      ],
      env,
    )) as CallToolResult;
    expect(checked.isError).toBeFalsy();
    expect(checked.structuredContent).toMatchObject({ kind: 'command', decision: 'forbidden' });

    const refused = (await inspector(
      server,
      ['--method', 'tools/call', '--tool-name', 'check_command', '--tool-arg', 'command=ls'],
      env,
    )) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toMatch(/project_root or policy_path/);
  });
});

/** A raw `harness mcp` process, for lifecycle checks the SDK client hides (exit code, signals). */
function spawnRaw(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [harnessBin, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  const lines = createInterface({ input: child.stdout });
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const firstLine = new Promise<unknown>((resolve) => lines.once('line', (line) => resolve(parseJson(line))));
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
  };
  child.stdin.write(`${JSON.stringify(initialize)}\n`);
  return { child: child as ChildProcess, stderr, exited, firstLine };
}

describe('serve --transport mcp and shutdown', () => {
  const dir = tempDir('harness-mcp-serve-');
  const env = isolatedEnv(dir.path, { PATH: pathWithoutAgents });
  afterAll(() => dir.remove());

  it('serve --transport mcp answers tools/list', async () => {
    const session = await connect(
      ['serve', '--transport', 'mcp', '--data-dir', path.join(dir.path, 'serve-data')],
      env,
    );
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('check_command');
    await session.close();
  });

  it('exits 0 and closes the store when stdin ends', async () => {
    const raw = spawnRaw(['mcp', '--data-dir', path.join(dir.path, 'eof-data')], env);
    expect(await raw.firstLine).toMatchObject({ id: 1, result: { serverInfo: { name: 'harness' } } });
    raw.child.stdin!.end();
    expect(await raw.exited).toBe(0);
    const stopped = raw.stderr.map((line) => parseJson(line) as { msg?: string; reason?: string });
    expect(stopped.find((log) => log?.msg === 'harness stopped')?.reason).toBe('end of input');
  });

  it('exits 0 on SIGTERM', async () => {
    const raw = spawnRaw(['mcp', '--data-dir', path.join(dir.path, 'term-data')], env);
    await raw.firstLine;
    raw.child.kill('SIGTERM');
    expect(await raw.exited).toBe(0);
    const stopped = raw.stderr.map((line) => parseJson(line) as { msg?: string; reason?: string });
    expect(stopped.find((log) => log?.msg === 'harness stopped')?.reason).toBe('SIGTERM');
  });
});

describe('send_message with a real agent (Claude Code CLI, scripted model)', () => {
  const dir = tempDir('harness-mcp-turns-');
  const repo = makeRepo(path.join(dir.path, 'repo'));
  let model: ScriptedAnthropicServer;
  let session: McpSession;

  beforeAll(async () => {
    model = await startScriptedAnthropicServer([]);
    const env = isolatedEnv(dir.path, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}${path.delimiter}${process.env.PATH}`,
      ...scriptedClaudeEnv(model.baseUrl),
    });
    session = await connect(['mcp', '--data-dir', path.join(dir.path, 'data'), '--project-root', repo], env);
  }, 60_000);
  afterAll(async () => {
    await session.close();
    await model.close();
    dir.remove();
  });

  it('waits for the turn and returns the final answer, then shows it in thread_history', async () => {
    model.script.push({ text: 'The answer is 42.' });
    const thread = await call(session.client, 'start_thread', { agent: 'claude' });
    const threadId = thread.data.thread_id as string;
    const sent = await call(session.client, 'send_message', {
      thread_id: threadId,
      text: 'What is six times seven?',
      wait: true,
      timeout_secs: 600,
    });
    expect(sent.isError, sent.text).toBe(false);
    expect(sent.data).toMatchObject({
      thread_id: threadId,
      status: 'completed',
      answer: 'The answer is 42.',
    });

    const history = await call(session.client, 'thread_history', { thread_id: threadId });
    const turns = history.data.turns as { input: string; answer: string; status: string }[];
    expect(turns).toEqual([
      expect.objectContaining({
        input: 'What is six times seven?',
        answer: 'The answer is 42.',
        status: 'completed',
      }),
    ]);
  });

  it('without wait, returns the running turn at once; thread_history shows its answer later', async () => {
    model.script.push({ text: 'Done in the background.' });
    const thread = await call(session.client, 'start_thread', { agent: 'claude' });
    const threadId = thread.data.thread_id as string;
    const sent = await call(session.client, 'send_message', { thread_id: threadId, text: 'work quietly' });
    expect(sent.isError, sent.text).toBe(false);
    expect(sent.data).toMatchObject({ thread_id: threadId, status: 'running', agent: 'claude' });
    let turns: { turn_id: string; status: string; answer: string | null }[] = [];
    while (turns[0]?.status !== 'completed') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const history = await call(session.client, 'thread_history', { thread_id: threadId });
      turns = history.data.turns as typeof turns;
      expect(turns[0]?.status).not.toMatch(/failed|cancelled|interrupted/);
    }
    expect(turns[0]).toMatchObject({ turn_id: sent.data.turn_id, answer: 'Done in the background.' });
  });

  it('stops waiting after timeout_secs while the turn runs on, and refuses a second message on the busy thread', async () => {
    model.script.push({
      tool_calls: [{ name: 'Bash', input: { command: 'node -e "setTimeout(() => {}, 81730)"' } }],
    });
    const thread = await call(session.client, 'start_thread', { agent: 'claude' });
    const threadId = thread.data.thread_id as string;
    const waited = await call(session.client, 'send_message', {
      thread_id: threadId,
      text: 'sleep',
      wait: true,
      timeout_secs: 1,
    });
    expect(waited.isError, waited.text).toBe(false);
    expect(waited.data).toMatchObject({ status: 'running', waiting: 'gave up after 1 s' });
    const busy = await call(session.client, 'send_message', { thread_id: threadId, text: 'again' });
    expect(busy.isError).toBe(true);
    expect(busy.text).toMatch(/already has a turn running/);
  });
});
