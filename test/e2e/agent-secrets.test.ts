/**
 * The leak from the issue, end to end: Harness is started with its API token, the GitHub token, a
 * webhook secret, a database URL and both provider keys set to recognisable values; an agent (the
 * real Claude Code CLI, the real Codex CLI, the API tool loop) dumps its environment, its own
 * /proc environ and its parent's into a file of the worktree. None of the values may be in it; the
 * models upstream still get the real keys, through Harness's gateway; the credential the agent did
 * see is refused once its turn is over.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedAnthropicServer,
  type ScriptedOpenAiServer,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeGatewayCodexHome,
  type GithubStandIn,
  startGithubStandIn,
  HttpClient,
  isolatedEnv,
  repoRoot,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  approve,
  makeProject,
  viewOf,
  git,
  makeRepo,
  type RunningPostgres,
  startPostgres,
} from '@harness/testkit';

const SECRETS: Record<string, string> & { HARNESS_API_TOKEN: string } = {
  HARNESS_API_TOKEN: 'LEAKCHECK-harness-api-token',
  GITHUB_TOKEN: 'LEAKCHECK-github-token',
  GH_TOKEN: 'LEAKCHECK-gh-token',
  // Set in beforeAll: a real PostgreSQL the servers run on, so the password is one Harness uses.
  HARNESS_DATABASE_URL: '',
  DATABASE_URL: 'postgres://app:LEAKCHECK-other-db-password@127.0.0.1/app',
  OPENAI_API_KEY: 'sk-LEAKCHECK-openai-key',
  ANTHROPIC_API_KEY: 'sk-ant-LEAKCHECK-anthropic-key',
};
const WEBHOOK_SECRET = 'LEAKCHECK-webhook-secret';

// The database URL is a secret Harness really holds: the servers below run on it (the throwaway
// cluster trusts loopback, so the password is carried, not checked).
let postgres: RunningPostgres;
beforeAll(async () => {
  postgres = await startPostgres();
}, 60_000);
afterAll(async () => {
  await postgres?.stop();
});
async function databaseUrl(): Promise<string> {
  const url = new URL(await postgres.createDatabase());
  url.password = 'LEAKCHECK-db-password';
  return url.toString();
}
const DUMP = 'env > leaked.txt; cat /proc/self/environ >> leaked.txt; cat /proc/$PPID/environ >> leaked.txt';

describe('no secret of Harness reaches an agent', () => {
  const dir = tempDir('harness-secrets-');
  let anthropic: ScriptedAnthropicServer;
  let openai: ScriptedOpenAiServer;
  let server: RunningHarness;
  let client: HttpClient;

  beforeAll(async () => {
    anthropic = await startScriptedAnthropicServer([]);
    openai = await startScriptedOpenAiServer([]);
    const codexHome = path.join(dir.path, 'codex-home');
    writeGatewayCodexHome(codexHome);
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `github_webhook_secret = "${WEBHOOK_SECRET}"`,
        '[agents.anthropic_api]',
        `base_url = "${anthropic.baseUrl}"`,
        'max_tokens = 256',
        '',
      ].join('\n'),
    );
    SECRETS.HARNESS_DATABASE_URL = await databaseUrl();
    const env = isolatedEnv(dir.path, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      HARNESS_CONFIG: config,
      ...SECRETS,
      ANTHROPIC_BASE_URL: anthropic.baseUrl,
      OPENAI_BASE_URL: openai.baseUrl,
      CODEX_HOME: codexHome,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    server = await startHttpHarness(['--transport', 'http', '--data-dir', path.join(dir.path, 'data')], env);
    client = new HttpClient(server.url, { authorization: `Bearer ${SECRETS.HARNESS_API_TOKEN}` });
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await anthropic.close();
    await openai.close();
    dir.remove();
  });

  const result = <T>(reply: unknown): T => {
    const { result, error } = reply as { result?: T; error?: unknown };
    if (error !== undefined) throw new Error(JSON.stringify(error));
    return result as T;
  };

  /** Runs one turn with `agent` in a fresh repository; returns the repository once the turn is over. */
  async function dumpingTurn(agent: string): Promise<{ repo: string; status: string }> {
    const repo = makeRepo(path.join(dir.path, `repo-${agent}`));
    const { thread_id } = result<{ thread_id: string }>(
      await client.request('thread/start', { cwd: repo, agent }),
    );
    const { turn_id } = result<{ turn_id: string }>(
      await client.request('turn/start', {
        thread_id,
        input: 'show me your environment',
        sandbox_mode: 'danger-full-access',
      }),
    );
    // Polling is only how this HTTP client learns the turn is over; nothing here is timed.
    for (;;) {
      const { turn, running } = result<{ turn: { status: string }; running: boolean }>(
        await client.request('turn/status', { turn_id }),
      );
      if (!running && turn.status !== 'running') return { repo, status: turn.status };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  function expectClean(repo: string): string {
    const leaked = readFileSync(path.join(repo, 'leaked.txt'), 'utf8');
    expect(leaked).toContain('PATH=');
    for (const value of [...Object.values(SECRETS), WEBHOOK_SECRET]) {
      expect(leaked.includes(value), `${value} leaked`).toBe(false);
    }
    expect(leaked).not.toContain('LEAKCHECK');
    return leaked;
  }

  async function replay(leaked: string, name: string, header: 'x-api-key' | 'authorization') {
    const credential = new RegExp(`${name}=([0-9a-f]{64})`).exec(leaked)?.[1];
    expect(credential, `${name} holds a per-turn credential`).toBeDefined();
    const origin = /ANTHROPIC_BASE_URL=(\S+)/.exec(leaked)?.[1] ?? gatewayOrigin;
    const value = header === 'authorization' ? `Bearer ${credential}` : String(credential);
    return fetch(`${origin}/v1/messages`, { method: 'POST', headers: { [header]: value }, body: '{}' });
  }
  let gatewayOrigin = '';

  it('Claude Code: the dump holds only the per-turn credential, which is dead after the turn', async () => {
    anthropic.script.push({ tool_calls: [{ name: 'Bash', input: { command: DUMP } }] }, { text: 'Dumped.' });
    const { repo, status } = await dumpingTurn('claude');
    expect(status).toBe('completed');
    const leaked = expectClean(repo);
    gatewayOrigin = /ANTHROPIC_BASE_URL=(\S+)/.exec(leaked)?.[1] ?? '';
    expect(gatewayOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const keys = new Set(anthropic.script.requests.map((r) => r.headers['x-api-key']));
    expect(keys).toEqual(new Set([SECRETS.ANTHROPIC_API_KEY]));
    const before = anthropic.script.requests.length;
    expect((await replay(leaked, 'ANTHROPIC_API_KEY', 'x-api-key')).status).toBe(401);
    expect(anthropic.script.requests).toHaveLength(before);
  });

  it('Codex: the same, with its credential in the harness provider env_key', async () => {
    openai.script.push({ tool_calls: [{ name: 'exec_command', input: { cmd: DUMP } }] }, { text: 'Dumped.' });
    const { repo, status } = await dumpingTurn('codex');
    expect(status).toBe('completed');
    const leaked = expectClean(repo);
    const auth = new Set(openai.script.requests.map((r) => r.headers.authorization));
    expect(auth).toEqual(new Set([`Bearer ${SECRETS.OPENAI_API_KEY}`]));
    expect((await replay(leaked, 'HARNESS_MODEL_CREDENTIAL', 'authorization')).status).toBe(401);
  });

  it("the Anthropic API adapter: its commands get no credential at all, Harness's own parent environ included", async () => {
    anthropic.script.push(
      { tool_calls: [{ name: 'run_command', input: { command: DUMP } }] },
      { text: 'Dumped.' },
    );
    const before = anthropic.script.requests.length;
    const { repo, status } = await dumpingTurn('anthropic_api');
    expect(status).toBe('completed');
    const leaked = expectClean(repo);
    expect(leaked).not.toMatch(/[0-9a-f]{64}/);
    const keys = new Set(anthropic.script.requests.slice(before).map((r) => r.headers['x-api-key']));
    expect(keys).toEqual(new Set([SECRETS.ANTHROPIC_API_KEY]));
  });

  it('agent/list says each agent reaches its model through the gateway', async () => {
    const { agents } = result<{ agents: { name: string; model_access: string | null }[] }>(
      await client.request('agent/list'),
    );
    expect(Object.fromEntries(agents.map((a) => [a.name, a.model_access]))).toEqual({
      claude: 'gateway',
      codex: 'gateway',
      anthropic_api: 'gateway',
    });
  });
});

describe("nothing a task pushes holds Harness's secrets", () => {
  const dir = tempDir('harness-secrets-task-');
  const hubToken = 'LEAKCHECK-stand-in-token';
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let server: RunningHarness;
  let project: { root: string; remote: string };

  beforeAll(async () => {
    project = makeProject(dir.path, 'vault');
    hub = await startGithubStandIn({ token: hubToken });
    hub.addRepo('acme/vault');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const view = viewOf(body);
      if (view.lastPrompt.includes('You are reviewing')) return approve();
      if (view.afterTool) return { text: 'Fixed, and the test now records its environment.' };
      // The agent dumps its own environment, and makes the validation script (which Harness runs)
      // dump the environment it is given: both files are committed and pushed.
      const command = `${DUMP}; echo fixed > fix.txt; printf 'env > validation-env.txt\\n' >> test.sh`;
      return { tool_calls: [{ name: 'Bash', input: { command } }] };
    });
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(
      config,
      [
        '[server]',
        `github_webhook_secret = "${WEBHOOK_SECRET}"`,
        '[agents]',
        'default_agent = "claude"',
        'sandbox_mode = "danger-full-access"',
        '[agents.anthropic_api]',
        `base_url = "${model.baseUrl}"`,
        '[agents.review]',
        'reviewer_agent = "anthropic_api"',
        '[github]',
        `api_url = "${hub.url}"`,
        `token = "${hubToken}"`,
        '[[projects]]',
        'name = "vault"',
        `root = "${project.root}"`,
        '',
      ].join('\n'),
    );
    SECRETS.HARNESS_DATABASE_URL = await databaseUrl();
    const env = isolatedEnv(dir.path, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      HARNESS_CONFIG: config,
      ...SECRETS,
      ANTHROPIC_BASE_URL: model.baseUrl,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    server = await startHttpHarness(['--transport', 'http', '--data-dir', path.join(dir.path, 'data')], env);
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await model.close();
    await hub.close();
    dir.remove();
  });

  it('pushes the dumps of the agent and of validation without a single secret in them', async () => {
    const auth = { authorization: `Bearer ${SECRETS.HARNESS_API_TOKEN}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ prompt: 'Make the test pass', project: 'vault' }),
    });
    expect(created.status).toBe(202);
    const { task_id } = (await created.json()) as { task_id: string };
    let task: { state: string; branch: string | null; error: unknown } | undefined;
    // Polling is only how this test learns the task is over; nothing here is timed.
    for (;;) {
      task = (await (await fetch(`${server.url}/tasks/${task_id}`, { headers: auth })).json()) as typeof task;
      if (['done', 'failed', 'cancelled', 'needs_input'].includes(task!.state)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(task!.state, JSON.stringify(task!.error)).toBe('done');
    const branch = task!.branch!;
    const pushed = (file: string) => git(project.remote, 'show', `${branch}:${file}`);
    expect(pushed('leaked.txt')).toContain('PATH=');
    expect(pushed('validation-env.txt')).toContain('PATH=');
    const everything = git(project.remote, 'log', '-p', '--all');
    for (const value of [...Object.values(SECRETS), WEBHOOK_SECRET, hubToken]) {
      expect(everything.includes(value), `${value} was pushed`).toBe(false);
    }
    expect(everything).not.toContain('LEAKCHECK');
  });
});
