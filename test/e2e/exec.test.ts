/**
 * `harness exec` end to end: the built binary drives the real Claude Code and Codex CLIs and the
 * Anthropic API adapter against scripted model servers on 127.0.0.1, in temp git repositories.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { newTask } from '@harness/protocol';
import {
  type ScriptTurn,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeGatewayCodexHome,
  harnessBin,
  isolatedEnv,
  repoRoot,
  tempDir,
  makeRepo,
} from '@harness/testkit';
import { SqliteStore } from '../../packages/harness/src/store/index.js';

const dirs: { remove: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));
const binPath = `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`;

function runExec(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [harnessBin, 'exec', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

/** The real Codex CLI, its home set up for Harness's gateway, against a scripted OpenAI server. */
function codexEnv(dir: string, baseUrl: string): NodeJS.ProcessEnv {
  const codexHome = path.join(dir, 'codex-home');
  writeGatewayCodexHome(codexHome);
  return isolatedEnv(dir, {
    PATH: binPath,
    CODEX_HOME: codexHome,
    OPENAI_API_KEY: 'dummy',
    OPENAI_BASE_URL: baseUrl,
  });
}

function workspace() {
  const dir = tempDir('harness-exec-');
  dirs.push(dir);
  const repo = makeRepo(path.join(dir.path, 'repo'));
  const config = path.join(dir.path, 'config.toml');
  return { dir: dir.path, repo, config };
}

describe('harness exec', () => {
  it('drives Claude Code to a real edit, with progress on stderr and the answer on stdout', async () => {
    const { dir, repo } = workspace();
    const server = await startScriptedAnthropicServer([
      {
        tool_calls: [
          { name: 'Write', input: { file_path: path.join(repo, 'hello.txt'), content: 'hi from claude\n' } },
        ],
      },
      { text: 'Created hello.txt.' },
    ]);
    const env = isolatedEnv(dir, { PATH: binPath, ...scriptedClaudeEnv(server.baseUrl) });
    const run = await runExec(['--agent', 'claude', 'create hello.txt'], repo, env);
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('Created hello.txt.');
    expect(readFileSync(path.join(repo, 'hello.txt'), 'utf8')).toBe('hi from claude\n');
    expect(run.stderr).toMatch(/turn started with claude/);
  });

  it('reports a model error as a failure with exit code 1', async () => {
    const { dir, repo } = workspace();
    const server = await startScriptedAnthropicServer([
      { error: { status: 500, message: 'scripted outage' } },
    ]);
    const env = isolatedEnv(dir, { PATH: binPath, ...scriptedClaudeEnv(server.baseUrl) });
    const run = await runExec(['--agent', 'claude', 'do something'], repo, env);
    await server.close();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    // Once, with the turn's own code, and no `error:` progress line before it.
    expect(run.stderr.match(/error:/g)).toHaveLength(1);
    expect(run.stderr).toMatch(/error: turn failed: .*500.* \[model_error\]\n$/);
  });

  it("shows the model API's retries as progress, and succeeds when a retry does", async () => {
    const { dir, repo } = workspace();
    const server = await startScriptedAnthropicServer([
      { error: { status: 500, message: 'scripted outage' } },
      { text: 'Done after a retry.' },
    ]);
    const env = isolatedEnv(dir, {
      PATH: binPath,
      ...scriptedClaudeEnv(server.baseUrl),
      CLAUDE_CODE_MAX_RETRIES: '2',
    });
    const run = await runExec(['--agent', 'claude', 'do something'], repo, env);
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('Done after a retry.');
    expect(run.stderr).toMatch(/model API error 500 \(\w+\), retry 1 of 2 in \d+(\.\d)? s/);
  });

  it('a policy refusal fails with the rule, its file:line and justification, and no answer on stdout', async () => {
    const { dir, repo } = workspace();
    const policyFile = path.join(repo, '.harness', 'policy', 'agents.star');
    mkdirSync(path.dirname(policyFile), { recursive: true });
    writeFileSync(
      policyFile,
      'prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "pushing is Harness\'s job")\n',
    );
    const server = await startScriptedAnthropicServer([
      { text: 'Pushing now.', tool_calls: [{ name: 'Bash', input: { command: 'git push origin main' } }] },
      { text: 'Pushed.' },
    ]);
    const env = isolatedEnv(dir, { PATH: binPath, ...scriptedClaudeEnv(server.baseUrl) });
    const run = await runExec(['--agent', 'claude', 'push it'], repo, env);
    await server.close();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.match(/error:/g)).toHaveLength(1);
    expect(run.stderr).toContain(`prefix_rule \`git push\` (${policyFile}:1): pushing is Harness's job`);
    expect(run.stderr).toMatch(/\[policy_blocked\]\n$/);
  });

  it('drives Codex to a real patch', async () => {
    const { dir, repo } = workspace();
    const patch =
      '*** Begin Patch\n*** Update File: README.md\n@@\n-hello world\n+goodbye world\n*** End Patch\n';
    const server = await startScriptedOpenAiServer([
      { tool_calls: [{ name: 'apply_patch', input: patch }] },
      { text: 'Patched.' },
    ]);
    const env = codexEnv(dir, server.baseUrl);
    const run = await runExec(['--agent', 'codex', 'say goodbye'], repo, env);
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('Patched.');
    expect(readFileSync(path.join(repo, 'README.md'), 'utf8')).toBe('goodbye world\n');
  });

  it('shows a model API error Codex retries without a word, as the gateway saw it', async () => {
    const { dir, repo } = workspace();
    const server = await startScriptedOpenAiServer([
      { error: { status: 500, message: 'upstream overloaded' } },
      { text: 'Done after an error.' },
    ]);
    const run = await runExec(['--agent', 'codex', 'do something'], repo, codexEnv(dir, server.baseUrl));
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('Done after an error.');
    expect(run.stderr).toContain('↻ model API error 500 (upstream overloaded), retry 1\n');
  });

  it("shows Codex's retries of a broken model stream as progress", async () => {
    const { dir, repo } = workspace();
    const server = await startScriptedOpenAiServer([{ malformed: true }, { text: 'Done after a retry.' }]);
    const env = codexEnv(dir, server.baseUrl);
    const run = await runExec(['--agent', 'codex', 'do something'], repo, env);
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('Done after a retry.');
    // A broken stream is retried by Codex itself (its default stream_max_retries).
    expect(run.stderr).toMatch(
      /↻ model API error \(stream disconnected before completion: [^)]*\), retry 1 of \d+\n/,
    );
  });

  it('drives the Anthropic API adapter through its own tool loop, and writes --output-file', async () => {
    const { dir, repo, config } = workspace();
    const turns: ScriptTurn[] = [
      {
        tool_calls: [
          { name: 'write_file', input: { path: 'api.txt', content: 'written by the tool loop\n' } },
        ],
      },
      { text: 'Wrote api.txt.' },
    ];
    const server = await startScriptedAnthropicServer(turns);
    writeFileSync(config, `[agents.anthropic_api]\nbase_url = "${server.baseUrl}"\napi_key = "scripted"\n`);
    const env = isolatedEnv(dir, { PATH: binPath, HARNESS_CONFIG: config });
    const run = await runExec(
      ['--agent', 'anthropic_api', '--output-file', 'answer.txt', 'write api.txt'],
      repo,
      env,
    );
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(path.join(repo, 'api.txt'), 'utf8')).toBe('written by the tool loop\n');
    expect(readFileSync(path.join(repo, 'answer.txt'), 'utf8')).toBe('Wrote api.txt.');
  });

  it('sends the Anthropic API adapter to ANTHROPIC_BASE_URL with ANTHROPIC_API_KEY, no config needed', async () => {
    const { dir, repo } = workspace();
    const server = await startScriptedAnthropicServer([{ text: 'Reached through ANTHROPIC_BASE_URL.' }]);
    const env = isolatedEnv(dir, {
      PATH: binPath,
      ANTHROPIC_BASE_URL: server.baseUrl,
      ANTHROPIC_API_KEY: 'scripted',
    });
    const run = await runExec(['--agent', 'anthropic_api', 'say hello'], repo, env);
    await server.close();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('Reached through ANTHROPIC_BASE_URL.');
  });

  it("leaves a server's queued tasks and live turns alone in the data directory it shares", async () => {
    const { dir, repo } = workspace();
    const dataDir = path.join(dir, 'data');
    const store = SqliteStore.open(dataDir);
    const at = new Date().toISOString();
    const thread = (id: string) => ({
      id,
      project_root: repo,
      agent: 'claude' as const,
      title: null,
      status: 'active' as const,
      native_session_id: null,
      parent_thread_id: null,
      metadata: {},
      turn_count: 0,
      created_at: at,
      updated_at: at,
    });
    const running = (id: string, threadId: string) => ({
      id,
      thread_id: threadId,
      seq: 1,
      status: 'running' as const,
      input: 'working',
      agent: 'claude' as const,
      items: [],
      usage: null,
      error: null,
      started_at: at,
      completed_at: null,
    });
    await store.threads.create(thread('th-live'));
    await store.threads.create(thread('th-dead'));
    // One turn run by a live server (this test's process), one by a server that is gone.
    const lease = (pid: number) => ({
      owner: `${hostname()}/${pid}/server`,
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    await store.turns.create(running('tu-live', 'th-live'), lease(process.pid));
    await store.turns.create(running('tu-dead', 'th-dead'), lease(999999999));
    await store.tasks.enqueue(
      newTask({ id: 'task-queued', project: 'app', kind: 'prompt', prompt: 'x', created_at: at }),
      10,
    );
    await store.close();

    const server = await startScriptedAnthropicServer([{ text: 'Done beside the server.' }]);
    const env = isolatedEnv(dir, {
      PATH: binPath,
      ANTHROPIC_BASE_URL: server.baseUrl,
      ANTHROPIC_API_KEY: 'k',
    });
    const run = await runExec(['--agent', 'anthropic_api', '--data-dir', dataDir, 'say hello'], repo, env);
    await server.close();
    expect(run.code, run.stderr).toBe(0);

    const after = SqliteStore.open(dataDir);
    try {
      expect((await after.tasks.get('task-queued'))?.state).toBe('queued');
      expect((await after.turns.get('tu-live'))?.status).toBe('running');
      expect((await after.turns.get('tu-dead'))?.status).toBe('interrupted');
    } finally {
      await after.close();
    }
  });

  it('refuses an --output-file outside the project and an agent that is missing', async () => {
    const { dir, repo, config } = workspace();
    const escape = await runExec(
      ['--output-file', '../outside.txt', 'x'],
      repo,
      isolatedEnv(dir, { PATH: binPath }),
    );
    expect(escape.code).toBe(1);
    expect(escape.stderr).toMatch(/outside the project/);
    expect(existsSync(path.join(dir, 'outside.txt'))).toBe(false);
    writeFileSync(config, '[agents.claude]\ncli_path = "/nonexistent/claude"\n');
    const missing = await runExec(
      ['--agent', 'claude', 'x'],
      repo,
      isolatedEnv(dir, { PATH: binPath, HARNESS_CONFIG: config }),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/claude is not usable/);
    expect(missing.stderr.match(/error:/g)).toHaveLength(1);
    expect(missing.stderr).toMatch(/`harness doctor` says how to fix it \[unavailable\]\n$/);
  });
});
