import { describe, expect, it } from 'vitest';
import { buildAgentEnv, HARNESS_SECRET_ENV_NAMES, isHarnessSecretEnvName } from './index.js';

/** What Harness's environment looks like on a server: everything an `env` dump must not reveal. */
const harnessEnv = {
  PATH: '/usr/bin:/bin',
  HOME: '/root',
  USER: 'root',
  LANG: 'C.UTF-8',
  LC_ALL: 'C.UTF-8',
  TERM: 'xterm',
  TZ: 'UTC',
  HARNESS_API_TOKEN: 'api-token-value',
  HARNESS_DATABASE_URL: 'postgres://u:p@db/harness',
  DATABASE_URL: 'postgres://u:p@db/other',
  GITHUB_TOKEN: 'ghp_value',
  GH_TOKEN: 'gh_value',
  ANTHROPIC_API_KEY: 'sk-ant-value',
  OPENAI_API_KEY: 'sk-openai-value',
  CODEX_API_KEY: 'sk-codex-value',
  AWS_SECRET_ACCESS_KEY: 'aws-value',
  SOME_UNRELATED_VARIABLE: 'x',
  CLAUDECODE: '1',
  CLAUDE_CODE_ENTRYPOINT: 'cli',
  DISABLE_TELEMETRY: '1',
};

describe('agent environments', () => {
  it('inherit only the allowlist: no secret, no unknown variable, no nested-session marker', () => {
    expect(buildAgentEnv(harnessEnv)).toEqual({
      PATH: '/usr/bin:/bin',
      HOME: '/root',
      USER: 'root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C.UTF-8',
      TERM: 'xterm',
      TZ: 'UTC',
    });
  });

  it("add an agent's knobs and the operator's passthrough, never a Harness secret", () => {
    const env = buildAgentEnv(harnessEnv, {
      knobs: ['DISABLE_TELEMETRY', 'CLAUDECODE'],
      passthrough: ['SOME_UNRELATED_VARIABLE', 'GITHUB_TOKEN', 'MISSING'],
    });
    expect(env.DISABLE_TELEMETRY).toBe('1');
    expect(env.SOME_UNRELATED_VARIABLE).toBe('x');
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('CLAUDECODE');
    expect(env).not.toHaveProperty('MISSING');
  });

  it('take what Harness sets last, and remove what it sets to undefined', () => {
    const env = buildAgentEnv(harnessEnv, {
      set: { HOME: '/agent-home', ANTHROPIC_API_KEY: 'turn-cred', TZ: undefined },
    });
    expect(env).toMatchObject({ HOME: '/agent-home', ANTHROPIC_API_KEY: 'turn-cred' });
    expect(env).not.toHaveProperty('TZ');
  });

  it('name every secret of Harness as one passthrough must refuse', () => {
    for (const name of HARNESS_SECRET_ENV_NAMES) expect(isHarnessSecretEnvName(name)).toBe(true);
    expect(isHarnessSecretEnvName('github_token')).toBe(true);
    expect(isHarnessSecretEnvName('NPM_CONFIG_REGISTRY')).toBe(false);
  });
});
