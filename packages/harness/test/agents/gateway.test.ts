import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  GATEWAY_CODEX_NO_RETRIES,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeGatewayCodexHome,
  type ScriptTurn,
} from '@harness/testkit';
import {
  AnthropicApiAdapter,
  ClaudeAdapter,
  CodexAdapter,
  ModelGateway,
  type ModelAccess,
  type ModelUpstream,
} from '../../src/agents/index.js';
import { probeSandbox } from '../../src/sandbox/index.js';
import {
  claudeBin,
  cleanupTempDirs,
  codexBin,
  collect,
  hasClaude,
  hasCodex,
  limits,
  makeRepo,
  spec,
  tempDir,
  terminalOf,
} from './helpers.js';

/** Harness's environment in production: every value here must stay out of an agent's reach. */
const SECRETS = {
  HARNESS_API_TOKEN: 'harness-api-token-SECRET-1',
  GITHUB_TOKEN: 'ghp_github-token-SECRET-2',
  GH_TOKEN: 'gh-token-SECRET-3',
  HARNESS_DATABASE_URL: 'postgres://harness:db-password-SECRET-4@db/harness',
  DATABASE_URL: 'postgres://other:db-password-SECRET-5@db/other',
  GITHUB_WEBHOOK_SECRET: 'webhook-SECRET-6',
  OPENAI_API_KEY: 'sk-openai-real-SECRET-7',
  ANTHROPIC_API_KEY: 'sk-ant-real-SECRET-8',
  CODEX_API_KEY: 'sk-codex-real-SECRET-9',
};
const harnessEnv = {
  PATH: process.env.PATH,
  ...SECRETS,
  // Claude Code's own knobs, inherited because they are on its allowlist.
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  CLAUDE_CODE_MAX_RETRIES: '0',
};
const DUMP = 'env > leaked.txt; cat /proc/self/environ >> leaked.txt; cat /proc/$PPID/environ >> leaked.txt';

const toClose: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of toClose.splice(0)) await item.close();
});
afterAll(() => cleanupTempDirs());

async function gatewayTo(upstream: ModelUpstream): Promise<Extract<ModelAccess, { mode: 'gateway' }>> {
  const gateway = await ModelGateway.start();
  toClose.push(gateway);
  return { mode: 'gateway', gateway, upstream, reason: 'test' };
}

function expectNoSecretIn(text: string, where: string): void {
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(text.includes(value), `${name}'s value is in ${where}`).toBe(false);
  }
}

/** Every file under `dir`, for a search for secrets in what an agent could read. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile());
}

/** The credential the agent saw, read from its own environment dump. */
function credentialIn(leaked: string, name: string): string {
  const match = new RegExp(`${name}=([0-9a-f]{64})`).exec(leaked);
  expect(match, `${name} holds a per-turn credential`).not.toBeNull();
  return match![1]!;
}

async function replay(origin: string, credential: string, header: 'x-api-key' | 'authorization') {
  const value = header === 'authorization' ? `Bearer ${credential}` : credential;
  return fetch(`${origin}/v1/messages`, { method: 'POST', headers: { [header]: value }, body: '{}' });
}

describe.skipIf(!hasClaude)('Claude Code through the model gateway', () => {
  async function setUp(turns: ScriptTurn[]) {
    const upstream = await startScriptedAnthropicServer(turns);
    toClose.push(upstream);
    const access = await gatewayTo({
      provider: 'anthropic',
      url: upstream.baseUrl,
      apiKey: SECRETS.ANTHROPIC_API_KEY,
    });
    const home = tempDir('gw-claude-home');
    const adapter = new ClaudeAdapter({ cliPath: claudeBin, home, baseEnv: harnessEnv, modelAccess: access });
    return { upstream, access, adapter, home };
  }

  it('sends the real key upstream while the agent and its commands hold only a dead-after-the-turn credential', async () => {
    const repo = makeRepo();
    const { upstream, access, adapter, home } = await setUp([
      { tool_calls: [{ name: 'Bash', input: { command: DUMP } }] },
      { text: 'Dumped.' },
    ]);
    const end = terminalOf(
      await collect(
        adapter.startTurn({ prompt: 'dump', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
      ),
    );
    expect(end).toMatchObject({ type: 'result', text: 'Dumped.' });
    const keys = upstream.script.requests.map((r) => r.headers['x-api-key']);
    expect(keys.length).toBeGreaterThan(0);
    expect(new Set(keys)).toEqual(new Set([SECRETS.ANTHROPIC_API_KEY]));

    const leaked = readFileSync(path.join(repo, 'leaked.txt'), 'utf8');
    expect(leaked).toContain(`ANTHROPIC_BASE_URL=${access.gateway.origin}`);
    expectNoSecretIn(leaked, 'the env dump');
    for (const file of filesUnder(home)) expectNoSecretIn(readFileSync(file, 'utf8'), file);
    const credential = credentialIn(leaked, 'ANTHROPIC_API_KEY');
    expect(access.gateway.activeTurns).toBe(0);
    const before = upstream.script.requests.length;
    expect((await replay(access.gateway.origin, credential, 'x-api-key')).status).toBe(401);
    expect(upstream.script.requests).toHaveLength(before);
  });

  it('reaches the gateway on loopback from inside the bubblewrap sandbox (workspace-write)', async ({
    skip,
  }) => {
    const caps = await probeSandbox();
    skip(caps.bwrap_path === null, `bubblewrap is not usable here: ${caps.bwrap_problem ?? ''}`);
    const repo = makeRepo();
    const { upstream, adapter } = await setUp([
      { tool_calls: [{ name: 'Bash', input: { command: 'env > leaked.txt' } }] },
      { text: 'Dumped inside the sandbox.' },
    ]);
    const events = await collect(
      adapter.startTurn({ prompt: 'dump', cwd: repo, sandbox: spec(repo, 'workspace-write'), limits }),
    );
    expect(events[0]).toMatchObject({ type: 'turn_started', sandbox: { enforced_by: 'bwrap' } });
    expect(terminalOf(events)).toMatchObject({ type: 'result', text: 'Dumped inside the sandbox.' });
    expect(new Set(upstream.script.requests.map((r) => r.headers['x-api-key']))).toEqual(
      new Set([SECRETS.ANTHROPIC_API_KEY]),
    );
    expectNoSecretIn(readFileSync(path.join(repo, 'leaked.txt'), 'utf8'), 'the sandboxed env dump');
  });

  it('stops a turn mid-way once the metered cost reaches its budget', async () => {
    const repo = makeRepo();
    const { upstream, adapter } = await setUp([
      {
        tool_calls: [{ name: 'Bash', input: { command: 'echo one' } }],
        usage: { input_tokens: 200_000, output_tokens: 1_000 },
      },
      { tool_calls: [{ name: 'Bash', input: { command: 'echo two > two.txt' } }] },
      { text: 'Should not get here.' },
    ]);
    const end = terminalOf(
      await collect(
        adapter.startTurn({
          prompt: 'spend',
          model: 'claude-sonnet-4-20250514',
          cwd: repo,
          sandbox: spec(repo, 'danger-full-access'),
          limits: { ...limits, maxCostUsd: 0.05 },
        }),
      ),
    );
    expect(end).toMatchObject({ type: 'error', code: 'budget_exceeded' });
    expect(end.type === 'error' && end.usage?.cost_usd).toBeGreaterThanOrEqual(0.6);
    expect(upstream.script.requests.filter((r) => r.turn !== null).map((r) => r.turn)).toEqual([0]);
  });
});

describe.skipIf(!hasCodex)('Codex through the model gateway', () => {
  it('uses a harness provider on the command line with the real key upstream, and nothing secret on disk or in env', async () => {
    const repo = makeRepo();
    const upstream = await startScriptedOpenAiServer([
      { tool_calls: [{ name: 'exec_command', input: { cmd: DUMP } }] },
      { text: 'Dumped.', usage: { input_tokens: 1_000, output_tokens: 100 } },
    ]);
    toClose.push(upstream);
    const access = await gatewayTo({
      provider: 'openai',
      url: upstream.baseUrl,
      apiKey: SECRETS.OPENAI_API_KEY,
    });
    const codexHome = tempDir('gw-codex-home');
    writeGatewayCodexHome(codexHome);
    const home = tempDir('gw-codex-user-home');
    const adapter = new CodexAdapter({
      cliPath: codexBin,
      codexHome,
      home,
      baseEnv: harnessEnv,
      gateway: access,
      extraArgs: GATEWAY_CODEX_NO_RETRIES,
    });
    expect(await adapter.probe()).toMatchObject({ usable: true, model_access: 'gateway' });
    const end = terminalOf(
      await collect(
        adapter.startTurn({ prompt: 'dump', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
      ),
    );
    expect(end).toMatchObject({ type: 'result', text: 'Dumped.' });
    const auth = upstream.script.requests.map((r) => r.headers.authorization);
    expect(new Set(auth)).toEqual(new Set([`Bearer ${SECRETS.OPENAI_API_KEY}`]));
    // The metered usage is reported even where Codex's own report is lower.
    expect(end.type === 'result' && end.usage.input_tokens).toBeGreaterThanOrEqual(1_010);

    const leaked = readFileSync(path.join(repo, 'leaked.txt'), 'utf8');
    expectNoSecretIn(leaked, 'the env dump');
    for (const file of [...filesUnder(codexHome), ...filesUnder(home)]) {
      expectNoSecretIn(readFileSync(file, 'utf8'), file);
    }
    const credential = credentialIn(leaked, 'HARNESS_MODEL_CREDENTIAL');
    expect((await replay(access.gateway.origin, credential, 'authorization')).status).toBe(401);
  });
});

describe('the Anthropic API adapter through the model gateway', () => {
  it('gives its SDK only the per-turn credential and its commands no credential at all', async () => {
    const repo = makeRepo();
    const upstream = await startScriptedAnthropicServer([
      { tool_calls: [{ name: 'run_command', input: { command: DUMP } }] },
      { text: 'Dumped.' },
    ]);
    toClose.push(upstream);
    const access = await gatewayTo({
      provider: 'anthropic',
      url: upstream.baseUrl,
      apiKey: SECRETS.ANTHROPIC_API_KEY,
    });
    const adapter = new AnthropicApiAdapter({
      apiKey: SECRETS.ANTHROPIC_API_KEY,
      defaultModel: 'claude-sonnet-4-20250514',
      maxRetries: 0,
      sessionDir: tempDir('gw-api-sessions'),
      baseEnv: harnessEnv,
      modelAccess: access,
    });
    const end = terminalOf(
      await collect(
        adapter.startTurn({ prompt: 'dump', cwd: repo, sandbox: spec(repo, 'danger-full-access'), limits }),
      ),
    );
    expect(end).toMatchObject({ type: 'result', text: 'Dumped.' });
    expect(new Set(upstream.script.requests.map((r) => r.headers['x-api-key']))).toEqual(
      new Set([SECRETS.ANTHROPIC_API_KEY]),
    );
    const leaked = readFileSync(path.join(repo, 'leaked.txt'), 'utf8');
    expect(leaked).toContain('PATH=');
    expectNoSecretIn(leaked, 'the env dump');
    expect(leaked).not.toMatch(/[0-9a-f]{64}/);
    expect(access.gateway.activeTurns).toBe(0);
  });
});
