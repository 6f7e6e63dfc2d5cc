import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { defaultProject, loadConfig, maskSecrets, parseProjectFlag } from './index.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-config-')));
  file = path.join(dir, 'h.toml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(text: string, projectFlags: string[] = [], env: NodeJS.ProcessEnv = {}) {
  writeFileSync(file, text);
  return loadConfig({
    configPath: file,
    projectFlags,
    env,
    home: path.join(dir, 'home'),
    cwd: path.join(dir, 'cwd'),
  });
}

function errorOf(fn: () => unknown): HarnessError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return error as HarnessError;
  }
  throw new Error('expected an error');
}

const twoProjects = `
[[projects]]
name = "api"
root = "/srv/api"
max_concurrent = 3
default_agent = "claude"
[[projects]]
name = "web"
root = "/srv/web"
default = true
`;

describe('--project flags', () => {
  it('parses name=path', () => {
    expect(parseProjectFlag('api=~/src/api')).toEqual({ name: 'api', root: '~/src/api' });
    expect(parseProjectFlag('a=b=c')).toEqual({ name: 'a', root: 'b=c' });
  });

  it.each([
    ['api', 'missing "="'],
    ['=/x', 'empty project name'],
    ['api=', 'empty project path'],
    ['default=/x', 'bad project name "default"'],
    ['my proj=/x', 'bad project name "my proj"'],
  ])('rejects %j with a clear error', (flag, expected) => {
    const error = errorOf(() => parseProjectFlag(flag));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(`--project ${JSON.stringify(flag)}: ${expected}`);
  });

  it('win over [[projects]] on the same name, keeping the entry other settings', () => {
    const { config } = load(twoProjects, ['api=../elsewhere', 'new=~/new']);
    expect(config.projects).toEqual([
      {
        name: 'api',
        root: path.join(dir, 'elsewhere'),
        default: false,
        max_concurrent: 3,
        default_agent: 'claude',
      },
      { name: 'web', root: '/srv/web', default: true, max_concurrent: 2 },
      { name: 'new', root: path.join(dir, 'home', 'new'), default: false, max_concurrent: 2 },
    ]);
    expect(defaultProject(config)?.name).toBe('web');
  });

  it('rejects the same name given twice', () => {
    const error = errorOf(() => load('', ['a=/x', 'a=/y']));
    expect(error.message).toContain('--project "a=/y": project "a" given twice');
  });

  it('are checked against allowed_project_roots and blamed on the flag', () => {
    const error = errorOf(() => load('[server]\nallowed_project_roots = ["/srv"]\n', ['a=/elsewhere/x']));
    expect(error.message).toContain('--project "a=/elsewhere/x": projects[0].root: /elsewhere/x is outside');
  });
});

describe('default project', () => {
  it('is the first project when none is marked, exposed through the default flag', () => {
    const { config } = load('[[projects]]\nname = "a"\nroot = "/a"\n[[projects]]\nname = "b"\nroot = "/b"\n');
    expect(config.projects.map((p) => p.default)).toEqual([true, false]);
    expect(defaultProject(config)?.name).toBe('a');
  });
});

describe('environment folding', () => {
  const env = {
    HARNESS_API_TOKEN: 'env-token',
    ANTHROPIC_API_KEY: 'env-key',
    GITHUB_TOKEN: 'env-gh',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
  };

  it('fills unset secrets and the OTLP endpoint from the environment', () => {
    const { config } = load('', [], env);
    expect(config.server.api_token).toBe('env-token');
    expect(config.agents.anthropic_api.api_key).toBe('env-key');
    expect(config.github.token).toBe('env-gh');
    expect(config.otel.endpoint).toBe('http://collector:4318');
  });

  it('lets the file win and treats empty variables as unset', () => {
    const text = '[server]\napi_token = "file"\n[otel]\nendpoint = "https://otel.example"\n';
    const { config } = load(text, [], { ...env, GITHUB_TOKEN: '' });
    expect(config.server.api_token).toBe('file');
    expect(config.otel.endpoint).toBe('https://otel.example');
    expect(config.github.token).toBeUndefined();
  });

  it('rejects a malformed OTEL_EXPORTER_OTLP_ENDPOINT, naming the variable', () => {
    const error = errorOf(() => load('', [], { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }));
    expect(error.message).toContain(
      'env OTEL_EXPORTER_OTLP_ENDPOINT: otel.endpoint: expected an http:// or https:// URL',
    );
  });
});

describe('maskSecrets', () => {
  it('replaces set secrets with **** and leaves unset ones absent, without touching the config', () => {
    const { config } = load('[server]\ngithub_webhook_secret = "whsec"\n', [], {
      ANTHROPIC_API_KEY: 'sk-ant-1',
    });
    const masked = maskSecrets(config) as {
      server: Record<string, unknown>;
      agents: { anthropic_api: Record<string, unknown> };
      github: Record<string, unknown>;
    };
    expect(masked.server.github_webhook_secret).toBe('****');
    expect(masked.agents.anthropic_api.api_key).toBe('****');
    expect('api_token' in masked.server).toBe(false);
    expect('token' in masked.github).toBe(false);
    expect(JSON.stringify(masked)).not.toMatch(/whsec|sk-ant-1/);
    expect(config.server.github_webhook_secret).toBe('whsec');
  });
});
