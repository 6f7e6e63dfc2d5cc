/**
 * The AGENTS.md cascade reaches every agent: the real Claude Code and Codex CLIs and the API
 * adapter run against the scripted model servers, and the requests the model receives must carry
 * every file of the cascade — once — while the worktree stays clean.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  SCRIPTED_CODEX_KEY_ENV,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeScriptedCodexHome,
  type RecordedRequest,
} from '@harness/testkit';
import { AnthropicApiAdapter, ClaudeAdapter, CodexAdapter } from '../../src/agents/index.js';
import type { AgentsMdSettings } from '../../src/context/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  codexBin,
  collect,
  git,
  hasClaude,
  hasCodex,
  limits,
  makeRepo,
  spec,
  tempDir,
  terminalOf,
} from './helpers.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => cleanupTempDirs());

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * A repository whose cascade has one file per kind, each with a marker the requests are searched
 * for: the root's AGENTS.md, an override in `packages`, a fallback name in `packages/app`, and an
 * AGENTS.md that a CLAUDE.md hides from Claude Code in `packages/app/src`. All committed, so
 * `git status` is empty before the turn.
 */
function cascadeRepo(): { repo: string; cwd: string; globalDir: string; settings: AgentsMdSettings } {
  const repo = makeRepo();
  write(path.join(repo, 'AGENTS.md'), 'MARK-ROOT: run the tests with npm test.\n');
  write(path.join(repo, 'packages', 'AGENTS.md'), 'MARK-SHADOWED: the override replaces me.\n');
  write(path.join(repo, 'packages', 'AGENTS.override.md'), 'MARK-OVERRIDE: packages use tabs.\n');
  write(path.join(repo, 'packages', 'app', 'TEAM.md'), 'MARK-FALLBACK: the app team reviews.\n');
  write(path.join(repo, 'packages', 'app', 'src', 'AGENTS.md'), 'MARK-HIDDEN: src is strict.\n');
  write(path.join(repo, 'packages', 'app', 'src', 'CLAUDE.md'), 'MARK-CLAUDE-MD: for Claude.\n');
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'instructions');
  const globalDir = tempDir('global-codex-home');
  write(path.join(globalDir, 'AGENTS.md'), 'MARK-GLOBAL: answer in English.\n');
  return {
    repo,
    cwd: path.join(repo, 'packages', 'app', 'src'),
    globalDir,
    settings: { globalDir, fallbackFilenames: ['TEAM.md'], maxBytes: 32_768 },
  };
}

const cascadeMarks = ['MARK-GLOBAL', 'MARK-ROOT', 'MARK-OVERRIDE', 'MARK-FALLBACK', 'MARK-HIDDEN'];

/** How often `mark` appears in the first request that carried the conversation. */
function occurrences(requests: RecordedRequest[], mark: string): number {
  const first = requests.find((r) => r.turn !== null);
  return JSON.stringify(first?.body ?? '').split(mark).length - 1;
}

describe.skipIf(!hasClaude)('Claude Code gets the AGENTS.md cascade', () => {
  it('sees every file of the cascade exactly once, and the worktree stays clean', async () => {
    const { repo, cwd, settings } = cascadeRepo();
    const server = await startScriptedAnthropicServer([{ text: 'Read the instructions.' }]);
    servers.push(server);
    const adapter = new ClaudeAdapter({
      cliPath: claudeBin,
      home: tempDir('claude-home'),
      env: scriptedClaudeEnv(server.baseUrl),
      agentsMd: settings,
    });
    const events = await collect(
      adapter.startTurn({ prompt: 'follow the rules', cwd, sandbox: spec(repo, 'workspace-write'), limits }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    for (const mark of cascadeMarks) expect(occurrences(server.script.requests, mark), mark).toBe(1);
    expect(occurrences(server.script.requests, 'MARK-SHADOWED')).toBe(0);
    expect(git(repo, 'status', '--porcelain', '--ignored')).toBe('');
  });
});

describe.skipIf(!hasCodex)('Codex gets the AGENTS.md cascade', () => {
  it('reads the project files natively with the same fallback names, is given the global file, and leaves the worktree clean', async () => {
    const { repo, cwd, settings } = cascadeRepo();
    const server = await startScriptedOpenAiServer([{ text: 'Read the instructions.' }]);
    servers.push(server);
    const codexHome = tempDir('codex-home');
    writeScriptedCodexHome(codexHome, server.baseUrl);
    const adapter = new CodexAdapter({
      cliPath: codexBin,
      codexHome,
      home: tempDir('codex-user-home'),
      env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
      agentsMd: settings,
    });
    const events = await collect(
      adapter.startTurn({
        prompt: 'follow the rules',
        cwd,
        sandbox: spec(repo, 'danger-full-access'),
        limits,
      }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    for (const mark of cascadeMarks) expect(occurrences(server.script.requests, mark), mark).toBe(1);
    expect(occurrences(server.script.requests, 'MARK-SHADOWED')).toBe(0);
    expect(git(repo, 'status', '--porcelain', '--ignored')).toBe('');
  });

  it('applies the cap as every other agent does: the deepest file is lost first', async () => {
    const { repo, cwd, settings } = cascadeRepo();
    const server = await startScriptedOpenAiServer([{ text: 'done' }]);
    servers.push(server);
    const codexHome = tempDir('codex-home');
    writeScriptedCodexHome(codexHome, server.baseUrl);
    const root = 'MARK-ROOT: run the tests with npm test.\n';
    const adapter = new CodexAdapter({
      cliPath: codexBin,
      codexHome,
      home: tempDir('codex-user-home'),
      env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
      agentsMd: { ...settings, maxBytes: Buffer.byteLength(root) },
    });
    const events = await collect(
      adapter.startTurn({ prompt: 'go', cwd, sandbox: spec(repo, 'danger-full-access'), limits }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    expect(occurrences(server.script.requests, 'MARK-ROOT')).toBe(1);
    expect(occurrences(server.script.requests, 'MARK-OVERRIDE')).toBe(0);
    expect(occurrences(server.script.requests, 'MARK-HIDDEN')).toBe(0);
    const warning = events.find((e) => e.type === 'warning');
    expect(warning).toMatchObject({ message: expect.stringContaining('AGENTS.md instructions cut at') });
  });
});

describe('the API adapter gets the AGENTS.md cascade in its system prompt', () => {
  it('puts every file of the cascade, in order, into the system prompt', async () => {
    const { repo, cwd, settings } = cascadeRepo();
    const server = await startScriptedAnthropicServer([{ text: 'ok' }]);
    servers.push(server);
    const adapter = new AnthropicApiAdapter({
      baseUrl: server.baseUrl,
      apiKey: 'scripted-dummy-key',
      maxRetries: 0,
      sessionDir: tempDir('api-sessions'),
      agentsMd: settings,
    });
    const events = await collect(
      adapter.startTurn({ prompt: 'go', cwd, sandbox: spec(repo, 'danger-full-access'), limits }),
    );
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    const system = String((server.script.requests[0]?.body as { system?: unknown }).system);
    const positions = cascadeMarks.map((mark) => system.indexOf(mark));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(system).not.toContain('MARK-SHADOWED');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });
});
