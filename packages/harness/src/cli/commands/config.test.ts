import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { parse as parseToml } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../core/index.js';
import { registerConfigCommand } from './config.js';

let dir: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-cli-config-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
}

/** Runs `harness <args>` in-process against a program shaped like the real one (same global options). */
async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const result: Run = { stdout: '', stderr: '', exitCode: undefined };
  const program = new Command('harness')
    .exitOverride()
    .option('--config <path>', 'config file')
    .option('--project <name=path>', 'project', (value: string, previous: string[] = []) => [
      ...previous,
      value,
    ])
    .option('--json', 'JSON output');
  registerConfigCommand(program, {
    stdout: { write: (chunk: string) => (result.stdout += chunk) },
    stderr: { write: (chunk: string) => (result.stderr += chunk) },
    env,
    cwd: dir,
    home: path.join(dir, 'home'),
    setExitCode: (code) => {
      result.exitCode = code;
    },
  });
  await program.parseAsync(args, { from: 'user' });
  return result;
}

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('harness config show', () => {
  it('prints the effective config as TOML with secrets masked', async () => {
    const file = write(
      'h.toml',
      '[server]\napi_token = "top-secret"\n[[projects]]\nname = "a"\nroot = "repo"\n',
    );
    const out = await run(['--config', file, 'config', 'show'], { GITHUB_TOKEN: 'ghp_env' });
    expect(out.exitCode).toBeUndefined();
    expect(out.stderr).toBe('');
    expect(out.stdout).toContain(`Source file: ${file}`);
    expect(out.stdout).not.toMatch(/top-secret|ghp_env/);
    const shown = parseToml(out.stdout) as {
      server: { api_token: string };
      github: { token: string };
      projects: unknown[];
    };
    expect(shown.server.api_token).toBe('****');
    expect(shown.github.token).toBe('****');
    expect(shown.projects).toEqual([
      { name: 'a', root: path.join(dir, 'repo'), default: true, max_concurrent: 2 },
    ]);
  });

  it('prints output that is itself a valid config file', async () => {
    const out = await run(['config', 'show'], {});
    expect(() =>
      parseConfig(out.stdout, path.join(dir, 'shown.toml'), { env: {}, home: dir, cwd: dir }),
    ).not.toThrow();
    expect(out.stdout).toContain('Source file: none (built-in defaults)');
  });

  it('prints JSON with --json, merging --project flags', async () => {
    const out = await run(['--json', '--project', 'x=./x', '--project', 'y=/y', 'config', 'show']);
    const shown = JSON.parse(out.stdout) as {
      file: string | null;
      config: { projects: { name: string; root: string }[] };
    };
    expect(shown.file).toBeNull();
    expect(shown.config.projects.map((p) => [p.name, p.root])).toEqual([
      ['x', path.join(dir, 'x')],
      ['y', '/y'],
    ]);
  });

  it('reports a broken file on stderr with exit code 1', async () => {
    const file = write('bad.toml', '[agents.review]\nmax_rounds = "three"\n');
    const out = await run(['--config', file, 'config', 'show']);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(
      `${file}: agents.review.max_rounds: expected an integer from 1 to 20, got "three"`,
    );
  });
});

describe('harness config validate', () => {
  it('says ok with a summary, counting overlays', async () => {
    const repo = path.join(dir, 'repo');
    write('repo/.harness/config.toml', '[git]\nbase_branch = "develop"\n');
    mkdirSync(path.join(dir, 'other'));
    const file = write(
      'h.toml',
      `[[projects]]\nname = "a"\nroot = "${repo}"\n[[projects]]\nname = "b"\nroot = "other"\n`,
    );
    const out = await run(['config', 'validate', file]);
    expect(out.exitCode).toBe(0);
    expect(out.stdout).toBe(`ok: ${file}: 2 projects, default "a", 1 overlay\n`);
  });

  it('validates the file that would be loaded when no path is given', async () => {
    const file = write('home/.config/harness/config.toml', '[server]\nlog_level = "debug"\n');
    const out = await run(['config', 'validate']);
    expect(out.stdout).toBe(`ok: ${file}: 0 projects, 0 overlays\n`);
    const xdg = await run(['config', 'validate'], { XDG_CONFIG_HOME: path.join(dir, 'nowhere') });
    expect(xdg.stdout).toBe('ok: no config file (built-in defaults): 0 projects, 0 overlays\n');
  });

  it('reports every problem in the file, then in overlays and project roots', async () => {
    const overlay = write('repo/.harness/config.toml', '[agent]\ndefault = "codex"\n[gti]\n');
    const file = write(
      'h.toml',
      `[[projects]]\nname = "a"\nroot = "${path.dirname(path.dirname(overlay))}"\n[[projects]]\nname = "gone"\nroot = "/does/not/exist"\n`,
    );
    const out = await run(['config', 'validate', file]);
    expect(out.exitCode).toBe(1);
    expect(out.stderr.trim().split('\n')).toEqual([
      `error: ${overlay}: gti: unknown key (did you mean "git"?)`,
      `error: ${file}: projects[1].root: /does/not/exist is not a directory`,
    ]);
    const fixed = write(
      'repo/.harness/config.toml',
      '[agent]\ndefault = "codex"\n[review]\nreviewer_agent = "codex"\n',
    );
    const again = await run(['config', 'validate', file, '--project', 'gone=repo']);
    expect(again.stderr).toContain(`error: ${fixed}: agent.default: "codex" is also the reviewer`);
  });

  it('reports a missing file and a syntax error', async () => {
    const missing = await run(['config', 'validate', 'nope.toml']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(`error: ${path.join(dir, 'nope.toml')}: file does not exist\n`);
    const file = write('syntax.toml', '[server]\nlog_level = \n');
    const syntax = await run(['config', 'validate', file]);
    expect(syntax.stderr).toContain(`${file}: TOML syntax error at line 2`);
  });

  it('prints a JSON report with --json', async () => {
    const file = write('bad.toml', '[server]\ntransport = "tcp"\n');
    const out = await run(['--json', 'config', 'validate', file]);
    expect(out.exitCode).toBe(1);
    expect(JSON.parse(out.stdout)).toEqual({
      ok: false,
      file,
      projects: 0,
      default_project: null,
      overlays: [],
      errors: [`${file}: server.transport: expected one of "stdio", "http", "ws", got "tcp"`],
    });
  });
});
