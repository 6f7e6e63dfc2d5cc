/** The `harness` binary as a user meets it: help, version, exit codes, errors and colours. */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessBin, isolatedEnv, tempDir } from '@harness/testkit';

const dir = tempDir();
afterAll(() => dir.remove());

function harness(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [harnessBin, ...args], {
    env: isolatedEnv(dir.path, env),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('harness CLI', () => {
  it('prints its version', () => {
    const run = harness(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('has --help on every command', () => {
    const top = harness(['--help']);
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}(\w[\w-]*)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['serve', 'config']));
    for (const command of [...commands, 'config show', 'config validate']) {
      const help = harness([...command.split(' '), '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(/Usage: harness/);
    }
  });

  it('exits 2 on bad usage with a message that says what is wrong', () => {
    const unknown = harness(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const port = harness(['serve', '--port', 'eighty']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/port number/);
    const transport = harness(['serve', '--transport', 'carrier-pigeon']);
    expect(transport.code).toBe(2);
    expect(transport.stderr).toMatch(/carrier-pigeon/);
  });

  it("exits 2 on every command's bad usage, says what is wrong once, and prints nothing on stdout", () => {
    const cases: [string[], RegExp][] = [
      [['exec'], /missing required argument 'prompt'/],
      [['exec', '--frobnicate', 'x'], /unknown option '--frobnicate'/],
      [
        ['exec', '--sandbox-mode', 'wide-open', 'x'],
        /'wide-open' is invalid\. Allowed choices are read-only/,
      ],
      [
        ['exec', '--agent', 'gpt', 'x'],
        /'gpt' is invalid\. Allowed choices are claude, codex, anthropic_api/,
      ],
      [['serve', '--log-level', 'loud'], /'loud' is invalid/],
      [['rule', 'check'], /missing required argument 'path'/],
      [['init', '--frobnicate'], /unknown option '--frobnicate'/],
      [['doctor', '--frobnicate'], /unknown option '--frobnicate'/],
      [['config', 'frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const run = harness(args);
      const what = args.join(' ');
      expect(run.code, what).toBe(2);
      expect(run.stdout, what).toBe('');
      expect(run.stderr, what).toMatch(message);
      expect(run.stderr.match(/error:/g), what).toHaveLength(1);
    }
  });

  it('prints a failure once, with its code, and exits 1', () => {
    const missing = path.join(dir.path, 'missing.toml');
    for (const args of [
      ['--config', missing, 'doctor'],
      ['--config', missing, 'exec', 'x'],
      ['--config', missing, 'serve', '--transport', 'http', '--port', '0'],
    ]) {
      const run = harness(args);
      const what = args.join(' ');
      expect(run.code, what).toBe(1);
      expect(run.stdout, what).toBe('');
      expect(run.stderr.match(/error:/g), what).toHaveLength(1);
      expect(run.stderr, what).toContain(`${missing}: file does not exist [config_invalid]`);
    }
    const notRepo = harness(['init', dir.path]);
    expect(notRepo.code).toBe(1);
    expect(notRepo.stderr.match(/error:/g)).toHaveLength(1);
    expect(notRepo.stderr).toContain(`${dir.path} is not a git repository`);
  });

  it('refuses to serve with a broken config, naming the file and the key', () => {
    const file = path.join(dir.path, 'broken.toml');
    writeFileSync(file, '[server]\nhttp_adr = "127.0.0.1:1"\n[agents.review]\nmax_rounds = "three"\n');
    const run = harness(['--config', file, 'serve', '--transport', 'http', '--port', '0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/server\.http_adr/);
    expect(run.stderr).toMatch(/agents\.review\.max_rounds/);
  });

  it('prints no colour codes when output is not a terminal or NO_COLOR is set', () => {
    const run = harness(['frobnicate'], { FORCE_COLOR: '1' });
    expect(run.stderr).not.toContain('\u001b[');
    const config = harness(['config', 'show'], { FORCE_COLOR: '1' });
    expect(config.code).toBe(0);
    expect(config.stdout).not.toContain('\u001b[');
  });

  it('shows the effective config as JSON with --json, secrets masked', () => {
    const run = harness(['--json', 'config', 'show'], { HARNESS_API_TOKEN: 'sekret-value' });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('sekret-value');
    const shown = JSON.parse(run.stdout) as { config: { server: { http_addr: string; api_token: string } } };
    expect(shown.config.server.http_addr).toBe('127.0.0.1:9800');
    expect(shown.config.server.api_token).toBe('****');
  });
});
