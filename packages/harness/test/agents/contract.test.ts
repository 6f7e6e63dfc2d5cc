import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  SCRIPTED_CODEX_KEY_ENV,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeScriptedCodexHome,
  type ScriptedServer,
  type ScriptQueue,
  type ScriptToolCall,
  type ScriptTurn,
} from '@harness/testkit';
import {
  AgentEventSchema,
  AnthropicApiAdapter,
  ClaudeAdapter,
  CodexAdapter,
  TurnErrorCodes,
  type AgentAdapter,
  type AgentEvent,
  type AgentName,
  type AgentTurn,
  type TerminalEvent,
  type TurnOptions,
} from '../../src/agents/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  codexBin,
  collect,
  git,
  hasClaude,
  hasCodex,
  makeRepo,
  ofType,
  processesIn,
  processesMatching,
  spec,
  tempDir,
  waitFor,
} from './helpers.js';

/**
 * One contract, three runtimes: the same scenarios run against every adapter, each built against
 * its scripted model server in a hermetic home, and only contract-level facts are asserted — what
 * a caller of `AgentAdapter.startTurn` may rely on whichever runtime it picked. Runtime-specific
 * behaviour (sandboxes, command gates, budgets, event details) stays in the per-adapter suites.
 */

interface Scripted {
  adapter: AgentAdapter;
  script: ScriptQueue;
}

interface Runtime {
  name: AgentName;
  /** Why this runtime cannot run here (its binary is absent), or null. */
  missing: string | null;
  /** The adapter wired to a fresh scripted server and a fresh hermetic home. */
  start(turns: ScriptTurn[], servers: ScriptedServer[]): Promise<Scripted>;
  /** The runtime's own tool call for "create `file` (relative to the repo) with `content`". */
  writeFile(repo: string, file: string, content: string): ScriptToolCall;
  /** The runtime's own tool call for "run this shell command in the repo". */
  runCommand(command: string): ScriptToolCall;
}

const claude: Runtime = {
  name: 'claude',
  missing: hasClaude ? null : `${claudeBin} is absent (run npm ci)`,
  async start(turns, servers) {
    const server = await startScriptedAnthropicServer(turns);
    servers.push(server);
    const adapter = new ClaudeAdapter({
      cliPath: claudeBin,
      home: tempDir('contract-claude-home'),
      env: scriptedClaudeEnv(server.baseUrl),
    });
    return { adapter, script: server.script };
  },
  writeFile: (repo, file, content) => ({
    name: 'Write',
    input: { file_path: path.join(repo, file), content },
  }),
  runCommand: (command) => ({ name: 'Bash', input: { command } }),
};

const codex: Runtime = {
  name: 'codex',
  missing: hasCodex ? null : `${codexBin} is absent (run npm ci)`,
  async start(turns, servers) {
    const server = await startScriptedOpenAiServer(turns);
    servers.push(server);
    const codexHome = tempDir('contract-codex-home');
    writeScriptedCodexHome(codexHome, server.baseUrl);
    const adapter = new CodexAdapter({
      cliPath: codexBin,
      codexHome,
      home: tempDir('contract-codex-user-home'),
      env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
    });
    return { adapter, script: server.script };
  },
  writeFile: (_repo, file, content) => ({
    name: 'apply_patch',
    input: [
      '*** Begin Patch',
      `*** Add File: ${file}`,
      ...content
        .replace(/\n$/, '')
        .split('\n')
        .map((line) => `+${line}`),
      '*** End Patch',
      '',
    ].join('\n'),
  }),
  runCommand: (command) => ({ name: 'exec_command', input: { cmd: command } }),
};

const anthropicApi: Runtime = {
  name: 'anthropic_api',
  missing: null,
  async start(turns, servers) {
    const server = await startScriptedAnthropicServer(turns);
    servers.push(server);
    const adapter = new AnthropicApiAdapter({
      baseUrl: server.baseUrl,
      apiKey: 'scripted-dummy-key',
      defaultModel: 'claude-sonnet-4-20250514',
      maxRetries: 0,
      sessionDir: tempDir('contract-api-sessions'),
      // Commands inherit only what a hermetic run needs; HOME points at a temp dir.
      baseEnv: { PATH: process.env.PATH, HOME: tempDir('contract-api-home') },
    });
    return { adapter, script: server.script };
  },
  writeFile: (_repo, file, content) => ({ name: 'write_file', input: { path: file, content } }),
  runCommand: (command) => ({ name: 'run_command', input: { command } }),
};

const RUNTIMES: Runtime[] = [claude, codex, anthropicApi];

for (const rt of RUNTIMES) {
  if (rt.missing !== null) console.warn(`skipping the ${rt.name} agent contract cases: ${rt.missing}`);
}

/** Generous: the watchdogs under test are short, this only keeps a hung turn from hanging the suite. */
const limits = { stallTimeoutMs: 30_000, turnTimeoutMs: 60_000 };
const STALL_MS = 2_500;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Processes that belong to a turn in `repo`: started in it, or naming it on their command line. */
function turnProcesses(repo: string): number[] {
  return [...new Set([...processesIn(repo), ...processesMatching(new RegExp(escapeRegExp(repo)))])];
}

/**
 * Drains a turn and checks what every turn owes its caller: each event validates against
 * `AgentEventSchema` and carries this turn's id and agent; exactly one terminal event, the last;
 * `done` resolves to that same event.
 */
async function drain(rt: Runtime, turn: AgentTurn): Promise<{ events: AgentEvent[]; end: TerminalEvent }> {
  const events = await collect(turn);
  const end = await turn.done;
  for (const event of events) {
    const parsed = AgentEventSchema.safeParse(event);
    expect(parsed.success, `${event.type} event fails AgentEventSchema: ${parsed.error?.message}`).toBe(true);
    expect(event).toMatchObject({ turn_id: turn.id, agent: rt.name });
  }
  const terminals = events.filter((e) => e.type === 'result' || e.type === 'error');
  expect(terminals.map((e) => e.type)).toHaveLength(1);
  expect(events.at(-1)).toBe(terminals[0]);
  expect(end).toEqual(terminals[0]);
  return { events, end };
}

function start(adapter: AgentAdapter, repo: string, extra: Partial<TurnOptions> = {}): AgentTurn {
  return adapter.startTurn({
    prompt: 'contract task',
    cwd: repo,
    sandbox: spec(repo, 'danger-full-access'),
    limits,
    ...extra,
  });
}

describe.each(RUNTIMES)('agent contract: $name', (rt) => {
  const servers: ScriptedServer[] = [];

  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close();
  });
  afterAll(() => cleanupTempDirs());

  it('lands a real edit and ends with exactly one result, usage reported, no process left', async ({
    skip,
  }) => {
    skip(rt.missing !== null, `${rt.name}: ${rt.missing}`);
    const repo = makeRepo();
    const { adapter } = await rt.start(
      [
        { tool_calls: [rt.writeFile(repo, 'CONTRACT.md', 'written by the contract suite\n')] },
        {
          tool_calls: [
            rt.runCommand("git add -A && git -c user.email=a@b -c user.name=bot commit -qm 'contract edit'"),
          ],
        },
        { text: 'Edited and committed.' },
      ],
      servers,
    );
    const { events, end } = await drain(rt, start(adapter, repo, { prompt: 'add CONTRACT.md and commit' }));
    expect(end).toMatchObject({ type: 'result', text: 'Edited and committed.' });
    expect(turnProcesses(repo)).toEqual([]);
    expect(readFileSync(path.join(repo, 'CONTRACT.md'), 'utf8')).toBe('written by the contract suite\n');
    expect(git(repo, 'log', '--format=%s', '-1').trim()).toBe('contract edit');
    expect(events.some((e) => e.type === 'file_change' || e.type === 'command')).toBe(true);
    // Every runtime says how long its command ran: slow-operation signals are built from it.
    for (const command of ofType(events, 'command')) expect(command.duration_ms).toBeGreaterThanOrEqual(0);
    expect(ofType(events, 'usage').length).toBeGreaterThan(0);
  });

  const modelErrors = [
    [500, 'model_error'],
    [529, 'overloaded'],
    [429, 'rate_limited'],
  ] as const;

  for (const [status, code] of modelErrors) {
    it(`fails on an HTTP ${status} from the model: one terminal ${code} error, never a result`, async ({
      skip,
    }) => {
      skip(rt.missing !== null, `${rt.name}: ${rt.missing}`);
      const repo = makeRepo();
      const { adapter } = await rt.start([{ error: { status } }], servers);
      const { events, end } = await drain(rt, start(adapter, repo));
      expect(ofType(events, 'result')).toEqual([]);
      expect(end.type).toBe('error');
      const actual = end.type === 'error' ? end.code : null;
      expect(TurnErrorCodes).toContain(actual);
      expect(turnProcesses(repo)).toEqual([]);
      expect(actual).toBe(code);
      expect(end.type === 'error' && end.http_status).toBe(status);
    });
  }

  it('fails a stalled model as `stalled` through the watchdog, leaving no process', async ({ skip }) => {
    skip(rt.missing !== null, `${rt.name}: ${rt.missing}`);
    const repo = makeRepo();
    const { adapter, script } = await rt.start([{ stall: true }], servers);
    const { events, end } = await drain(
      rt,
      start(adapter, repo, { limits: { ...limits, stallTimeoutMs: STALL_MS } }),
    );
    // The model was reached and stalled (not a slow start that the watchdog happened to catch).
    expect(script.requests.some((r) => r.turn === 0)).toBe(true);
    expect(ofType(events, 'result')).toEqual([]);
    expect(end).toMatchObject({ type: 'error', code: 'stalled' });
    expect(turnProcesses(repo)).toEqual([]);
  });

  it('ends an interrupted turn as `cancelled`, killing the agent and the command it started', async ({
    skip,
  }) => {
    skip(rt.missing !== null, `${rt.name}: ${rt.missing}`);
    const repo = makeRepo();
    // A number unique to this runtime identifies, on the command line, the command the turn started.
    const marker = String(48_317 + RUNTIMES.indexOf(rt) * 1_000);
    const sleeper = `"${process.execPath}" -e "setTimeout(() => {}, ${marker})"`;
    const { adapter } = await rt.start(
      [{ tool_calls: [rt.runCommand(sleeper)] }, { text: 'not reached' }],
      servers,
    );
    const turn = start(adapter, repo);
    const drained = drain(rt, turn);
    const markerPattern = new RegExp(`setTimeout.*${marker}`);
    await waitFor(() => processesMatching(markerPattern).length > 0, 'the scripted command to start');
    turn.interrupt();
    const { events, end } = await drained;
    expect(ofType(events, 'result')).toEqual([]);
    expect(end).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(turnProcesses(repo)).toEqual([]);
    expect(processesMatching(markerPattern)).toEqual([]);
  });

  it('resumes a session: the second turn continues the first, whose history the model sees', async ({
    skip,
  }) => {
    skip(rt.missing !== null, `${rt.name}: ${rt.missing}`);
    const repo = makeRepo();
    const { adapter, script } = await rt.start([{ text: 'first answer' }], servers);
    const first = await drain(rt, start(adapter, repo, { prompt: 'first question' }));
    expect(first.end).toMatchObject({ type: 'result', text: 'first answer' });
    const sessionId = first.end.session_id;
    expect(sessionId).toEqual(expect.any(String));
    script.push({ text: 'second answer' });
    const second = await drain(
      rt,
      start(adapter, repo, { prompt: 'second question', resumeSessionId: sessionId ?? '' }),
    );
    expect(second.end).toMatchObject({ type: 'result', text: 'second answer', session_id: sessionId });
    // The request that got the second answer (side requests such as titles consume no turn).
    const resumed = script.requests.filter((r) => r.turn !== null).at(-1);
    expect(resumed?.turn).toBe(1);
    const body = JSON.stringify(resumed?.body);
    expect(body).toContain('first question');
    expect(body).toContain('first answer');
    expect(body).toContain('second question');
    expect(turnProcesses(repo)).toEqual([]);
  });
});
