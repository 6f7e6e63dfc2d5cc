/**
 * The execution policy enforced on agents: a project's `.harness/policy/*.star` decides every
 * command the real Claude Code CLI, the real Codex CLI and the Anthropic API tool loop want to run,
 * directly and disguised; forbidden commands never run, a refusal ends the turn `policy_blocked`
 * naming the rule (the model is not asked again), and every decision is an event.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedAnthropicServer,
  type ScriptedOpenAiServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  startScriptedOpenAiServer,
  writeGatewayCodexHome,
  HttpClient,
  isolatedEnv,
  repoRoot,
  type RunningHarness,
  startHttpHarness,
  tempDir,
  git,
  makeRepo,
  addBareOrigin,
} from '@harness/testkit';

/** Line of the `git push` rule in `policy` below (the template starts with a newline). */
const PUSH_RULE_LINE = 4;
const policy = `
prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden", justification = "no recursive deletes",
            match = [["rm", "-rf", "x"]], not_match = [["rm", "x"]])
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "pushing is Harness's job")
prefix_rule(pattern = ["touch"], decision = "allow")
`;

describe('policy enforcement on agent commands', () => {
  const dir = tempDir('harness-policy-');
  const repo = makeRepo(path.join(dir.path, 'repo'));
  let model: ScriptedAnthropicServer;
  let openai: ScriptedOpenAiServer;
  let server: RunningHarness;
  let client: HttpClient;
  /** A bare remote the repository's `main` is one commit ahead of: a push that ran would show. */
  const origin = path.join(dir.path, 'origin.git');

  beforeAll(async () => {
    mkdirSync(path.join(repo, '.harness', 'policy'), { recursive: true });
    writeFileSync(path.join(repo, '.harness', 'policy', 'agents.star'), policy);
    addBareOrigin(repo, origin);
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'not pushed yet');
    // A script the agent did not write itself: running it is checked against what it contains.
    writeFileSync(path.join(repo, 'cleanup.sh'), '#!/bin/sh\necho cleaning\nrm -rf victim\n', {
      mode: 0o755,
    });
    model = await startScriptedAnthropicServer([]);
    openai = await startScriptedOpenAiServer([]);
    const codexHome = path.join(dir.path, 'codex-home');
    writeGatewayCodexHome(codexHome);
    const config = path.join(dir.path, 'config.toml');
    writeFileSync(config, `[agents.anthropic_api]\nbase_url = "${model.baseUrl}"\napi_key = "scripted"\n`);
    const env = isolatedEnv(dir.path, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      HARNESS_CONFIG: config,
      ...scriptedClaudeEnv(model.baseUrl),
      CODEX_HOME: codexHome,
      // Codex reaches the scripted server through Harness's model gateway, with this key added there.
      OPENAI_API_KEY: 'dummy',
      OPENAI_BASE_URL: openai.baseUrl,
    });
    server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(dir.path, 'data'), '--project-root', repo],
      env,
    );
    client = new HttpClient(server.url);
    await client.request('initialize');
    await client.send('{"jsonrpc":"2.0","method":"initialized"}');
  }, 60_000);
  afterAll(async () => {
    await server.stop();
    await model.close();
    await openai.close();
    dir.remove();
  });

  const result = <T>(reply: unknown) => (reply as { result: T }).result;

  interface TurnOutcome {
    status: string;
    error: { code: string; message: string } | null;
    decisions: (string | null)[];
  }

  /** The agent's own tool call running one shell command. */
  const commandCall = (agent: string, command: string) =>
    agent === 'codex'
      ? { name: 'exec_command', input: { cmd: command } }
      : agent === 'claude'
        ? { name: 'Bash', input: { command } }
        : { name: 'run_command', input: { command } };

  /** Scripts the model with one response per step (each a list of commands), runs a turn, waits. */
  async function runSteps(agent: string, steps: string[][], sandboxMode?: string): Promise<TurnOutcome> {
    // A refused command ends the turn before the model is asked again: the rest stays unused.
    openai.script.discardPending();
    model.script.discardPending();
    const script = agent === 'codex' ? openai.script : model.script;
    script.push(...steps.map((commands) => ({ tool_calls: commands.map((c) => commandCall(agent, c)) })), {
      text: 'done',
    });
    const { thread_id } = result<{ thread_id: string }>(await client.request('thread/start', { agent }));
    const { turn_id } = result<{ turn_id: string }>(
      await client.request('turn/start', {
        thread_id,
        input: 'go',
        ...(sandboxMode === undefined ? {} : { sandbox_mode: sandboxMode }),
      }),
    );
    for (let i = 0; i < 600; i++) {
      const { turn, running } = result<{
        turn: { status: string; error: TurnOutcome['error'] };
        running: boolean;
      }>(await client.request('turn/status', { turn_id }));
      if (!running && turn.status !== 'running') {
        const { events } = result<{ events: { decision: string | null }[] }>(
          await client.request('event/query', { turn_id, kind: 'agent.command_gate', limit: 100 }),
        );
        return { status: turn.status, error: turn.error, decisions: events.map((e) => e.decision) };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('turn did not finish');
  }

  const runTurn = (agent: string, command: string): Promise<TurnOutcome> => runSteps(agent, [[command]]);

  for (const agent of ['claude', 'codex', 'anthropic_api']) {
    it(`${agent}: refuses a forbidden command, disguised or not, and it never runs`, async () => {
      for (const command of [
        'rm -rf victim',
        'bash -c "cd . && rm -fr victim"',
        'git -c core.pager=cat push origin main',
        'true; rm -rf victim',
        '/bin/rm -rf victim',
        'bash cleanup.sh',
        './cleanup.sh',
      ]) {
        mkdirSync(path.join(repo, 'victim'), { recursive: true });
        const outcome = await runTurn(agent, command);
        expect(outcome.decisions, command).toContain('forbidden');
        expect(outcome.status, command).toBe('failed');
        expect(existsSync(path.join(repo, 'victim')), command).toBe(true);
      }
    });

    it(`${agent}: does not run a script it writes and runs in one command`, async () => {
      mkdirSync(path.join(repo, 'victim'), { recursive: true });
      const outcome = await runTurn(agent, "printf 'rm -rf victim\\n' > sneaky.sh && sh sneaky.sh");
      expect(outcome.decisions).toEqual(['prompt']);
      expect(outcome.status).toBe('failed');
      expect(existsSync(path.join(repo, 'victim'))).toBe(true);
    });

    it(`${agent}: a refusal ends the turn, naming the rule; a model that keeps going gets nowhere`, async () => {
      const before = git(origin, 'rev-parse', 'main');
      const script = agent === 'codex' ? openai.script : model.script;
      const marker = path.join(repo, `marker-${agent}.txt`);
      // Full access on purpose: the policy alone must stop the push, not the sandbox.
      const outcome = await runSteps(
        agent,
        [['git push origin main'], [`touch ${marker}`, 'git push origin HEAD:refs/heads/main']],
        'danger-full-access',
      );
      expect(outcome.status).toBe('failed');
      expect(outcome.error?.code).toBe('policy_blocked');
      expect(outcome.error?.message).toContain(
        `prefix_rule \`git push\` (${path.join(repo, '.harness', 'policy', 'agents.star')}:${PUSH_RULE_LINE})`,
      );
      expect(outcome.error?.message).toContain("pushing is Harness's job");
      expect(outcome.decisions).toEqual(['forbidden']);
      expect(existsSync(marker)).toBe(false);
      expect(git(origin, 'rev-parse', 'main')).toBe(before);
      expect(script.remaining).toBe(2);
    });

    it(`${agent}: lets an allowed command run`, async () => {
      const outcome = await runTurn(agent, `touch allowed-${agent}.txt`);
      expect(outcome.decisions).toEqual(['allow']);
      expect(outcome.status).toBe('completed');
      expect(existsSync(path.join(repo, `allowed-${agent}.txt`))).toBe(true);
    });
  }

  it('checks commands over JSON-RPC with rule/check and lists rules with rule/load', async () => {
    const checked = result<{ decision: string }>(
      await client.request('rule/check', { project_root: repo, command: 'sudo rm -rf /' }),
    );
    expect(checked.decision).toBe('forbidden');
    const loaded = result<{ prefix_rules: unknown[] }>(
      await client.request('rule/load', { project_root: repo }),
    );
    expect(loaded.prefix_rules.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses to start a turn when the policy does not load, pointing into the file', async () => {
    const broken = makeRepo(path.join(dir.path, 'broken'));
    mkdirSync(path.join(broken, '.harness', 'policy'), { recursive: true });
    writeFileSync(
      path.join(broken, '.harness', 'policy', 'bad.star'),
      'prefix_rule(pattern = ["x"], decision = "maybe")\n',
    );
    const { thread_id } = result<{ thread_id: string }>(
      await client.request('thread/start', { cwd: broken, agent: 'claude' }),
    );
    const reply = (await client.request('turn/start', { thread_id, input: 'go' })) as {
      error: { message: string };
    };
    expect(reply.error.message).toMatch(/bad\.star:1/);
    const { thread } = result<{ thread: { status: string } }>(
      await client.request('thread/resume', { thread_id }),
    );
    expect(thread.status).toBe('idle');
  });
});
