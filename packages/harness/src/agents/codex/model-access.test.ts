import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelGateway } from '../gateway/index.js';
import { type ModelAccess } from '../gateway/index.js';
import { codexGatewayArgs, codexModelAccess, CODEX_GATEWAY_KEY_ENV, hasCodexLogin } from './model-access.js';

const dirs: string[] = [];
const codexHome = (toml?: string, auth = false): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-codex-access-'));
  dirs.push(dir);
  if (toml !== undefined) writeFileSync(path.join(dir, 'config.toml'), toml);
  if (auth) writeFileSync(path.join(dir, 'auth.json'), '{}');
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("Codex's model access", () => {
  const gateway = {
    mode: 'gateway',
    gateway: {} as ModelGateway,
    upstream: { provider: 'openai', url: 'https://api.openai.com/v1', apiKey: 'k' },
    reason: 'through the gateway',
  } satisfies ModelAccess;

  it('goes through the gateway when Harness holds a key and config.toml picks no other provider', () => {
    expect(codexModelAccess(codexHome(), gateway)).toBe(gateway);
    expect(codexModelAccess(codexHome('model_provider = "openai"\n', true), gateway)).toBe(gateway);
    expect(codexModelAccess(codexHome('this is not toml ['), gateway)).toBe(gateway);
  });

  it("keeps the operator's own provider, saying which", () => {
    const home = codexHome('model_provider = "azure"\n[model_providers.azure]\nname = "Azure"\n');
    const access = codexModelAccess(home, gateway);
    expect(access).toMatchObject({ mode: 'direct' });
    expect(access.reason).toContain('selects model_provider "azure"');
    expect(hasCodexLogin(home)).toBe(true);
  });

  it('keeps its own login when Harness holds no OpenAI key', () => {
    const access = codexModelAccess(codexHome(undefined, true), undefined);
    expect(access).toMatchObject({ mode: 'direct' });
    expect(access.reason).toContain('no OpenAI API key');
    expect(hasCodexLogin(codexHome(undefined, true))).toBe(true);
    expect(hasCodexLogin(codexHome())).toBe(false);
  });

  it('names the gateway as a provider on the command line, with the credential in an env_key', () => {
    const args = codexGatewayArgs({
      credential: 'c'.repeat(64),
      baseUrl: 'http://127.0.0.1:5',
      usage: {} as never,
      revoke: () => {},
    });
    expect(args).toEqual([
      '-c',
      'model_providers.harness.name="Harness model gateway"',
      '-c',
      'model_providers.harness.base_url="http://127.0.0.1:5"',
      '-c',
      'model_providers.harness.wire_api="responses"',
      '-c',
      `model_providers.harness.env_key="${CODEX_GATEWAY_KEY_ENV}"`,
      '-c',
      'model_provider="harness"',
    ]);
    expect(args.join(' ')).not.toContain('c'.repeat(64));
  });
});
