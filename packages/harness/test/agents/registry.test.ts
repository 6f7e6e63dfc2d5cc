import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgentRegistry, ModelGateway, type AgentsConfigLike } from '../../src/agents/index.js';
import { claudeBin, cleanupTempDirs, codexBin, hasClaude, hasCodex, tempDir } from './helpers.js';

function config(overrides: Partial<AgentsConfigLike> = {}): AgentsConfigLike {
  return {
    default_agent: 'auto',
    complexity_preferred_agents: ['codex', 'claude'],
    sandbox_mode: 'workspace-write',
    stall_timeout_secs: 300,
    turn_timeout_secs: 3600,
    claude: { enabled: true, cli_path: claudeBin, default_model: 'sonnet', extra_args: [] },
    codex: { enabled: true, cli_path: codexBin, extra_args: [] },
    anthropic_api: { enabled: true, default_model: 'claude-sonnet-4-20250514', max_tokens: 4096 },
    ...overrides,
  };
}

const noKeyEnv = { PATH: process.env.PATH };

describe('AgentRegistry', () => {
  afterAll(() => cleanupTempDirs());

  it('lists every agent with whether it is usable and why not', async () => {
    const registry = AgentRegistry.fromConfig(
      config({ codex: { enabled: false, cli_path: 'codex', extra_args: [] } }),
      undefined,
      { baseEnv: noKeyEnv, claude: { home: tempDir('reg-home') } },
    );
    const list = await registry.list();
    expect(list.map((a) => a.name)).toEqual(['claude', 'codex', 'anthropic_api']);
    expect(list[1]).toMatchObject({ enabled: false, usable: false, reason: 'disabled in config' });
    expect(list[2]).toMatchObject({ enabled: true, usable: false });
    expect(list[2]?.reason).toContain('ANTHROPIC_API_KEY');
    if (hasClaude)
      expect(list[0]).toMatchObject({ usable: true, version: '2.1.330', command_gate: 'enforced' });
  });

  it('reports a missing binary as the reason', async () => {
    const registry = AgentRegistry.fromConfig(
      config({ claude: { enabled: true, cli_path: 'no-such-claude-binary', extra_args: [] } }),
      undefined,
      { baseEnv: noKeyEnv },
    );
    const [claude] = await registry.list();
    expect(claude).toMatchObject({ usable: false, reason: 'no-such-claude-binary was not found on PATH' });
  });

  it('auto picks the first usable agent, and complexity_preferred_agents for complex work', async () => {
    const gateway = await ModelGateway.start();
    const registry = AgentRegistry.fromConfig(
      config({
        codex: { enabled: true, cli_path: codexBin, extra_args: [], api_key: 'k' },
        anthropic_api: { enabled: true, default_model: 'm', max_tokens: 1, api_key: 'k' },
      }),
      undefined,
      {
        baseEnv: noKeyEnv,
        gateway,
        claude: { home: tempDir('reg-home') },
        codex: { codexHome: tempDir('reg-codex') },
      },
    );
    try {
      const simple = await registry.select({ complexity: 'simple' });
      expect(simple.name).toBe(hasClaude ? 'claude' : hasCodex ? 'codex' : 'anthropic_api');
      const complex = await registry.select({ complexity: 'complex' });
      expect(complex.name).toBe(hasCodex ? 'codex' : hasClaude ? 'claude' : 'anthropic_api');
    } finally {
      await registry.close();
    }
  });

  it('says which agents reach their model through the gateway, and why the others do not', async () => {
    const gateway = await ModelGateway.start();
    const codexHome = tempDir('reg-codex-custom');
    writeFileSync(path.join(codexHome, 'config.toml'), 'model_provider = "azure"\n');
    const registry = AgentRegistry.fromConfig(
      config({
        codex: { enabled: true, cli_path: codexBin, extra_args: [], api_key: 'sk-openai' },
        anthropic_api: { enabled: true, default_model: 'm', max_tokens: 1, api_key: 'sk-ant' },
      }),
      undefined,
      { baseEnv: noKeyEnv, gateway, claude: { home: tempDir('reg-home') }, codex: { codexHome } },
    );
    try {
      const [claude, codex, api] = await registry.list();
      expect(api).toMatchObject({ model_access: 'gateway', usable: true });
      expect(api?.model_access_reason).toContain(gateway.origin);
      expect(claude).toMatchObject({ model_access: 'gateway' });
      expect(codex).toMatchObject({ model_access: 'direct' });
      expect(codex?.model_access_reason).toContain('selects model_provider "azure"');
    } finally {
      await registry.close();
    }
    const withoutKeys = AgentRegistry.fromConfig(config(), undefined, {
      baseEnv: noKeyEnv,
      gateway: await ModelGateway.start(),
    });
    const [claude] = await withoutKeys.list();
    expect(claude).toMatchObject({ model_access: 'direct' });
    expect(claude?.model_access_reason).toContain('own login');
    await withoutKeys.close();
  });

  it('refuses an explicit default agent that is not usable, saying why', async () => {
    const registry = AgentRegistry.fromConfig(config({ default_agent: 'anthropic_api' }), undefined, {
      baseEnv: noKeyEnv,
    });
    await expect(registry.select()).rejects.toThrow(/anthropic_api is not usable: no API key/);
    expect(registry.defaultLimits()).toEqual({ stallTimeoutMs: 300_000, turnTimeoutMs: 3_600_000 });
    expect(registry.sandboxFor('/w')).toMatchObject({
      mode: 'workspace-write',
      workspace: '/w',
      network: false,
    });
  });
});

describe('AgentRegistry.assertSandboxUsable', () => {
  const withoutBwrap = () =>
    Promise.resolve({
      platform: 'linux' as const,
      is_root: true,
      bwrap_path: null,
      bwrap_version: null,
      bwrap_problem: 'bwrap is not on PATH',
    });

  it('refuses the default mode on a host without bubblewrap, saying how to fix it', async () => {
    const registry = AgentRegistry.fromConfig(config(), undefined, { probeSandbox: withoutBwrap });
    const refusal = registry.assertSandboxUsable();
    await expect(refusal).rejects.toThrow(
      /workspace-write cannot be enforced on this host \(bwrap is not on PATH\)/,
    );
    await expect(refusal).rejects.toThrow(/apt-get install bubblewrap/);
    await expect(refusal).rejects.toThrow(/agents\.sandbox_mode = "danger-full-access"/);
    await expect(registry.assertSandboxUsable('read-only')).rejects.toThrow(/read-only cannot be enforced/);
  });

  it('gives danger-full-access to whoever sets it explicitly, without bubblewrap', async () => {
    const registry = AgentRegistry.fromConfig(config({ sandbox_mode: 'danger-full-access' }), undefined, {
      probeSandbox: withoutBwrap,
    });
    await expect(registry.assertSandboxUsable()).resolves.toBeUndefined();
    expect(registry.sandboxFor('/w').mode).toBe('danger-full-access');
  });
});
