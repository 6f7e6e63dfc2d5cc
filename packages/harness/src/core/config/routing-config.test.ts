import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { parseConfig } from './index.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-routing-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const parse = (text: string) =>
  parseConfig(text, path.join(dir, 'harness.toml'), { env: {}, home: dir, cwd: dir });

function problem(text: string): string {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    return (error as HarnessError).message;
  }
  throw new Error('expected a config error');
}

describe('routing and AGENTS.md settings', () => {
  it('takes complexity_preferred_agents as an array or per complexity, with models per complexity and agent', () => {
    expect(
      parse('[agents]\ncomplexity_preferred_agents = ["codex"]\n').agents.complexity_preferred_agents,
    ).toEqual(['codex']);
    const table = parse(
      [
        '[agents.complexity_preferred_agents]',
        'simple = ["anthropic_api"]',
        'critical = ["claude", "codex"]',
        '[agents.complexity_preferred_models.critical]',
        'claude = "opus"',
        '',
      ].join('\n'),
    ).agents;
    expect(table.complexity_preferred_agents).toEqual({
      simple: ['anthropic_api'],
      critical: ['claude', 'codex'],
    });
    expect(table.complexity_preferred_models).toEqual({ critical: { claude: 'opus' } });
  });

  it('names what is wrong in a routing setting', () => {
    expect(problem('[agents]\ncomplexity_preferred_agents = "claude"\n')).toContain(
      'expected an array of agent names, or a table of them per complexity',
    );
    expect(problem('[agents.complexity_preferred_models.huge]\nclaude = "opus"\n')).toContain('huge');
    expect(problem('[agents.complexity_preferred_models.simple]\ngpt = "x"\n')).toContain('gpt');
  });

  it('defaults [agents_md] to no fallback names and 32 KiB, and refuses a fallback name with a folder', () => {
    expect(parse('').agents_md).toEqual({ fallback_filenames: [], max_bytes: 32_768 });
    expect(problem('[agents_md]\nfallback_filenames = ["docs/TEAM.md"]\n')).toContain(
      'expected a file name without a folder, such as "TEAM.md", got "docs/TEAM.md"',
    );
    expect(problem('[agents_md]\nmax_bytes = -1\n')).toContain('agents_md.max_bytes');
  });
});
