import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  startScriptedAnthropicServer,
  type ScriptedAnthropicServer,
  type ScriptTurn,
} from '@harness/testkit';
import { AnthropicApiAdapter } from '../../src/agents/index.js';
import {
  cleanupTempDirs,
  collect,
  git,
  limits,
  makeRepo,
  makeRepoWithOrigin,
  ofType,
  refusalGate,
  refusedTurn,
  spec,
  tempDir,
  terminalOf,
} from './helpers.js';

describe('Anthropic API adapter with the Harness tool loop', () => {
  let server: ScriptedAnthropicServer;
  const servers: ScriptedAnthropicServer[] = [];

  async function serve(turns: ScriptTurn[]): Promise<AnthropicApiAdapter> {
    server = await startScriptedAnthropicServer(turns);
    servers.push(server);
    return new AnthropicApiAdapter({
      baseUrl: server.baseUrl,
      apiKey: 'scripted-dummy-key',
      defaultModel: 'claude-sonnet-4-20250514',
      maxRetries: 0,
      sessionDir: tempDir('api-sessions'),
    });
  }

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(() => cleanupTempDirs());

  it('does a real coding task: lists, reads, searches, edits, writes and commits', async () => {
    const repo = makeRepo();
    const adapter = await serve([
      { text: 'Looking around.', tool_calls: [{ name: 'list_files', input: {} }] },
      {
        tool_calls: [
          { name: 'read_file', input: { path: 'README.md' } },
          { name: 'search', input: { pattern: 'hel+o' } },
        ],
      },
      {
        tool_calls: [
          { name: 'edit_file', input: { path: 'README.md', old_string: 'hello', new_string: 'goodbye' } },
        ],
      },
      { tool_calls: [{ name: 'write_file', input: { path: 'src/new.txt', content: 'fresh\n' } }] },
      {
        tool_calls: [
          {
            name: 'run_command',
            input: {
              command:
                "git add -A && git -c user.email=a@b -c user.name=bot commit -qm 'api edit' && echo committed",
            },
          },
        ],
      },
      { text: 'Edited, added and committed.' },
    ]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'edit README',
        cwd: repo,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
      }),
    );
    expect(terminalOf(events)).toMatchObject({
      type: 'result',
      text: 'Edited, added and committed.',
      num_turns: 6,
    });
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('goodbye world\n');
    expect(git(repo, 'log', '--format=%s', '-1').trim()).toBe('api edit');
    expect(ofType(events, 'file_change').map((e) => [e.path, e.kind])).toEqual([
      ['README.md', 'update'],
      ['src/new.txt', 'add'],
    ]);
    expect(ofType(events, 'command')[0]).toMatchObject({ exit_code: 0, status: 'completed' });
    const toolResults = JSON.stringify(server.script.requests[2]?.body);
    expect(toolResults).toContain('hello world');
    expect(toolResults).toContain('README.md:1: hello world');
    const end = terminalOf(events);
    expect(end.type === 'result' && end.usage.cost_usd).toBeGreaterThan(0);
  });

  it('sandboxes commands with bubblewrap, guards paths, and refuses what the gate forbids', async () => {
    const repo = makeRepo();
    writeFileSync(path.join(repo, 'keep.txt'), 'keep\n');
    const outside = tempDir('outside', '/var/tmp');
    const adapter = await serve([
      {
        tool_calls: [
          {
            name: 'run_command',
            input: { command: `echo in > inside.txt; echo out > ${outside}/escape.txt` },
          },
        ],
      },
      { tool_calls: [{ name: 'write_file', input: { path: '.git/hooks/pre-commit', content: 'evil' } }] },
      { tool_calls: [{ name: 'read_file', input: { path: '../../etc/passwd' } }] },
      { tool_calls: [{ name: 'run_command', input: { command: 'rm keep.txt' } }] },
      { text: 'Done what I could.' },
    ]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'try things',
        cwd: repo,
        sandbox: spec(repo, 'workspace-write'),
        limits,
        commandGate: async ({ command }) =>
          command.startsWith('rm') ? { decision: 'forbidden', reason: 'no rm' } : { decision: 'allow' },
      }),
    );
    expect(readFileSync(path.join(repo, 'inside.txt'), 'utf8')).toBe('in\n');
    expect(existsSync(path.join(outside, 'escape.txt'))).toBe(false);
    expect(existsSync(path.join(repo, '.git/hooks/pre-commit'))).toBe(false);
    expect(existsSync(path.join(repo, 'keep.txt'))).toBe(true);
    const results = ofType(events, 'tool_result');
    expect(results[0]?.output).toMatch(/Read-only file system/);
    expect(results[1]).toMatchObject({ is_error: true });
    expect(results[1]?.output).toContain('read-only in workspace-write');
    expect(results[2]?.output).toContain('outside the workspace');
    expect(results[3]?.output).toContain('Refused by the command policy: no rm');
    expect(ofType(events, 'command').map((c) => c.status)).toEqual(['failed', 'declined']);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
  });

  it('ends the turn at a refusal: the calls queued behind it and the next model call never happen', async () => {
    const { repo, originHead } = makeRepoWithOrigin();
    const before = originHead();
    const { gate, policyFile } = await refusalGate();
    const run = (command: string) => ({ name: 'run_command', input: { command } });
    const adapter = await serve([
      {
        tool_calls: [
          run('git push origin main'),
          run('touch queued-marker.txt'),
          { name: 'write_file', input: { path: 'queued-write.txt', content: 'x' } },
        ],
      },
      { tool_calls: [run('touch marker.txt && git push origin main')] },
      { text: 'Pushed anyway.' },
    ]);
    const { events } = await refusedTurn(adapter, repo, { gate, policyFile });
    for (const file of ['queued-marker.txt', 'queued-write.txt', 'marker.txt'])
      expect(existsSync(path.join(repo, file)), file).toBe(false);
    expect(originHead()).toBe(before);
    expect(server.script.consumed).toBe(1);
    expect(ofType(events, 'tool_result').map((r) => r.output)).toEqual([
      expect.stringContaining('Refused by the command policy'),
      expect.stringContaining('Not run'),
      expect.stringContaining('Not run'),
    ]);
  });

  it('classifies model errors and resumes a saved transcript', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ error: { status: 529 } }, { text: 'first answer' }]);
    const failed = await collect(
      adapter.startTurn({ prompt: 'q0', cwd: repo, sandbox: spec(repo, 'read-only'), limits }),
    );
    expect(terminalOf(failed)).toMatchObject({
      type: 'error',
      code: 'overloaded',
      http_status: 529,
      retryable: true,
    });
    const first = terminalOf(
      await collect(adapter.startTurn({ prompt: 'q1', cwd: repo, sandbox: spec(repo, 'read-only'), limits })),
    );
    const sessionId = first.type === 'result' ? first.session_id : null;
    expect(sessionId).toMatch(/^sess_/);
    server.script.push({ text: 'second answer' });
    const second = await collect(
      adapter.startTurn({
        prompt: 'q2',
        cwd: repo,
        sandbox: spec(repo, 'read-only'),
        limits,
        resumeSessionId: sessionId ?? '',
      }),
    );
    expect(terminalOf(second)).toMatchObject({
      type: 'result',
      text: 'second answer',
      session_id: sessionId,
    });
    const body = JSON.stringify(server.script.requests.at(-1)?.body);
    expect(body).toContain('first answer');
    expect(body).toContain('q2');
  });

  it('fails a stalled stream with the watchdog', async () => {
    const repo = makeRepo();
    const adapter = await serve([{ stall: true }]);
    const events = await collect(
      adapter.startTurn({
        prompt: 'hi',
        cwd: repo,
        sandbox: spec(repo, 'read-only'),
        limits: { ...limits, stallTimeoutMs: 1_000 },
      }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'stalled' });
  });
});
