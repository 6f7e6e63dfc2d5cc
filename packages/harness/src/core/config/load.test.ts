import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { defaultProject, loadConfig, parseConfig, resolveConfigFile, type ConfigErrorData } from './index.js';

let dir: string;
let home: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-config-')));
  home = path.join(dir, 'home');
  mkdirSync(home);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

function parse(text: string, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(text, path.join(dir, 'conf', 'harness.toml'), { env, home, cwd: dir });
}

function configError(fn: () => unknown): HarnessError & { data: ConfigErrorData } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('config_invalid');
    return error as HarnessError & { data: ConfigErrorData };
  }
  throw new Error('expected a config error');
}

describe('loadConfig: file lookup and defaults', () => {
  it('uses every default when no file exists', () => {
    const { config, file } = loadConfig({ env: {}, home, cwd: dir });
    expect(file).toBeNull();
    expect(config.server).toMatchObject({
      transport: 'stdio',
      http_addr: '127.0.0.1:9800',
      data_dir: path.join(home, '.local', 'share', 'harness'),
      project_root: dir,
      max_body_bytes: 1_048_576,
      ws_heartbeat_interval_secs: 30,
      shutdown_timeout_secs: 10,
      allowed_project_roots: [],
      log_level: 'info',
    });
    expect(config.server.api_token).toBeUndefined();
    expect(config.agents).toMatchObject({
      default_agent: 'auto',
      sandbox_mode: 'workspace-write',
      stall_timeout_secs: 300,
      turn_timeout_secs: 3600,
      claude: { enabled: true, cli_path: 'claude', default_model: 'sonnet', extra_args: [] },
      codex: { enabled: true, cli_path: 'codex', extra_args: [] },
      anthropic_api: {
        base_url: 'https://api.anthropic.com',
        default_model: 'claude-sonnet-4-20250514',
        max_tokens: 4096,
      },
      review: { enabled: true, reviewer_agent: 'auto', max_rounds: 3 },
    });
    expect(config.concurrency).toEqual({ max_concurrent_tasks: 4, lease_seconds: 30, max_queue_size: 32 });
    expect(config.store).toEqual({});
    expect(config.rules).toEqual({ exec_policy_paths: [], on_prompt: 'refuse', discovery_paths: [] });
    expect(config.gc).toMatchObject({
      max_drafts_per_run: 5,
      budget_per_signal_usd: 0.5,
      total_budget_usd: 5,
    });
    expect(config.gc.signal_thresholds).toEqual({
      repeated_warn_min: 10,
      chronic_block_min: 5,
      hot_file_edits_min: 20,
      slow_op_threshold_ms: 5000,
      slow_op_count_min: 10,
      escalation_ratio: 1.5,
      violation_min: 5,
      task_failure_min: 3,
      policy_denial_min: 5,
      validation_failure_min: 3,
      review_finding_min: 3,
      ci_failure_min: 3,
      changes_requested_min: 3,
    });
    expect(config.observe.log_retention_days).toBe(90);
    expect(config.otel).toMatchObject({
      environment: 'production',
      exporter: 'otlp-http',
      service_name: 'harness',
    });
    expect(config.github).toMatchObject({ api_url: 'https://api.github.com', mention_handle: '@harness' });
    expect(config.projects).toEqual([]);
    expect(defaultProject(config)).toBeUndefined();
  });

  it('puts data_dir under an absolute XDG_DATA_HOME and ignores a relative one', () => {
    const xdg = path.join(dir, 'xdg-data');
    expect(loadConfig({ env: { XDG_DATA_HOME: xdg }, home, cwd: dir }).config.server.data_dir).toBe(
      path.join(xdg, 'harness'),
    );
    expect(loadConfig({ env: { XDG_DATA_HOME: 'rel' }, home, cwd: dir }).config.server.data_dir).toBe(
      path.join(home, '.local', 'share', 'harness'),
    );
  });

  it('finds ~/.config/harness/config.toml, and $XDG_CONFIG_HOME/harness/config.toml when set', () => {
    const homeFile = path.join(home, '.config', 'harness', 'config.toml');
    mkdirSync(path.dirname(homeFile), { recursive: true });
    writeFileSync(homeFile, '[server]\nlog_level = "debug"\n');
    expect(loadConfig({ env: {}, home, cwd: dir })).toMatchObject({ file: homeFile });
    const xdgFile = write('xdg/harness/config.toml', '[server]\nlog_level = "warn"\n');
    const loaded = loadConfig({ env: { XDG_CONFIG_HOME: path.join(dir, 'xdg') }, home, cwd: dir });
    expect(loaded.file).toBe(xdgFile);
    expect(loaded.config.server.log_level).toBe('warn');
  });

  it('prefers --config over HARNESS_CONFIG over the default location', () => {
    const fromEnv = write('env.toml', '[server]\nlog_level = "error"\n');
    const fromFlag = write('flag.toml', '[server]\nlog_level = "silent"\n');
    expect(loadConfig({ env: { HARNESS_CONFIG: fromEnv }, home, cwd: dir }).config.server.log_level).toBe(
      'error',
    );
    const both = loadConfig({ configPath: 'flag.toml', env: { HARNESS_CONFIG: fromEnv }, home, cwd: dir });
    expect(both.file).toBe(fromFlag);
    expect(both.config.server.log_level).toBe('silent');
    expect(resolveConfigFile({ configPath: '~/x.toml', env: {}, home, cwd: dir })).toBe(
      path.join(home, 'x.toml'),
    );
  });

  it('rejects an explicit path that does not exist, naming it', () => {
    const missing = path.join(dir, 'nope.toml');
    const error = configError(() => loadConfig({ configPath: missing, env: {}, home, cwd: dir }));
    expect(error.message).toContain(`${missing}: file does not exist`);
    const viaEnv = configError(() => loadConfig({ env: { HARNESS_CONFIG: missing }, home, cwd: dir }));
    expect(viaEnv.data.file).toBe(missing);
    const directory = configError(() => loadConfig({ configPath: dir, env: {}, home, cwd: dir }));
    expect(directory.message).toContain('is a directory');
  });
});

describe('parseConfig: sections and values', () => {
  it('accepts the product description example', () => {
    const config = parse(`
[server]
transport = "stdio"
http_addr = "127.0.0.1:9800"
data_dir = "~/.local/share/harness"
project_root = "."
[agents]
default_agent = "auto"
sandbox_mode = "danger-full-access"
[agents.claude]
cli_path = "claude"
default_model = "sonnet"
[agents.codex]
cli_path = "codex"
[agents.anthropic_api]
base_url = "https://api.anthropic.com"
default_model = "claude-sonnet-4-20250514"
max_tokens = 4096
[agents.review]
enabled = true
reviewer_agent = "codex" # independent reviewer != implementor
max_rounds = 3
[gc]
max_drafts_per_run = 5
budget_per_signal_usd = 0.50
total_budget_usd = 5.0
draft_ttl_hours = 72
[observe]
log_retention_days = 90
[otel]
environment = "production"
exporter = "otlp-http"
[[projects]]
name = "harness"
root = "/path/to/harness"
default = true
max_concurrent = 2
[[projects]]
name = "litellm-rs"
root = "/path/to/litellm-rs"
max_concurrent = 2
`);
    expect(config.server.data_dir).toBe(path.join(home, '.local', 'share', 'harness'));
    expect(config.server.project_root).toBe(path.join(dir, 'conf'));
    expect(config.projects.map((p) => [p.name, p.root, p.default])).toEqual([
      ['harness', '/path/to/harness', true],
      ['litellm-rs', '/path/to/litellm-rs', false],
    ]);
  });

  it('reads a non-default value in every section', () => {
    const config = parse(`
[server]
transport = "http"
http_addr = "[::1]:0"
api_token = "tok"
github_webhook_secret = "whs"
max_body_bytes = 2048
ws_heartbeat_interval_secs = 5
shutdown_timeout_secs = 0
allowed_project_roots = ["~/src", "rel"]
log_level = "debug"
[agents]
default_agent = "codex"
complexity_preferred_agents = ["codex", "claude"]
sandbox_mode = "workspace-write"
stall_timeout_secs = 60
turn_timeout_secs = 600
max_cost_usd_per_turn = 2.5
[agents.claude]
enabled = false
cli_path = "~/bin/claude"
max_turns = 40
extra_args = ["--verbose"]
[agents.codex]
default_model = "gpt-5-codex"
[agents.anthropic_api]
base_url = "http://127.0.0.1:8080"
api_key = "sk-ant"
[agents.review]
reviewer_agent = "auto"
max_rounds = 20
[concurrency]
max_concurrent_tasks = 8
max_queue_size = 100
[rules]
exec_policy_paths = ["policies/default.star"]
on_prompt = "needs_input"
[gc]
max_drafts_per_run = 0
[gc.signal_thresholds]
escalation_ratio = 2.0
violation_min = 1
[observe]
log_retention_days = 0
[otel]
exporter = "otlp-grpc"
endpoint = "http://127.0.0.1:4317"
log_user_prompt = true
service_name = "harness-dev"
[github]
api_url = "https://github.example.com/api/v3"
token = "ghp"
mention_handle = "@harness-bot"
[[projects]]
name = "p.1_x-y"
root = "~/src/p"
max_concurrent = 1
default_agent = "codex"
reviewer_agent = "anthropic_api"
`);
    expect(config.server.http_addr).toBe('[::1]:0');
    expect(config.server.allowed_project_roots).toEqual([
      path.join(home, 'src'),
      path.join(dir, 'conf', 'rel'),
    ]);
    expect(config.agents.claude).toMatchObject({
      enabled: false,
      cli_path: path.join(home, 'bin', 'claude'),
    });
    expect(config.agents.max_cost_usd_per_turn).toBe(2.5);
    expect(config.rules.exec_policy_paths).toEqual([path.join(dir, 'conf', 'policies', 'default.star')]);
    expect(config.gc.signal_thresholds).toMatchObject({
      escalation_ratio: 2,
      violation_min: 1,
      repeated_warn_min: 10,
    });
    expect(config.otel).toMatchObject({ exporter: 'otlp-grpc', endpoint: 'http://127.0.0.1:4317' });
    expect(config.github.mention_handle).toBe('@harness-bot');
    expect(config.projects[0]).toMatchObject({
      root: path.join(home, 'src', 'p'),
      default: true,
      reviewer_agent: 'anthropic_api',
    });
  });

  it('resolves relative project roots against the config file directory', () => {
    const config = parse('[[projects]]\nname = "a"\nroot = "../repo"\n');
    expect(config.projects[0]!.root).toBe(path.join(dir, 'repo'));
  });

  it.each([
    ['localhost:80', true],
    ['0.0.0.0:65535', true],
    ['[2001:db8::1]:9800', true],
    ['example.com', false],
    ['127.0.0.1:70000', false],
    [':9800', false],
    ['[nothex]:1', false],
    ['a b:1', false],
  ])('validates http_addr %s', (addr, ok) => {
    const run = () => parse(`[server]\nhttp_addr = "${addr}"\n`);
    if (ok) expect(run().server.http_addr).toBe(addr);
    else expect(configError(run).message).toContain('server.http_addr: expected host:port');
  });
});
