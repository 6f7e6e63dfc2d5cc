import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  type ScriptedAnthropicServer,
  type ScriptTurn,
} from '@harness/testkit';
import { ClaudeAdapter } from '../../src/agents/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  collect,
  git,
  hasClaude,
  limits,
  makeRepo,
  makeRepoWithOrigin,
  ofType,
  refusalGate,
  refusedTurn,
  processesIn,
  processesMatching,
  spec,
  tempDir,
  terminalOf,
  waitFor,
} from './helpers.js';

if (!hasClaude) console.warn(`skipping Claude Code tests: ${claudeBin} is absent (run npm ci)`);

describe.skipIf(!hasClaude)('Claude Code adapter against the scripted Messages API', () => {
  let server: ScriptedAnthropicServer;
  const servers: ScriptedAnthropicServer[] = [];

  async function serve(turns: ScriptTurn[], cliPath = claudeBin): Promise<ClaudeAdapter> {
    server = await startScriptedAnthropicServer(turns);
    servers.push(server);
    return new ClaudeAdapter({
      cliPath,
      home: tempDir('claude-home'),
      env: scriptedClaudeEnv(server.baseUrl),
    });
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(() => cleanupTempDirs());

  it('edits a file and commits it, reporting tools, commands, files, usage and the result', async () => {
    const repo = makeRepo();
    const adapter = await serve([
      { text: 'Reading first.', tool_calls: [{ name: 'Read', input: { file_path: 'README.md' } }] },
      {
        tool_calls: [
          { name: 'Edit', input: { file_path: 'README.md', old_string: 'hello', new_string: 'goodbye' } },
        ],
      },
      {
        tool_calls: [
          {
            name: 'Bash',
            input: {
              command:
                "git add -A && git -c user.email=a@b -c user.name=bot commit -qm 'scripted edit' && git log --oneline -1",
            },
          },
        ],
      },
      { text: 'Edited and committed.' },
    ]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'edit README and commit',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
      }),
    );
    const end = terminalOf(events);
    expect(end).toMatchObject({ type: 'result', text: 'Edited and committed.' });
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('goodbye world\n');
    expect(git(repo, 'log', '--format=%s', '-1').trim()).toBe('scripted edit');
    expect(ofType(events, 'tool_call').map((e) => e.name)).toEqual(['Read', 'Edit', 'Bash']);
    expect(ofType(events, 'file_change')).toEqual([
      expect.objectContaining({ path: 'README.md', kind: 'update' }),
    ]);
    const [command] = ofType(events, 'command');
    expect(command).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(command?.output).toContain('scripted edit');
    expect(ofType(events, 'usage').length).toBeGreaterThan(0);
    expect(end.type === 'result' && end.usage.cost_usd).toBeGreaterThan(0);
    expect(end.type === 'result' && end.session_id).toMatch(/[0-9a-f-]{36}/);
  });

  it.each([
    [500, 'model_error'],
    [429, 'rate_limited'],
    [529, 'overloaded'],
  ] as const)('classifies an HTTP %i from the model as %s', async (status, code) => {
    const repo = makeRepo();
    const adapter = await serve([{ error: { status } }]);
    const events = await collect(
      adapter.startTurn({ prompt: 'hi', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'error', code });
  });

  it('logs a line that is not JSON and carries on', async () => {
    const repo = makeRepo();
    const wrapper = path.join(tempDir('wrapper'), 'claude-noisy');
    writeFileSync(wrapper, `#!/bin/sh\necho 'this line is not JSON'\nexec "${claudeBin}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const adapter = await serve([{ text: 'Still fine.' }], wrapper);
    const events = await collect(
      adapter.startTurn({ prompt: 'hi', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
    );
    expect(ofType(events, 'warning')[0]?.message).toContain('this line is not JSON');
    expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Still fine.' });
  });

  it('kills a stalled turn with the watchdog and leaves no process behind', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ stall: true }]);
    const turn = adapter.startTurn({
      prompt: 'hi',
      cwd: repo,
      sandbox: spec(repo, 'danger-full-access'),
      limits: { ...limits, stallTimeoutMs: 1_500 },
    });
    const events = await collect(turn);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'stalled', retryable: true });
    expect(processesIn(repo)).toEqual([]);
  });

  it('cancels mid-turn, killing the CLI and the command it started', async () => {
    const repo = makeRepo();
    const adapter = await serve([
      { tool_calls: [{ name: 'Bash', input: { command: 'node -e "setTimeout(() => {}, 47250)"' } }] },
      { text: 'x' },
    ]);
    const controller = new AbortController();
    const turn = adapter.startTurn({
      prompt: 'hi',
      cwd: repo,
      sandbox: spec(repo, 'danger-full-access'),
      limits,
      signal: controller.signal,
    });
    const events = collect(turn);
    await waitFor(() => processesMatching(/47250/).length > 0, 'the scripted sleep to start');
    const before = processesIn(repo);
    expect(before.length).toBeGreaterThan(1);
    controller.abort();
    expect(terminalOf(await events)).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(processesIn(repo)).toEqual([]);
    expect(processesMatching(/47250/)).toEqual([]);
  });

  it("resumes a native session: the second turn carries the first turn's history", async () => {
    const repo = makeRepo();
    const adapter = await serve([{ text: 'first answer' }]);
    const first = terminalOf(
      await collect(
        adapter.startTurn({
          prompt: 'first question',
          cwd: repo,
          sandbox: spec(repo, 'danger-full-access'),
          limits,
        }),
      ),
    );
    expect(first.type).toBe('result');
    const sessionId = first.type === 'result' ? first.session_id : null;
    expect(sessionId).not.toBeNull();
    server.script.push({ text: 'second answer' });
    const second = terminalOf(
      await collect(
        adapter.startTurn({
          prompt: 'second question',
          cwd: repo,
          sandbox: spec(repo, 'danger-full-access'),
          limits,
          resumeSessionId: sessionId ?? '',
        }),
      ),
    );
    expect(second).toMatchObject({ type: 'result', text: 'second answer', session_id: sessionId });
    const lastRequest = JSON.stringify(server.script.requests.at(-1)?.body);
    expect(lastRequest).toContain('first answer');
    expect(lastRequest).toContain('second question');
  });

  it('vetoes a command through the command gate (PreToolUse hook), even with bypassPermissions', async () => {
    const repo = makeRepo();
    writeFileSync(path.join(repo, 'precious.txt'), 'keep me\n');
    const adapter = await serve([
      { tool_calls: [{ name: 'Bash', input: { command: 'echo allowed > allowed.txt' } }] },
      { tool_calls: [{ name: 'Bash', input: { command: 'rm -f precious.txt' } }] },
      { text: 'Tried.' },
    ]);
    const seen: string[] = [];
    const events = await collect(
      adapter.startTurn({
        prompt: 'clean up',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
        commandGate: async ({ command }) => {
          seen.push(command);
          return command.startsWith('rm')
            ? { decision: 'forbidden', reason: 'no deleting' }
            : { decision: 'allow' };
        },
      }),
    );
    expect(seen).toEqual(['echo allowed > allowed.txt', 'rm -f precious.txt']);
    expect(existsSync(path.join(repo, 'allowed.txt'))).toBe(true);
    expect(existsSync(path.join(repo, 'precious.txt'))).toBe(true);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
    expect(terminalOf(events)).toMatchObject({ message: expect.stringContaining('no deleting') });
  });

  it('ends the turn at a refusal: nothing queued after it runs, and the model is not asked again', async () => {
    const { repo, originHead } = makeRepoWithOrigin();
    const before = originHead();
    const { gate, policyFile } = await refusalGate();
    const adapter = await serve([
      // Before the refusal, other tools take their usual course through the hook.
      { tool_calls: [{ name: 'Write', input: { file_path: 'before.txt', content: 'written\n' } }] },
      {
        tool_calls: [
          { name: 'Bash', input: { command: 'git push origin main' } },
          // Queued by the model in the same response, behind the refused push.
          { name: 'Bash', input: { command: 'touch queued-marker.txt' } },
          { name: 'Write', input: { file_path: 'queued-write.txt', content: 'x' } },
        ],
      },
      // A model that keeps going after the refusal.
      { tool_calls: [{ name: 'Bash', input: { command: 'touch marker.txt && git push origin main' } }] },
      { text: 'Pushed anyway.' },
    ]);
    const { message, events } = await refusedTurn(adapter, repo, { gate, policyFile });
    expect(message).toContain('git push origin main');
    expect(readFileSync(path.join(repo, 'before.txt'), 'utf8')).toBe('written\n');
    for (const file of ['queued-marker.txt', 'queued-write.txt', 'marker.txt'])
      expect(existsSync(path.join(repo, file)), file).toBe(false);
    expect(originHead()).toBe(before);
    expect(server.script.consumed).toBe(2);
    expect(ofType(events, 'command_gate')[0]).toMatchObject({
      command: 'git push origin main',
      decision: 'forbidden',
    });
    expect(processesIn(repo)).toEqual([]);
  });

  it('enforces workspace-write with bubblewrap: writes inside land, writes outside and to .git fail', async () => {
    const repo = makeRepo();
    const outside = tempDir('outside', '/var/tmp');
    const adapter = await serve([
      {
        tool_calls: [
          {
            name: 'Bash',
            input: {
              command: `echo in > inside.txt; echo out > ${outside}/escape.txt; git commit --allow-empty -qm x; true`,
            },
          },
        ],
      },
      { text: 'Done.' },
    ]);
    const events = await collect(
      adapter.startTurn({ prompt: 'write', cwd: repo, sandbox: spec(repo, 'workspace-write'), limits }),
    );
    expect(events[0]).toMatchObject({ type: 'turn_started', sandbox: { enforced_by: 'bwrap' } });
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    expect(readFileSync(path.join(repo, 'inside.txt'), 'utf8')).toBe('in\n');
    expect(existsSync(path.join(outside, 'escape.txt'))).toBe(false);
    expect(ofType(events, 'command')[0]?.output).toMatch(/Read-only file system/);
    expect(git(repo, 'log', '--format=%s').trim()).toBe('initial');
  });

  it('stops a turn that crosses its cost budget', async () => {
    const repo = makeRepo();
    const big = { input_tokens: 1_000_000, output_tokens: 0 };
    const adapter = await serve([
      { tool_calls: [{ name: 'Bash', input: { command: 'echo one' } }], usage: big },
      { tool_calls: [{ name: 'Bash', input: { command: 'echo two' } }], usage: big },
      { text: 'Done.' },
    ]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'spend',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        model: 'claude-sonnet-4-5',
        limits: { ...limits, maxCostUsd: 1 },
      }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'budget_exceeded' });
    expect(processesIn(repo)).toEqual([]);
  });
});
