import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClaudeAdapter,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  type ScriptedAnthropicServer,
  type ScriptTurn,
} from '../../src/agents/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  collect,
  git,
  hasClaude,
  limits,
  makeRepo,
  ofType,
  spec,
  tempDir,
  terminalOf,
} from './helpers.js';

if (!hasClaude) console.warn(`skipping Claude Code tests: ${claudeBin} is absent (run npm ci)`);

describe.skipIf(!hasClaude)('Claude Code adapter against the scripted Messages API', () => {
  let server: ScriptedAnthropicServer;
  const servers: ScriptedAnthropicServer[] = [];

  async function serve(turns: ScriptTurn[]): Promise<ClaudeAdapter> {
    server = await startScriptedAnthropicServer(turns);
    servers.push(server);
    return new ClaudeAdapter({
      cliPath: claudeBin,
      home: tempDir('claude-home'),
      env: scriptedClaudeEnv(server.baseUrl),
    });
  }

  beforeEach(() => undefined);
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
});
