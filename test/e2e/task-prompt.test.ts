/**
 * A command the policy says needs approval (`prompt`) inside a task: with `rules.on_prompt =
 * "needs_input"` the task waits for a person instead of failing, and can still be cancelled; with
 * the default (`refuse`) it fails. A `forbidden` command fails the task either way. In every case
 * the command never runs.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTaskServer, type TaskServer, tempDir, viewOf } from '@harness/testkit';

const POLICY = `
prefix_rule(pattern = ["touch", "needs-approval.txt"], decision = "prompt", justification = "ask first")
prefix_rule(pattern = ["touch", "forbidden.txt"], decision = "forbidden")
`;

/** The agent runs `touch <file named in the prompt>`, then says it is done. */
function agentTouchesWhatItIsTold(server: TaskServer): void {
  server.model.script.respondWith((body) => {
    if (viewOf(body).afterTool) return { text: 'done' };
    const file = /TOUCH ([\w.-]+)/.exec(JSON.stringify(body))?.[1] ?? 'nothing.txt';
    return { tool_calls: [{ name: 'run_command', input: { command: `touch ${file}` } }] };
  });
}

async function serverWith(onPrompt: 'refuse' | 'needs_input'): Promise<{ server: TaskServer; root: string }> {
  const dir = tempDir(`harness-prompt-${onPrompt}-`).path;
  const server = await startTaskServer(
    dir,
    [{ name: 'gadgets', max_concurrent: 1 }],
    { global: 2, queue: 10 },
    [],
    ['[otel]', 'exporter = "disabled"', '[rules]', `on_prompt = "${onPrompt}"`],
  );
  const root = path.join(dir, 'gadgets');
  mkdirSync(path.join(root, '.harness', 'policy'), { recursive: true });
  writeFileSync(path.join(root, '.harness', 'policy', 'agents.star'), POLICY);
  // Not committed: a task's turns answer to the project checkout's policy, not their worktree's copy.
  agentTouchesWhatItIsTold(server);
  return { server, root };
}

async function submit(server: TaskServer, prompt: string): Promise<string> {
  const response = await server.post('/tasks', { prompt, project: 'gadgets' });
  expect(response.status).toBe(202);
  return ((await response.json()) as { task_id: string }).task_id;
}

describe('a command that needs approval, inside a task', () => {
  let waiting: { server: TaskServer; root: string };
  let refusing: { server: TaskServer; root: string };

  beforeAll(async () => {
    [waiting, refusing] = await Promise.all([serverWith('needs_input'), serverWith('refuse')]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([waiting?.server.stop(), refusing?.server.stop()]);
  });

  it('puts the task into needs_input with on_prompt = "needs_input", and it can be cancelled there', async () => {
    const { server } = waiting;
    const id = await submit(server, 'TOUCH needs-approval.txt');
    const task = await server.finished(id);
    expect(task.state).toBe('needs_input');
    expect(task.error).toMatchObject({ code: 'needs_input' });
    expect(task.error?.message).toContain('touch needs-approval.txt');
    // The rule that asked, where it is and why.
    expect(task.error?.message).toContain(
      `prefix_rule \`touch needs-approval.txt\` (${path.join(waiting.root, '.harness', 'policy', 'agents.star')}:2): ask first`,
    );
    expect(existsSync(path.join(task.worktree ?? '', 'needs-approval.txt'))).toBe(false);
    const cancelled = await server.post(`/tasks/${id}/cancel`, {});
    expect(cancelled.status).toBe(200);
    expect((await server.task(id)).state).toBe('cancelled');
    // Cancelled while it waited, it gives its worktree back as a cancelled run does.
    expect(existsSync(task.worktree ?? '')).toBe(false);
    // Its event stream ends with the cancel (a stream that waited on would never close).
    const stream = await (await fetch(`${server.server.url}/tasks/${id}/stream`)).text();
    expect(stream).toContain('event: task.cancelled');
    expect(stream).toMatch(/event: end\ndata: .*"state":"cancelled"/);
  });

  it('fails the task with on_prompt = "refuse"', async () => {
    const { server } = refusing;
    const task = await server.finished(await submit(server, 'TOUCH needs-approval.txt'));
    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('agent_policy_blocked');
    expect(task.error?.message).toContain(
      `prefix_rule \`touch needs-approval.txt\` (${path.join(refusing.root, '.harness', 'policy', 'agents.star')}:2): ask first`,
    );
  });

  it('fails the task on a forbidden command whatever on_prompt says', async () => {
    const { server } = waiting;
    const task = await server.finished(await submit(server, 'TOUCH forbidden.txt'));
    expect(task.state).toBe('failed');
    expect(task.error?.code).toBe('agent_policy_blocked');
    expect(task.error?.message).toContain(
      `prefix_rule \`touch forbidden.txt\` (${path.join(waiting.root, '.harness', 'policy', 'agents.star')}:3)`,
    );
    const timeline = (await server.task(task.id)).timeline.map((e) => e.kind);
    expect(timeline).toEqual(expect.arrayContaining(['agent.command_gate', 'turn.failed', 'task.finished']));
  });
});
