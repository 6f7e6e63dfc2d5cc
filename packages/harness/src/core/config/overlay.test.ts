import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { loadProjectOverlay, parseConfig, resolveProjectSettings, type HarnessConfig } from './index.js';

let dir: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-overlay-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A project directory with the given overlay text (none when undefined). */
function project(name: string, overlay?: string): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, '.harness'), { recursive: true });
  if (overlay !== undefined) writeFileSync(path.join(root, '.harness', 'config.toml'), overlay);
  return root;
}

function overlayFile(name: string): string {
  return path.join(dir, name, '.harness', 'config.toml');
}

function config(text: string): HarnessConfig {
  return parseConfig(text, path.join(dir, 'h.toml'), { env: {}, home: dir, cwd: dir });
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

describe('loadProjectOverlay', () => {
  it('returns defaults when the project has no overlay', () => {
    expect(loadProjectOverlay(project('bare'))).toEqual({
      file: null,
      git: { remote: 'origin', branch_prefix: 'harness/' },
      validation: { pre_commit: [], pre_push: [], timeout_secs: 120, max_retries: 2 },
      agent: {},
      review: {},
      concurrency: {},
      gc: {},
      skills: { always: [] },
      preflight: {},
    });
  });

  it('reads [skills] always, refusing a name that is not a skill name', () => {
    expect(
      loadProjectOverlay(project('skills', '[skills]\nalways = ["review", "build-fix"]\n')).skills,
    ).toEqual({
      always: ['review', 'build-fix'],
    });
    expect(() => loadProjectOverlay(project('bad-skill', '[skills]\nalways = ["../x"]\n'))).toThrow(
      /skills\.always\[0\]: expected a skill name .* got "\.\.\/x"/,
    );
  });

  it('reads the product description example', () => {
    const root = project(
      'p',
      `[git]
base_branch = "develop"
remote = "upstream"
branch_prefix = "fix/"
[validation]
pre_commit = ["cargo fmt --all -- --check", "cargo check"]
timeout_secs = 120
[agent]
default = "auto"
[review]
enabled = true
[concurrency]
max_concurrent_tasks = 3
`,
    );
    const overlay = loadProjectOverlay(root);
    expect(overlay.file).toBe(overlayFile('p'));
    expect(overlay.git).toEqual({ base_branch: 'develop', remote: 'upstream', branch_prefix: 'fix/' });
    expect(overlay.validation.pre_commit).toEqual(['cargo fmt --all -- --check', 'cargo check']);
    expect(overlay).toMatchObject({ agent: { default: 'auto' }, review: { enabled: true } });
    expect(overlay.concurrency.max_concurrent_tasks).toBe(3);
  });

  it('names the overlay file for unknown keys and bad values', () => {
    const root = project('p', '[git]\nbase_brach = "main"\nremote = "up stream"\n[validaton]\n');
    const error = errorOf(() => loadProjectOverlay(root));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(`${overlayFile('p')}: git.remote: expected a remote name`);
    expect(error.message).toContain(
      `${overlayFile('p')}: git.base_brach: unknown key (did you mean "base_branch"?)`,
    );
    expect(error.message).toContain(
      `${overlayFile('p')}: validaton: unknown key (did you mean "validation"?)`,
    );
  });

  it('names the overlay file and line for a syntax error', () => {
    const error = errorOf(() => loadProjectOverlay(project('p', '[git\n')));
    expect(error.message).toContain(`${overlayFile('p')}: TOML syntax error at line 1`);
  });

  it.each([
    ['base_branch', 'feature/x', true],
    ['base_branch', 'a..b', false],
    ['base_branch', '-rf', false],
    ['base_branch', 'x.lock', false],
    ['base_branch', 'main/', false],
    ['base_branch', 'a;rm', false],
    ['remote', 'up/stream', false],
    ['branch_prefix', 'bot/harness/', true],
    ['branch_prefix', '', true],
    ['branch_prefix', '/x', false],
    ['branch_prefix', 'a//b', false],
  ])('checks git.%s = %j', (key, value, ok) => {
    const root = project('p', `[git]\n${key} = ${JSON.stringify(value)}\n`);
    if (ok) expect(loadProjectOverlay(root).git[key as 'remote']).toBe(value);
    else expect(errorOf(() => loadProjectOverlay(root)).message).toContain(`git.${key}: expected`);
  });
});

describe('resolveProjectSettings', () => {
  it('merges server defaults, the [[projects]] entry and the overlay, most specific last', () => {
    const root = project(
      'p',
      '[review]\nmax_rounds = 5\n[concurrency]\nmax_concurrent_tasks = 7\n[git]\nremote = "up"\n',
    );
    const settings = resolveProjectSettings(
      config(
        `[agents]\ndefault_agent = "claude"\n[[projects]]\nname = "p"\nroot = "${root}"\nmax_concurrent = 3\n`,
      ),
      'p',
    );
    expect(settings).toEqual({
      name: 'p',
      root,
      is_default: true,
      overlay_file: overlayFile('p'),
      git: { remote: 'up', branch_prefix: 'harness/', deliver: 'auto', keep_failed_branches: true },
      validation: { pre_commit: [], pre_push: [], timeout_secs: 120, max_retries: 2, guard_severity: 'high' },
      agent: { default: 'claude' },
      review: {
        enabled: true,
        reviewer_agent: 'auto',
        max_rounds: 5,
        challenger_agent: 'none',
        challenge_rounds: 3,
        min_confidence: 0,
      },
      preflight: { enabled: false },
      max_concurrent: 7,
    });
  });

  it('uses the project entry when there is no overlay', () => {
    const root = project('q');
    const cfg = config(
      `[[projects]]\nname = "q"\nroot = "${root}"\nmax_concurrent = 3\ndefault_agent = "codex"\nreviewer_agent = "claude"\n`,
    );
    expect(resolveProjectSettings(cfg, 'q')).toMatchObject({
      overlay_file: null,
      agent: { default: 'codex' },
      review: { reviewer_agent: 'claude', max_rounds: 3 },
      max_concurrent: 3,
    });
  });

  it('rejects an overlay whose agent is the effective reviewer, naming both keys', () => {
    const root = project('p', '[agent]\ndefault = "codex"\n');
    const error = errorOf(() =>
      resolveProjectSettings(
        config(`[agents.review]\nreviewer_agent = "codex"\n[[projects]]\nname = "p"\nroot = "${root}"\n`),
        'p',
      ),
    );
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(
      `${overlayFile('p')}: agent.default: "codex" is also the reviewer (agents.review.reviewer_agent in the server config)`,
    );
  });

  it('rejects an overlay reviewer equal to the project agent, and one that is disabled', () => {
    const root = project('p', '[review]\nreviewer_agent = "claude"\n');
    const cfg = config(`[[projects]]\nname = "p"\nroot = "${root}"\ndefault_agent = "claude"\n`);
    expect(errorOf(() => resolveProjectSettings(cfg, 'p')).message).toContain(
      `${overlayFile('p')}: review.reviewer_agent: "claude" is also the implementing agent (projects[0].default_agent in the server config)`,
    );
    const disabled = config(`[agents.claude]\nenabled = false\n[[projects]]\nname = "p"\nroot = "${root}"\n`);
    expect(errorOf(() => resolveProjectSettings(disabled, 'p')).message).toContain(
      'review.reviewer_agent: reviewer "claude" has [agents.claude] enabled = false while review is enabled',
    );
  });

  it('accepts "auto" on either side and a disabled reviewer when the overlay turns review off', () => {
    const root = project('p', '[agent]\ndefault = "auto"\n[review]\nenabled = false\n');
    const cfg = config(
      `[agents.codex]\nenabled = false\n[agents.review]\nenabled = false\n[[projects]]\nname = "p"\nroot = "${root}"\n`,
    );
    expect(resolveProjectSettings(cfg, 'p').review).toEqual({
      enabled: false,
      reviewer_agent: 'auto',
      max_rounds: 3,
      challenger_agent: 'none',
      challenge_rounds: 3,
      min_confidence: 0,
    });
  });

  it('turns preflight on per project, and takes the challenger settings from the server', () => {
    const root = project('p', '[preflight]\nenabled = true\n');
    const cfg = config(
      `[agents.review]\nchallenger_agent = "codex"\nchallenge_rounds = 4\nmin_confidence = 0.5\n[[projects]]\nname = "p"\nroot = "${root}"\n`,
    );
    const settings = resolveProjectSettings(cfg, 'p');
    expect(settings.preflight).toEqual({ enabled: true });
    expect(settings.review).toMatchObject({
      challenger_agent: 'codex',
      challenge_rounds: 4,
      min_confidence: 0.5,
    });
  });

  it('reports an unknown project as not_found', () => {
    const error = errorOf(() => resolveProjectSettings(config(''), 'ghost'));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain('unknown project "ghost" (configured projects: none)');
  });
});
