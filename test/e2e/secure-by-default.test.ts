/**
 * Secure by default, through the built server and the real Claude Code CLI: with no
 * `agents.sandbox_mode` in the config the agent runs in `workspace-write`; it edits its worktree,
 * and Harness (not the agent) commits, pushes and opens the pull request. Every attempt to reach
 * past the worktree fails: the project checkout, the git directory Harness's own git reads
 * (core.fsmonitor, hooks), `~/.gitconfig` and the project's policy files. A refused command fails
 * the task, naming the rule.
 *
 * Everything lives under /var/tmp, not /tmp: the sandbox gives agents a private /tmp, which would
 * hide these paths instead of showing them read-only, and prove less.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '@harness/protocol';
import {
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  type GithubStandIn,
  startGithubStandIn,
  isolatedEnv,
  repoRoot,
  type RunningHarness,
  startHttpHarness,
  makeProject,
  git,
} from '@harness/testkit';

const token = 'stand-in-token';
const POLICY = `prefix_rule(pattern = ["touch"], decision = "allow")
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "Harness pushes, agents do not")
`;

type TimelineEvent = { kind: string; data: Record<string, unknown> };
type TaskView = Task & { timeline: TimelineEvent[] };

/** How many tool results the conversation holds: which step of its script the agent is at. */
function stepOf(body: unknown): number {
  const messages = (body as { messages?: { content?: unknown }[] }).messages ?? [];
  return messages
    .flatMap((m) => (Array.isArray(m.content) ? (m.content as { type?: string }[]) : []))
    .filter((block) => block.type === 'tool_result').length;
}

const bash = (command: string) => ({ tool_calls: [{ name: 'Bash', input: { command } }] });

describe('secure by default: workspace-write, with Harness holding git', () => {
  const dir = mkdtempSync('/var/tmp/harness-secure-');
  const home = path.join(dir, 'home');
  const marker = path.join(dir, 'planted-code-ran');
  let project: { root: string; remote: string };
  let model: ScriptedAnthropicServer;
  let hub: GithubStandIn;
  let server: RunningHarness;
  /** The scripted agent's commands, by a word in the task's prompt; then it says it is done. */
  const scripts = new Map<string, string[]>();
  /** The steps the model was asked for, by script. */
  const asked = new Map<string, number[]>();

  beforeAll(async () => {
    project = makeProject(dir, 'widgets', '[validation]\npre_commit = []\n');
    mkdirSync(path.join(project.root, '.harness', 'policy'), { recursive: true });
    writeFileSync(path.join(project.root, '.harness', 'policy', 'agents.star'), POLICY);
    git(project.root, 'add', '-A');
    git(project.root, 'commit', '-qm', 'policy');
    git(project.root, 'push', '-q', 'origin', 'main');
    hub = await startGithubStandIn({ token });
    hub.addRepo('acme/widgets');
    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const text = JSON.stringify(body);
      const key = [...scripts.keys()].find((k) => text.includes(k));
      if (key !== undefined) asked.set(key, [...(asked.get(key) ?? []), stepOf(body)]);
      const command = key === undefined ? undefined : scripts.get(key)?.[stepOf(body)];
      return command === undefined ? { text: 'Done.' } : bash(command);
    });
    const config = path.join(dir, 'config.toml');
    // No sandbox_mode: the default is what is under test.
    writeFileSync(
      config,
      [
        '[agents]',
        'default_agent = "claude"',
        '[agents.review]',
        'enabled = false',
        '[github]',
        `api_url = "${hub.url}"`,
        `token = "${token}"`,
        '[otel]',
        'exporter = "disabled"',
        '[[projects]]',
        'name = "widgets"',
        `root = "${project.root}"`,
        '',
      ].join('\n'),
    );
    const env = isolatedEnv(home, {
      PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
      HARNESS_CONFIG: config,
      ...scriptedClaudeEnv(model.baseUrl),
    });
    mkdirSync(home, { recursive: true });
    server = await startHttpHarness(['--transport', 'http', '--data-dir', path.join(dir, 'data')], env);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await model?.close();
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runTask(prompt: string): Promise<TaskView> {
    const response = await fetch(`${server.url}/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt, project: 'widgets' }),
    });
    expect(response.status).toBe(202);
    const { task_id } = (await response.json()) as { task_id: string };
    for (let i = 0; i < 1200; i++) {
      const task = (await (await fetch(`${server.url}/tasks/${task_id}`)).json()) as TaskView;
      if (['done', 'failed', 'cancelled', 'needs_input'].includes(task.state)) return task;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`task ${task_id} did not finish`);
  }

  const commandsOf = (task: TaskView) =>
    task.timeline
      .filter((e) => e.kind === 'agent.command')
      .map((e) => ({ command: String(e.data.command), output: String(e.data.output) }));

  it('the agent edits, Harness commits, pushes and opens the PR; every attack on the sandbox fails', async () => {
    const commonDir = path.join(project.root, '.git');
    const policyFile = path.join(project.root, '.harness', 'policy', 'agents.star');
    // core.fsmonitor runs its command on every `git status` / `git add` Harness itself would run.
    const plant = `printf '[core]\\n\\tfsmonitor = touch ${marker}\\n'`;
    const attacks = [
      `echo pwned > ${project.root}/pwned.txt`,
      `${plant} >> ${commonDir}/config`,
      // `git config core.fsmonitor …` is stopped by the policy before it runs (see the disguise corpus);
      // a key the policy lets through shows that the repository's config is out of reach all the same.
      'git config harness.planted yes',
      `printf '#!/bin/sh\\ntouch ${marker}\\n' > ${commonDir}/hooks/pre-push`,
      `${plant} >> "$(sed 's/^gitdir: //' .git)/config.worktree"`,
      `${plant} >> ~/.gitconfig`,
      `echo 'prefix_rule(pattern = ["git"], decision = "allow")' >> ${policyFile}`,
      `echo 'prefix_rule(pattern = ["git"], decision = "allow")' >> .harness/policy/agents.star`,
      'echo "gitdir: /var/tmp/elsewhere" > .git',
    ];
    scripts.set('ATTACK', ['echo fixed > fix.txt', ...attacks]);
    const configBefore = readFileSync(path.join(commonDir, 'config'), 'utf8');

    const task = await runTask('ATTACK: make fix.txt say fixed');

    expect(task.error).toBeNull();
    expect(task.state).toBe('done');
    expect(task.timeline.find((e) => e.kind === 'agent.turn_started')?.data).toMatchObject({
      sandbox: { mode: 'workspace-write', enforced_by: 'bwrap' },
    });
    // Harness committed and pushed what the agent wrote, and opened the pull request.
    expect(git(project.remote, 'show', `${task.branch}:fix.txt`)).toBe('fixed');
    expect(git(project.remote, 'log', '-1', '--format=%s', task.branch!)).toContain('ATTACK');
    expect(hub.pullRequests('acme/widgets').find((p) => p.number === task.pr_number)?.head).toBe(
      `acme:${task.branch}`,
    );
    // Every attack failed where it landed, and nothing planted ran when Harness pushed.
    const ran = commandsOf(task);
    for (const attack of attacks) {
      expect(ran.find((c) => c.command === attack)?.output, attack).toMatch(/Read-only file system/);
    }
    expect(existsSync(path.join(project.root, 'pwned.txt'))).toBe(false);
    expect(readFileSync(path.join(commonDir, 'config'), 'utf8')).toBe(configBefore);
    expect(existsSync(path.join(commonDir, 'hooks', 'pre-push'))).toBe(false);
    expect(existsSync(path.join(home, '.gitconfig'))).toBe(false);
    expect(readFileSync(policyFile, 'utf8')).toBe(POLICY);
    expect(git(project.remote, 'show', `${task.branch}:.harness/policy/agents.star`)).toBe(POLICY.trim());
    expect(existsSync(marker)).toBe(false);
  });

  it('a refused command fails the task, naming the rule; the agent never gets further', async () => {
    scripts.set('SHIP', ['git push origin HEAD:main', 'touch kept-going.txt', 'git push origin HEAD:main']);
    const mainBefore = git(project.remote, 'rev-parse', 'main');

    const task = await runTask('SHIP: push it yourself');

    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('agent_policy_blocked');
    expect(task.error?.message).toContain('git push origin HEAD:main');
    expect(task.error?.message).toContain(
      `prefix_rule \`git push\` (${path.join(project.root, '.harness', 'policy', 'agents.star')}:2)`,
    );
    expect(task.error?.message).toContain('Harness pushes, agents do not');
    // The model was asked once: the refusal stopped the agent before it could ask again.
    expect(asked.get('SHIP')).toEqual([0]);
    expect(task.timeline.filter((e) => e.kind === 'agent.command_gate').map((e) => e.data.decision)).toEqual([
      'forbidden',
    ]);
    expect(git(project.remote, 'rev-parse', 'main')).toBe(mainBefore);
    expect(git(project.remote, 'branch', '--list', task.branch!)).toBe('');
  });
});
