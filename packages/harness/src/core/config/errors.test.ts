import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HarnessError } from '../errors.js';
import { parseConfig, type ConfigErrorData } from './index.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'harness-config-')));
  file = path.join(dir, 'h.toml');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function failure(text: string, env: NodeJS.ProcessEnv = {}): HarnessError & { data: ConfigErrorData } {
  try {
    parseConfig(text, file, { env, home: dir, cwd: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(HarnessError);
    expect((error as HarnessError).code).toBe('config_invalid');
    return error as HarnessError & { data: ConfigErrorData };
  }
  throw new Error('expected a config error');
}

describe('config errors', () => {
  it('names file, key path, expectation and the offending value', () => {
    const error = failure('[agents.review]\nmax_rounds = "three"\n');
    expect(error.message).toContain(
      `${file}: agents.review.max_rounds: expected an integer from 1 to 20, got "three"`,
    );
    expect(error.data).toEqual({
      file,
      issues: [
        { path: 'agents.review.max_rounds', message: 'expected an integer from 1 to 20, got "three"' },
      ],
    });
  });

  it('lists every problem, one per line', () => {
    const error = failure(`
[server]
transport = "websocket"
ws_heartbeat_interval_secs = 0
[agents]
stall_timeout_secs = 1.5
max_cost_usd_per_turn = 0
[agents.claude]
enabled = "yes"
extra_args = "--x"
[otel]
endpoint = "ftp://x"
`);
    const lines = error.message.split('\n').slice(1);
    expect(lines).toEqual([
      `${file}: server.transport: expected one of "stdio", "http", "ws", got "websocket"`,
      `${file}: server.ws_heartbeat_interval_secs: expected an integer >= 1, got 0`,
      `${file}: agents.stall_timeout_secs: expected an integer >= 1, got 1.5`,
      `${file}: agents.max_cost_usd_per_turn: expected a number greater than 0, got 0`,
      `${file}: agents.claude.enabled: expected true or false, got "yes"`,
      `${file}: agents.claude.extra_args: expected an array of non-empty strings, got "--x"`,
      `${file}: otel.endpoint: expected an http:// or https:// URL, got "ftp://x"`,
    ]);
    expect(error.message.split('\n')[0]).toBe('invalid configuration (7 problems):');
  });

  it('rejects unknown keys with a did-you-mean hint', () => {
    const error = failure(
      '[sever]\nx = 1\n[agents.review]\nreviewer = "claude"\n[gc.signal_thresholds]\nviolations_min = 3\n',
    );
    expect(error.data.issues).toEqual([
      { path: 'agents.review.reviewer', message: 'unknown key (did you mean "reviewer_agent"?)' },
      { path: 'gc.signal_thresholds.violations_min', message: 'unknown key (did you mean "violation_min"?)' },
      { path: 'sever', message: 'unknown key (did you mean "server"?)' },
    ]);
  });

  it('lists the known keys when nothing is close, and checks [[projects]] entries too', () => {
    const error = failure('[observe]\nzzz = 1\n[[projects]]\nname = "a"\nroot = "/a"\nmaxconcurrent = 3\n');
    expect(error.message).toContain(
      `${file}: observe.zzz: unknown key (expected one of: log_retention_days)`,
    );
    expect(error.message).toContain(
      `${file}: projects[0].maxconcurrent: unknown key (did you mean "max_concurrent"?)`,
    );
  });

  it('reports missing required project keys and a section of the wrong type', () => {
    const error = failure('server = 3\n[[projects]]\nname = ""\n');
    expect(error.data.issues).toEqual([
      { path: 'server', message: 'expected a table, got 3' },
      { path: 'projects[0].name', message: expect.stringContaining('expected a project name') },
      { path: 'projects[0].root', message: 'missing (expected a non-empty path)' },
    ]);
  });

  it('names the file, line and column of a TOML syntax error without echoing the line', () => {
    const error = failure('[server]\nlog_level = "info"\napi_token = "s3cret-value\n');
    expect(error.message).toMatch(new RegExp(`${file}: TOML syntax error at line 3, column \\d+: `));
    expect(error.message).not.toContain('s3cret');
  });

  it('never echoes secret values', () => {
    const error = failure(
      '[server]\napi_token = ""\ngithub_webhook_secret = 12345\n[github]\ntoken = ["ghp_abc"]\n',
    );
    expect(error.message).toContain(
      'server.api_token: expected a non-empty string, got a string (value hidden)',
    );
    expect(error.message).toContain(
      'server.github_webhook_secret: expected a non-empty string, got a number',
    );
    expect(error.message).not.toContain('12345');
    expect(error.message).not.toContain('ghp_abc');
  });

  it('rejects a per-signal budget above the total budget', () => {
    const error = failure('[gc]\nbudget_per_signal_usd = 6\ntotal_budget_usd = 5\n');
    expect(error.data.issues).toEqual([
      {
        path: 'gc.budget_per_signal_usd',
        message: '6 exceeds gc.total_budget_usd (5) (expected at most the total budget)',
      },
    ]);
  });

  it('rejects duplicate project names, two defaults and roots outside allowed_project_roots', () => {
    const error = failure(`
[server]
allowed_project_roots = ["/srv"]
[[projects]]
name = "a"
root = "/srv/a"
default = true
[[projects]]
name = "a"
root = "/elsewhere"
default = true
`);
    expect(error.data.issues.map((i) => i.path)).toEqual([
      'projects[1].name',
      'projects[1].default',
      'projects[1].root',
    ]);
    expect(error.message).toContain('duplicate project name "a"');
    expect(error.message).toContain('/elsewhere is outside server.allowed_project_roots');
  });

  it('validates URLs, handles and integer-ness', () => {
    const error = failure(
      '[agents.anthropic_api]\nbase_url = "not a url"\nmax_tokens = 10.5\n[github]\nmention_handle = "harness"\n',
    );
    expect(error.data.issues.map((i) => i.path)).toEqual([
      'agents.anthropic_api.base_url',
      'agents.anthropic_api.max_tokens',
      'github.mention_handle',
    ]);
  });
});
