import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  SCRIPTED_CODEX_KEY_ENV,
  startScriptedOpenAiServer,
  writeScriptedCodexHome,
  type ScriptedOpenAiServer,
} from '@harness/testkit';
import { CodexAdapter, type AgentEvent, type CommandGate } from '../../src/agents/index.js';
import { loadPolicyFiles } from '../../src/policy/index.js';
import type { SandboxMode } from '../../src/sandbox/index.js';
import {
  cleanupTempDirs,
  codexBin,
  collect,
  hasCodex,
  limits,
  makeRepo,
  ofType,
  spec,
  tempDir,
  terminalOf,
} from './helpers.js';

const POLICY = `
prefix_rule(pattern = ["rm", "-rf"], decision = "forbidden", justification = "no recursive deletes")
prefix_rule(pattern = ["git", "push"], decision = "prompt")
prefix_rule(pattern = ["touch"], decision = "allow")
network_rule(host = "api.github.com", protocol = "https", decision = "allow")
`;

const exec = (cmd: string) => ({ name: 'exec_command', input: { cmd } });

describe.skipIf(!hasCodex)('Codex asks the command policy before every command runs', () => {
  const servers: ScriptedOpenAiServer[] = [];

  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });
  afterAll(() => cleanupTempDirs());

  async function policyTurn(
    cmd: string,
    mode: SandboxMode = 'danger-full-access',
    scripted?: ScriptedOpenAiServer,
  ): Promise<{ events: AgentEvent[]; repo: string }> {
    const server =
      scripted ?? (await startScriptedOpenAiServer([{ tool_calls: [exec(cmd)] }, { text: 'done' }]));
    servers.push(server);
    const codexHome = tempDir('codex-home');
    writeScriptedCodexHome(codexHome, server.baseUrl);
    const policyFile = path.join(tempDir('policy'), 'project.star');
    writeFileSync(policyFile, POLICY);
    const policy = await loadPolicyFiles([policyFile]);
    const commandGate: CommandGate = async ({ command }) => policy.checkCommandLine(command);
    const repo = makeRepo();
    mkdirSync(path.join(repo, 'victim'));
    const adapter = new CodexAdapter({
      cliPath: codexBin,
      codexHome,
      home: tempDir('codex-user-home'),
      env: { [SCRIPTED_CODEX_KEY_ENV]: 'dummy' },
    });
    const events = await collect(
      adapter.startTurn({
        prompt: 'go',
        cwd: repo,
        sandbox: spec(repo, mode),
        limits,
        commandGate,
      }),
    );
    return { events, repo };
  }

  it('refuses a forbidden command before it runs and reports the refusal', async () => {
    const { events, repo } = await policyTurn('rm -rf victim');
    expect(existsSync(path.join(repo, 'victim'))).toBe(true);
    expect(ofType(events, 'command_gate')).toEqual([
      expect.objectContaining({ command: 'rm -rf victim', decision: 'forbidden' }),
    ]);
    expect(ofType(events, 'command_gate')[0]?.reason).toContain('no recursive deletes');
    expect(ofType(events, 'command')[0]).toMatchObject({ status: 'declined' });
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
  });

  it.each([
    'echo hi && rm -rf victim',
    "bash -c 'rm -rf victim'",
    'sh -lc "cd . && rm -rf victim"',
    '/bin/rm -rf victim',
    'env FOO=1 rm -rf victim',
    '(cd . ; rm -rf victim)',
  ])('refuses a disguised forbidden command before it runs: %s', async (cmd) => {
    const { events, repo } = await policyTurn(cmd);
    expect(existsSync(path.join(repo, 'victim'))).toBe(true);
    expect(ofType(events, 'command_gate')[0]).toMatchObject({ decision: 'forbidden' });
    expect(ofType(events, 'command')).toEqual([expect.objectContaining({ status: 'declined' })]);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
  });

  it.each(['git -c user.name=x push origin main', 'git -C . push origin main'])(
    'treats a subcommand behind global options like the subcommand: %s',
    async (cmd) => {
      const { events } = await policyTurn(cmd);
      expect(ofType(events, 'command_gate')[0]).toMatchObject({ decision: 'prompt' });
      expect(ofType(events, 'command')).toEqual([expect.objectContaining({ status: 'declined' })]);
    },
  );

  it('gives the agent no terminal to type unchecked code into', async () => {
    // `python3` is allowed (no rule); typed into its prompt, the code would run unchecked.
    const server = await startScriptedOpenAiServer([]);
    let step = 0;
    server.script.respondWith((body) => {
      step += 1;
      if (step === 1) return { tool_calls: [{ name: 'exec_command', input: { cmd: 'python3', tty: true } }] };
      if (step === 2) {
        const session = /session ID (\d+)/.exec(JSON.stringify(body))?.[1] ?? '1';
        const chars = "import shutil; shutil.rmtree('victim')\n";
        return { tool_calls: [{ name: 'write_stdin', input: { session_id: Number(session), chars } }] };
      }
      return { text: 'done' };
    });
    const { events, repo } = await policyTurn('unused', 'danger-full-access', server);
    expect(existsSync(path.join(repo, 'victim'))).toBe(true);
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
  });

  it('refuses a prompt command in a headless run', async () => {
    const { events } = await policyTurn('git push origin main');
    expect(ofType(events, 'command_gate')[0]).toMatchObject({ decision: 'prompt' });
    expect(ofType(events, 'command')).toEqual([expect.objectContaining({ status: 'declined' })]);
    expect(terminalOf(events)).toMatchObject({ type: 'error', code: 'policy_blocked' });
  });

  it('still runs an allowed command', async () => {
    const { events, repo } = await policyTurn('touch ok.txt');
    expect(existsSync(path.join(repo, 'ok.txt'))).toBe(true);
    expect(ofType(events, 'command_gate')).toEqual([expect.objectContaining({ decision: 'allow' })]);
    expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'done' });
  });

  it('approving an allowed command does not let it out of the sandbox', async () => {
    const outside = path.join(tempDir('outside', '/var/tmp'), 'escaped.txt');
    const { events } = await policyTurn(`touch ${outside}`, 'workspace-write');
    expect(terminalOf(events)).toMatchObject({ type: 'result' });
    expect(existsSync(outside)).toBe(false);
  });
});
