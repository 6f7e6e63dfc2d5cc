import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  SCRIPTED_CODEX_KEY_ENV,
  startScriptedOpenAiServer,
  writeScriptedCodexHome,
  type ScriptedOpenAiServer,
  type ScriptTurn,
} from '@harness/testkit';
import { CodexAdapter } from '../../src/agents/index.js';
import {
  cleanupTempDirs,
  codexBin,
  collect,
  git,
  hasCodex,
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

if (!hasCodex) console.warn(`skipping Codex tests: ${codexBin} is absent (run npm ci)`);

const PATCH =
  '*** Begin Patch\n*** Update File: README.md\n@@\n-hello world\n+goodbye world\n*** Add File: new.txt\n+created by apply_patch\n*** End Patch\n';
const exec = (cmd: string) => ({ name: 'exec_command', input: { cmd } });

describe.skipIf(!hasCodex)('Codex adapter against the scripted Responses API', () => {
  let server: ScriptedOpenAiServer;
  let codexHome = '';
  const servers: ScriptedOpenAiServer[] = [];

  async function serve(turns: ScriptTurn[]): Promise<CodexAdapter> {
    server = await startScriptedOpenAiServer(turns);
    servers.push(server);
    codexHome = tempDir('codex-home');
    writeScriptedCodexHome(codexHome, server.baseUrl);
    return new CodexAdapter({
      cliPath: codexBin,
      codexHome,
      home: tempDir('codex-user-home'),
      env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
    });
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(() => cleanupTempDirs());

  it('patches files and commits, reporting file changes, commands, usage and the result', async () => {
    const repo = makeRepo();
    const adapter = await serve([
      { tool_calls: [{ name: 'apply_patch', input: PATCH }] },
      {
        tool_calls: [
          exec(
            "git add -A && git -c user.email=a@b -c user.name=bot commit -qm 'scripted patch' && git log --oneline -1",
          ),
        ],
      },
      { text: 'Patched and committed.' },
    ]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'patch and commit',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
      }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Patched and committed.' });
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('goodbye world\n');
    expect(git(repo, 'log', '--format=%s', '-1').trim()).toBe('scripted patch');
    expect(
      ofType(events, 'file_change')
        .map((e) => [e.path, e.kind])
        .sort(),
    ).toEqual([
      ['README.md', 'update'],
      ['new.txt', 'add'],
    ]);
    const [command] = ofType(events, 'command');
    expect(command).toMatchObject({ status: 'completed', exit_code: 0 });
    expect(command?.output).toContain('scripted patch');
    const end = terminalOf(events);
    expect(end.type === 'result' && end.usage.input_tokens).toBeGreaterThan(0);
    expect(end.type === 'result' && end.session_id).toMatch(/[0-9a-f-]{36}/);
  });

  it("runs inside Harness's sandbox in workspace-write: patches land, .git stays read-only", async () => {
    const repo = makeRepo();
    const adapter = await serve([
      { tool_calls: [{ name: 'apply_patch', input: PATCH }] },
      { tool_calls: [exec('git commit --allow-empty -qm sneaky; echo status=$?')] },
      { text: 'Done.' },
    ]);
    const events = await collect(
      adapter.startTurn({ prompt: 'patch', cwd: repo, sandbox: spec(repo, 'workspace-write'), limits }),
    );
    expect(events[0]).toMatchObject({ type: 'turn_started', sandbox: { enforced_by: 'bwrap' } });
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    expect(existsSync(path.join(repo, 'new.txt'))).toBe(true);
    expect(git(repo, 'log', '--format=%s').trim()).toBe('initial');
  });

  it('changes nothing in read-only mode: patches and commands that write fail', async () => {
    const repo = makeRepo();
    const adapter = await serve([
      { tool_calls: [{ name: 'apply_patch', input: PATCH }] },
      { tool_calls: [exec('touch written.txt')] },
      { text: 'Reviewed.' },
    ]);
    const events = await collect(
      adapter.startTurn({ prompt: 'review', cwd: repo, sandbox: spec(repo, 'read-only'), limits }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Reviewed.' });
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('hello world\n');
    expect(existsSync(path.join(repo, 'new.txt'))).toBe(false);
    expect(existsSync(path.join(repo, 'written.txt'))).toBe(false);
  });

  it('fails the turn on an HTTP 500 from the model as a model error, not an overload', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ error: { status: 500 } }]);
    const events = await collect(
      adapter.startTurn({ prompt: 'hi', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'model_error', http_status: 500 });
  });

  it('kills a stalled turn with the watchdog and leaves no process behind', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ stall: true }]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'hi',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits: { ...limits, stallTimeoutMs: 1_500 },
      }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'stalled' });
    expect(processesIn(repo)).toEqual([]);
  });

  it('cancels mid-turn, killing codex and the command it started', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ tool_calls: [exec('sleep 53.5')] }, { text: 'x' }]);
    const controller = new AbortController();
    const events = collect(
      adapter.startTurn({
        prompt: 'hi',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
        signal: controller.signal,
      }),
    );
    await waitFor(() => processesMatching(/sleep 53\.5/).length > 0, 'the scripted sleep to start');
    controller.abort();
    expect(terminalOf(await events)).toMatchObject({ type: 'error', code: 'cancelled' });
    expect(processesMatching(/sleep 53\.5/)).toEqual([]);
    expect(processesIn(repo)).toEqual([]);
  });

  it("resumes a native thread: the second turn carries the first turn's history", async () => {
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
    const threadId = first.type === 'result' ? first.session_id : null;
    expect(threadId).not.toBeNull();
    server.script.push({ text: 'second answer' });
    const second = terminalOf(
      await collect(
        adapter.startTurn({
          prompt: 'second question',
          cwd: repo,
          sandbox: spec(repo, 'danger-full-access'),
          limits,
          resumeSessionId: threadId ?? '',
        }),
      ),
    );
    expect(second).toMatchObject({ type: 'result', text: 'second answer', session_id: threadId });
    const body = JSON.stringify(server.script.requests.at(-1)?.body);
    expect(body).toContain('first answer');
    expect(body).toContain('second question');
  });

  it('refuses a command through its approval request: it never runs, and the turn ends', async () => {
    const repo = makeRepo();
    const seen: string[] = [];
    const adapter = await serve([
      { tool_calls: [exec('sleep 61.5; echo forbidden > marker.txt')] },
      { text: 'x' },
    ]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'hi',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
        commandGate: async ({ command }) => {
          seen.push(command);
          return command.includes('forbidden')
            ? { decision: 'forbidden', reason: 'no markers' }
            : { decision: 'allow' };
        },
      }),
    );
    // Codex wraps commands in `/bin/bash -lc '…'`; the gate sees the script itself.
    expect(seen).toEqual(['sleep 61.5; echo forbidden > marker.txt']);
    expect(ofType(events, 'command_gate')[0]).toMatchObject({ decision: 'forbidden', reason: 'no markers' });
    expect(ofType(events, 'command')).toEqual([expect.objectContaining({ status: 'declined' })]);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
    expect(existsSync(path.join(repo, 'marker.txt'))).toBe(false);
    expect(terminalOf(events)).toMatchObject({ message: expect.stringContaining('no markers') });
  });

  // Codex runs the parallel calls of one response concurrently and asks about them in no fixed
  // order, so a sibling it asked about first may run; what the model does next never does.
  it('ends the turn at a refusal: turn/interrupt, and a model that keeps going is not asked again', async () => {
    const { repo, originHead } = makeRepoWithOrigin();
    const before = originHead();
    const { gate, policyFile } = await refusalGate();
    const adapter = await serve([
      { tool_calls: [exec('git push origin main')] },
      // A model that keeps going after the refusal.
      { tool_calls: [exec('touch marker.txt && git push origin main')] },
      { text: 'Pushed anyway.' },
    ]);
    const { message } = await refusedTurn(adapter, repo, { gate, policyFile });
    expect(message).toContain('git push origin main');
    expect(existsSync(path.join(repo, 'marker.txt'))).toBe(false);
    expect(originHead()).toBe(before);
    expect(server.script.consumed).toBe(1);
    expect(processesIn(repo)).toEqual([]);
  });

  it("stops the turn when a command ran without asking (an allow rule in the user's Codex rules)", async () => {
    const repo = makeRepo();
    const adapter = await serve([{ tool_calls: [exec('touch unasked.txt')] }, { text: 'x' }]);
    mkdirSync(path.join(codexHome, 'rules'));
    writeFileSync(
      path.join(codexHome, 'rules', 'user.rules'),
      'prefix_rule(pattern = ["touch"], decision = "allow")\n',
    );
    const events = await collect(
      adapter.startTurn({
        prompt: 'hi',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
        commandGate: async () => ({ decision: 'forbidden', reason: 'nothing may run' }),
      }),
    );
    expect(ofType(events, 'command_gate')).toEqual([expect.objectContaining({ decision: 'forbidden' })]);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
    expect((terminalOf(events) as { message: string }).message).toContain('without asking first');
  });

  it('does not leave a trust entry for the worktree in the Codex config', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ text: 'ok' }]);
    await collect(
      adapter.startTurn({ prompt: 'hi', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
    );
    expect(readFileSync(path.join(codexHome, 'config.toml'), 'utf8')).not.toContain('trust_level');
  });
});
