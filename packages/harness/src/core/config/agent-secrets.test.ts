import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { maskSecrets, parseConfig, type ConfigErrorData } from './index.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-config-secrets-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, path.join(dir, 'harness.toml'), { env, home: dir, cwd: dir });

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    const data = (error as HarnessError).data as ConfigErrorData;
    return data.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected a config error');
}

describe('agents.env_passthrough and the keys behind the model gateway', () => {
  it('takes variable names to share with agents', () => {
    const config = parse('[agents]\nenv_passthrough = ["NPM_CONFIG_REGISTRY", "JAVA_HOME"]\n');
    expect(config.agents.env_passthrough).toEqual(['NPM_CONFIG_REGISTRY', 'JAVA_HOME']);
    expect(parse('').agents.env_passthrough).toEqual([]);
  });

  it("refuses Harness's own secrets, naming the key path and why", () => {
    const issues = issuesOf(() =>
      parse('[agents]\nenv_passthrough = ["HOME_DIR", "GITHUB_TOKEN", "openai_api_key", "not a name"]\n'),
    );
    expect(issues).toEqual([
      expect.stringMatching(/^agents\.env_passthrough\[1\]: GITHUB_TOKEN is one of Harness's own secrets/),
      expect.stringMatching(/^agents\.env_passthrough\[2\]: openai_api_key is one of Harness's own secrets/),
      expect.stringMatching(/^agents\.env_passthrough\[3\]: expected an environment variable name/),
    ]);
  });

  it('folds provider keys and base URLs from the environment, a file value winning', () => {
    const env = {
      OPENAI_API_KEY: 'sk-openai',
      CODEX_API_KEY: 'sk-codex',
      OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:2',
    };
    const config = parse('', env);
    expect(config.agents.codex).toMatchObject({ api_key: 'sk-openai', base_url: 'http://127.0.0.1:1/v1' });
    expect(config.agents.claude.base_url).toBe('http://127.0.0.1:2');
    // The Anthropic API adapter honours ANTHROPIC_BASE_URL as Claude Code does; the file still wins.
    expect(config.agents.anthropic_api.base_url).toBe('http://127.0.0.1:2');
    expect(parse('', {}).agents.anthropic_api.base_url).toBe('https://api.anthropic.com');
    expect(
      parse('[agents.anthropic_api]\nbase_url = "http://127.0.0.1:4"\n', env).agents.anthropic_api.base_url,
    ).toBe('http://127.0.0.1:4');
    expect(parse('', { CODEX_API_KEY: 'sk-codex' }).agents.codex.api_key).toBe('sk-codex');
    const fromFile = parse('[agents.codex]\napi_key = "sk-file"\nbase_url = "http://127.0.0.1:3/v1"\n', env);
    expect(fromFile.agents.codex).toMatchObject({
      api_key: 'sk-file',
      base_url: 'http://127.0.0.1:3/v1',
    });
    expect(maskSecrets(fromFile)).toMatchObject({ agents: { codex: { api_key: '****' } } });
  });

  it('refuses a base URL from the environment that is not http(s), naming the variable', () => {
    const issues = issuesOf(() => parse('', { OPENAI_BASE_URL: 'ftp://x' }));
    expect(issues).toEqual(['agents.codex.base_url: expected an http:// or https:// URL, got "ftp://x"']);
  });
});
