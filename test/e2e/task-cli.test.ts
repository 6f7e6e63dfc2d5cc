/**
 * `harness task …` and `harness agents` as a user runs them: real `harness` processes against a
 * real `harness serve -t http` (the Anthropic API adapter against a scripted model), through a
 * TCP relay the test can cut, so `watch` is seen to reconnect after a dropped connection and after
 * a kill -9 and restart of the server without repeating or losing an event.
 */
import { spawn } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  harnessBin,
  isolatedEnv,
  repoRoot,
  startHttpHarness,
  startTaskServer,
  type TaskServer,
  tempDir,
  viewOf,
} from '@harness/testkit';

const dir = tempDir('harness-task-cli-');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `harness` to its end without blocking this process, where the scripted model answers. */
function harness(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return harnessAsync(args, env).done;
}

/** A `harness` process running alongside the test, its output readable while it runs. */
function harnessAsync(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [harnessBin, ...args], {
    env: isolatedEnv(dir.path, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) =>
    child.once('close', (code) => resolve({ code, stdout: out.stdout, stderr: out.stderr })),
  );
  return { out, done, kill: () => child.kill('SIGKILL') };
}

/** A TCP relay to the server that can drop every connection and follow the server to a new port. */
async function startRelay(target: string) {
  let port = Number(new URL(target).port);
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    connections++;
    const upstream = createConnection(port, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    connections: () => connections,
    retarget: (url: string) => (port = Number(new URL(url).port)),
    dropAll: () => sockets.forEach((socket) => socket.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('harness task (terminal interface)', () => {
  let app: TaskServer;
  /** While true, a conversation whose prompt says GATE gets no answer from the model. */
  let gateClosed = true;

  beforeAll(async () => {
    app = await startTaskServer(dir.path, [{ name: 'widgets', max_concurrent: 2 }], { global: 2, queue: 50 });
    let n = 0;
    app.model.script.respondWith((body) => {
      const stalls =
        JSON.stringify(body).includes('STALL') || (gateClosed && JSON.stringify(body).includes('GATE'));
      if (stalls && !viewOf(body).afterTool) return { stall: true };
      if (viewOf(body).afterTool) return { text: 'done' };
      return { tool_calls: [{ name: 'write_file', input: { path: `cli-${++n}.txt`, content: `${n}\n` } }] };
    });
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    dir.remove();
  });

  const url = () => ['--url', app.server.url];

  it('submits with --watch, follows the task to done and exits 0', async () => {
    const run = await harness([
      'task',
      'submit',
      'Write a file (CLI A)',
      '-p',
      'widgets',
      '--deliver',
      'branch',
      '--watch',
      ...url(),
    ]);
    expect(run.stderr).toMatch(/submitted task_\S+ \(widgets, [\w ]+, no review\)/);
    expect(run.stderr).toMatch(/▸ implementing/);
    expect(run.stderr).toMatch(/■ done/);
    expect(run.stdout).toMatch(/^task_\S+\n\S+ done: branch — branch harness\//m);
    expect(run.code).toBe(0);
  });

  it('lists and shows tasks, as a table and as JSON', async () => {
    const submitted = await harness([
      '--json',
      'task',
      'submit',
      'List me (CLI B)',
      '-p',
      'widgets',
      '--deliver',
      'none',
      ...url(),
    ]);
    expect(submitted.code).toBe(0);
    const { task_id } = JSON.parse(submitted.stdout) as { task_id: string };
    expect((await app.finished(task_id)).state).toBe('done');

    const table = await harness(['task', 'ls', '-p', 'widgets', '--state', 'done', ...url()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATE\s+PROJECT\s+AGENT\s+COST\s+TASK/);
    expect(table.stdout).toMatch(
      new RegExp(`${task_id}\\s+done\\s+widgets\\s+anthropic_api\\s+\\$\\S+\\s+List me \\(CLI B\\)`),
    );
    const json = await harness(['task', 'ls', '--json', '--limit', '1', ...url()]);
    expect((JSON.parse(json.stdout) as { tasks: { id: string }[] }).tasks.map((t) => t.id)).toEqual([
      task_id,
    ]);

    const show = await harness(['task', 'show', task_id, ...url()]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^${task_id}  done`));
    expect(show.stdout).toMatch(/agent\s+anthropic_api, no review/);
    expect(show.stdout).toMatch(/routing\s+\S+: \w+ work: anthropic_api as /);
    expect(show.stdout).toMatch(/branch\s+harness\//);
    expect(show.stdout).toMatch(/delivery\s+none at [0-9a-f]{12}/);
    const shown = JSON.parse((await harness(['task', 'show', task_id, '--json', ...url()])).stdout) as {
      delivery: string;
    };
    expect(shown.delivery).toBe('none');

    const missing = await harness(['task', 'show', 'tsk_nope', ...url()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no task tsk_nope/);
  });

  it('cancels a task; watching it then exits 1 and says it was cancelled', async () => {
    const id = (
      await harness(['task', 'submit', 'STALL forever (CLI C)', '-p', 'widgets', ...url()])
    ).stdout.trim();
    await eventually(
      () => app.task(id),
      (t) => t.state === 'implementing',
    );
    const cancel = await harness(['task', 'cancel', id, ...url()]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(new RegExp(`^${id} `));
    expect((await app.finished(id)).state).toBe('cancelled');
    const watch = await harness(['task', 'watch', id, ...url()]);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toMatch(new RegExp(`task ${id} cancelled: `));
  });

  it('watch reconnects after a dropped connection and a kill -9 restart, missing and repeating nothing', async () => {
    const relay = await startRelay(app.server.url);
    try {
      const id = (
        await harness(['task', 'submit', 'GATE then write (CLI D)', '-p', 'widgets', ...url()])
      ).stdout.trim();
      await eventually(
        () => app.task(id),
        (t) => t.state === 'implementing',
      );
      const watch = harnessAsync(['task', 'watch', id, '--json', '--url', relay.url]);
      await eventually(
        () => watch.out.stdout,
        (out) => out.includes('"turn.started"'),
      );
      relay.dropAll();
      await eventually(
        () => relay.connections(),
        (n) => n >= 2,
      );
      await app.crashAndRestart();
      relay.retarget(app.server.url);
      gateClosed = false;
      const run = await watch.done;
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, { seq: number; state: string }>);
      const seqs = lines.flatMap((line) => (line.event ? [line.event.seq] : []));
      expect(seqs).toEqual((await app.task(id)).timeline.map((e) => e.seq));
      expect(lines.at(-1)?.task?.state).toBe('done');
      expect(relay.connections()).toBeGreaterThanOrEqual(3);
    } finally {
      gateClosed = true;
      await relay.close();
    }
  }, 120_000);

  it('prints the server’s refusal of a submission with its code, exit 1', async () => {
    const run = await harness([
      'task',
      'submit',
      'Who? (CLI E)',
      '-p',
      'widgets',
      '--agent',
      'nosuch',
      ...url(),
    ]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: .*nosuch.* \[\w+\]$/m);
  });

  it('lists the agents, usable or why not', async () => {
    const run = await harness(['agents', ...url()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^anthropic_api\s+usable/m);
    const json = JSON.parse((await harness(['agents', '--json', ...url()])).stdout) as {
      agents: { name: string; usable: boolean; reason: string | null }[];
    };
    expect(json.agents.find((a) => a.name === 'anthropic_api')?.usable).toBe(true);
    expect(json.agents.filter((a) => !a.usable).every((a) => (a.reason ?? '').length > 0)).toBe(true);
  });

  it('respond and diff send their JSON-RPC calls and print the server’s answer or error cleanly', async () => {
    // Answering is for the operator: without a token, the CLI shows the key in the server's data
    // directory, found where the config says it is (here $XDG_DATA_HOME/harness).
    const xdg = path.join(dir.path, 'xdg-data');
    mkdirSync(xdg, { recursive: true });
    symlinkSync(path.join(dir.path, 'data'), path.join(xdg, 'harness'));
    const respond = await harness(['task', 'respond', 'tsk_nope', 'allow', '--note', 'fine', ...url()], {
      XDG_DATA_HOME: xdg,
    });
    expect(respond.code).toBe(1);
    expect(respond.stderr).toMatch(/no task tsk_nope/);
    expect(respond.stderr).not.toMatch(/at .*\.js:\d+/);
    const anonymous = await harness(['task', 'respond', 'tsk_nope', 'allow', ...url()]);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain("answering a task's approval is for a person");
    const diff = await harness(['task', 'diff', 'tsk_nope', ...url()]);
    expect(diff.code).toBe(1);
    expect(diff.stderr).toMatch(/no JSON-RPC method task\/diff|no task tsk_nope/);
  });
});

describe('harness task errors', () => {
  it('says where no server listens and how to start one, exit 1', async () => {
    const run = await harness(['task', 'ls'], { HARNESS_URL: 'http://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'no Harness server at http://127.0.0.1:1 — start one with `harness serve -t http` or pass --url',
    );
  });

  it('exits 2 on bad usage', async () => {
    for (const args of [
      ['task', 'submit'],
      ['task', 'submit', 'two', '--issue', '3'],
      ['task', 'submit', 'x', '--deliver', 'carrier-pigeon'],
      ['task', 'submit', 'x', '--budget', 'lots'],
      ['task', 'ls', '--state', 'sleeping'],
      ['task', 'respond', 'tsk_1', 'maybe'],
      ['task', 'watch'],
    ]) {
      const run = await harness(args, { HARNESS_URL: 'http://127.0.0.1:1' });
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/error/);
    }
  });

  it('says the token is missing or wrong, and where it came from', async () => {
    const home = path.join(dir.path, 'token-home');
    const server = await startHttpHarness(
      ['--transport', 'http', '--data-dir', path.join(home, 'data')],
      isolatedEnv(home, {
        PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
        HARNESS_API_TOKEN: 'right-token',
      }),
    );
    try {
      const none = await harness(['agents', '--url', server.url]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/needs an API token: pass --token, set HARNESS_TOKEN/);
      const wrong = await harness(['agents', '--url', server.url, '--token', 'wrong']);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/refused the token from --token/);
      const config = path.join(home, 'client.toml');
      writeFileSync(
        config,
        `[server]\nhttp_addr = "${new URL(server.url).host}"\napi_token = "right-token"\n`,
      );
      const fromConfig = await harness(['agents', '--json'], { HARNESS_CONFIG: config });
      expect(fromConfig.stderr).toBe('');
      expect(fromConfig.code).toBe(0);
      const right = await harness(['task', 'ls', '--json'], {
        HARNESS_URL: server.url,
        HARNESS_TOKEN: 'right-token',
      });
      expect(right.code).toBe(0);
      expect(JSON.parse(right.stdout)).toEqual({ tasks: [], next_cursor: null });
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe('harness task on a task that waits for input or fails', () => {
  const policyDir = tempDir('harness-task-cli-input-');
  let app: TaskServer;

  beforeAll(async () => {
    app = await startTaskServer(
      policyDir.path,
      [{ name: 'gadgets', max_concurrent: 2 }],
      { global: 2, queue: 10 },
      [],
      ['[otel]', 'exporter = "disabled"', '[rules]', 'on_prompt = "needs_input"'],
    );
    const policy = path.join(policyDir.path, 'gadgets', '.harness', 'policy');
    mkdirSync(policy, { recursive: true });
    writeFileSync(
      path.join(policy, 'agents.star'),
      [
        'prefix_rule(pattern = ["touch", "needs-approval.txt"], decision = "prompt", justification = "ask first")',
        'prefix_rule(pattern = ["touch", "forbidden.txt"], decision = "forbidden")',
        '',
      ].join('\n'),
    );
    app.model.script.respondWith((body) => {
      if (viewOf(body).afterTool) return { text: 'done' };
      const file = /TOUCH ([\w.-]+)/.exec(JSON.stringify(body))?.[1] ?? 'nothing.txt';
      return { tool_calls: [{ name: 'run_command', input: { command: `touch ${file}` } }] };
    });
  }, 60_000);
  afterAll(async () => {
    await app.stop();
    policyDir.remove();
  });

  const url = () => ['--url', app.server.url];

  it('watch says what a needs_input task waits for and how to answer, and follows it on to its end', async () => {
    const watch = harnessAsync([
      'task',
      'submit',
      'TOUCH needs-approval.txt',
      '-p',
      'gadgets',
      '--watch',
      ...url(),
    ]);
    await eventually(
      () => watch.out.stderr,
      (err) => err.includes('waiting for input:'),
    );
    const id = watch.out.stdout.trim();
    expect(watch.out.stderr).toContain(
      `waiting for input: the agent wants to run \`touch needs-approval.txt\`, which the policy says needs approval`,
    );
    expect(watch.out.stderr).toContain(`answer with \`harness task respond ${id} allow|allow-always|deny\``);
    const show = await harness(['task', 'show', id, ...url()]);
    expect(show.stdout).toMatch(/waiting for\s+the agent wants to run `touch needs-approval.txt`/);
    expect(show.stdout).not.toMatch(/^\s+error\s/m);
    expect((await harness(['task', 'cancel', id, ...url()])).code).toBe(0);
    const run = await watch.done;
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`task ${id} cancelled`));
  });

  it('submit --watch exits 1 on a failed task, with the error and its code; show says the same', async () => {
    const run = await harness([
      'task',
      'submit',
      'TOUCH forbidden.txt',
      '-p',
      'gadgets',
      '--watch',
      ...url(),
    ]);
    expect(run.code).toBe(1);
    const id = run.stdout.trim();
    expect(run.stderr).toMatch(new RegExp(`task ${id} failed: .+ \\[agent_policy_blocked\\]`));
    const show = await harness(['task', 'show', id, ...url()]);
    expect(show.stdout).toMatch(/^\s+error\s+.+ \[agent_policy_blocked\]$/m);
  });
});
