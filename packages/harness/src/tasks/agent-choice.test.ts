/**
 * Who reviews: chosen from the registry's availability (real adapters' probes answered by an
 * in-process adapter) and the project's resolved settings from a real config file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AgentAdapter, AgentRegistry } from '../agents/index.js';
import { HarnessError, loadConfig, systemClock, type ResolvedProjectSettings } from '../core/index.js';
import { ProjectRegistry } from '../projects/index.js';
import { SqliteStore, type Store } from '../store/index.js';
import { chooseReviewer } from './agent-choice.js';

function agent(name: 'claude' | 'codex', usable = true): AgentAdapter {
  return {
    name,
    probe: async () => ({
      name,
      enabled: true,
      usable,
      reason: usable ? null : `${name} binary not found on PATH`,
      version: null,
      binary_path: null,
      default_model: null,
      command_gate: 'enforced',
      model_access: null,
      model_access_reason: null,
    }),
    startTurn() {
      throw new Error('not used: choosing a reviewer starts no turn');
    },
  };
}

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-agent-choice-'));
  store = SqliteStore.open(path.join(dir, 'data'));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(review: string, adapters: AgentAdapter[]) {
  const file = path.join(dir, 'config.toml');
  writeFileSync(
    file,
    `[agents]\ndefault_agent = "claude"\n[agents.review]\n${review}\n[otel]\nexporter = "disabled"\n` +
      `[[projects]]\nname = "widgets"\nroot = "${dir}"\n`,
  );
  const { config } = loadConfig({ configPath: file, env: {} });
  const settings: ResolvedProjectSettings = await new ProjectRegistry(config, store, systemClock).settings(
    'widgets',
  );
  return { settings, agents: new AgentRegistry(config.agents, adapters) };
}

async function refusal(promise: Promise<unknown>): Promise<HarnessError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HarnessError);
  return error as HarnessError;
}

describe('choosing the reviewer', () => {
  it('defaults to "auto", which picks the usable agent other than the implementor', async () => {
    const { settings, agents } = await setup('', [agent('claude'), agent('codex')]);
    expect(settings.review.reviewer_agent).toBe('auto');
    expect(await chooseReviewer(agents, settings, 'claude')).toBe('codex');
    expect(await chooseReviewer(agents, settings, 'codex')).toBe('claude');
  });

  it('refuses "auto" with no second usable agent, saying reviewer and what to configure', async () => {
    const { settings, agents } = await setup('', [agent('claude'), agent('codex', false)]);
    const error = await refusal(chooseReviewer(agents, settings, 'claude'));
    expect(error.code).toBe('no_reviewer');
    expect(error.message).toContain('reviewer');
    expect(error.message).toContain('codex: codex binary not found on PATH');
    expect(error.message).toContain('reviewer_agent');
    expect(error.message).toContain('"review": false');
  });

  it('refuses an explicit reviewer that is the implementor, or that cannot run', async () => {
    const { settings, agents } = await setup('reviewer_agent = "codex"', [
      agent('claude'),
      agent('codex', false),
    ]);
    const unusable = await refusal(chooseReviewer(agents, settings, 'claude'));
    expect(unusable.code).toBe('no_reviewer');
    expect(unusable.message).toContain('the reviewer codex is not usable (codex binary not found on PATH)');
    const self = await refusal(chooseReviewer(agents, settings, 'claude', 'claude'));
    expect(self.code).toBe('no_reviewer');
    expect(self.message).toContain('the reviewer (claude) must not be the implementing agent');
  });
});
