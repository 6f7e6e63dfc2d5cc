/**
 * The README's quick start, as written: the ```sh blocks that follow a `<!-- quickstart -->`
 * comment in README.md are run in order, as one bash script, in a temporary HOME, on a scratch
 * repository whose origin is a local bare repository on `master` (not GitHub). The scripted
 * Anthropic server stands in for the API, for Claude Code (the implementor) and the Anthropic API
 * adapter (the reviewer). Only three placeholders are replaced: the API key, the repository's path
 * and the port. If a command in those blocks breaks, or the task does not end `done`, this fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approve,
  eventually,
  git,
  isolatedEnv,
  repoRoot,
  type ScriptedAnthropicServer,
  scriptedClaudeEnv,
  startScriptedAnthropicServer,
  tempDir,
  viewOf,
  writeFiles,
} from '@harness/testkit';

/** The quick start's blocks, in README order. */
function quickstartBlocks(readme: string): string[] {
  return [...readme.matchAll(/^<!-- quickstart -->\n```(?:sh|bash)\n([\s\S]*?)^```$/gm)].map(
    (match) => match[1] ?? '',
  );
}

/** Sends SIGNAL to CHILD's process group (it was started detached, so it leads one); false when it is gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

function endGroup(child: ChildProcess): void {
  signalGroup(child, 'SIGTERM');
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('the README quick start', () => {
  const dir = tempDir('harness-quickstart-');
  const home = path.join(dir.path, 'home');
  const repo = path.join(dir.path, 'app');
  const origin = path.join(dir.path, 'origin.git');
  let model: ScriptedAnthropicServer;
  let shell: ChildProcess | undefined;

  beforeAll(async () => {
    // A user's repository: on master, with a test script, its origin a bare repository.
    mkdirSync(repo, { recursive: true });
    git(dir.path, 'init', '-q', '--bare', '-b', 'master', origin);
    git(repo, 'init', '-q', '-b', 'master');
    writeFiles(repo, {
      'package.json': JSON.stringify({ name: 'app', private: true, scripts: { test: 'node test.js' } }),
      'test.js': "require('node:fs').accessSync('package.json');\n",
    });
    // The user's own git identity, as a fresh machine's user would have set it.
    mkdirSync(home, { recursive: true });
    writeFileSync(path.join(home, '.gitconfig'), '[user]\n\tname = Quick Start\n\temail = qs@example.com\n');
    git(repo, '-c', 'user.name=Quick Start', '-c', 'user.email=qs@example.com', 'add', '-A');
    git(repo, '-c', 'user.name=Quick Start', '-c', 'user.email=qs@example.com', 'commit', '-qm', 'initial');
    git(repo, 'remote', 'add', 'origin', origin);
    git(repo, 'push', '-q', 'origin', 'master');

    model = await startScriptedAnthropicServer([]);
    model.script.respondWith((body) => {
      const view = viewOf(body);
      if (view.lastPrompt.includes('You are reviewing')) return approve();
      if (view.afterTool) return { text: 'Done: CONTRIBUTING.md says how to run the tests.' };
      return {
        tool_calls: [{ name: 'Bash', input: { command: "printf 'Run npm test.\\n' > CONTRIBUTING.md" } }],
      };
    });
    // Where the API is: the scripted server, for the reviewer (Claude Code reads ANTHROPIC_BASE_URL).
    mkdirSync(path.join(home, '.config/harness'), { recursive: true });
    writeFileSync(
      path.join(home, '.config/harness/config.toml'),
      `[agents.anthropic_api]\nbase_url = "${model.baseUrl}"\n`,
    );
  }, 60_000);

  afterAll(async () => {
    // The server the quick start left running in the background: stopped before its data is removed.
    if (shell && signalGroup(shell, 'SIGTERM')) {
      const group = shell;
      if (
        await eventually(
          () => signalGroup(group, 0),
          (alive) => !alive,
        )
      )
        signalGroup(group, 'SIGKILL');
    }
    await model.close();
    dir.remove();
  });

  it('marks its blocks, with the placeholders this test replaces', () => {
    const blocks = quickstartBlocks(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const all = blocks.join('\n');
    for (const placeholder of ['sk-ant-…', '/path/to/your/repo', '9800']) expect(all).toContain(placeholder);
  });

  it('takes a task on a repository whose origin is not GitHub to done, as written', async () => {
    const port = await freePort();
    const script = quickstartBlocks(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'))
      .join('\n')
      .replaceAll('sk-ant-…', 'sk-ant-quickstart')
      .replaceAll('/path/to/your/repo', repo)
      .replaceAll('9800', String(port));
    // PATH as the user's: `npx harness` itself puts the checkout's node_modules/.bin (Claude Code) on it.
    const userPath = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((entry) => !entry.includes(`node_modules${path.sep}.bin`))
      .join(path.delimiter);
    const env = isolatedEnv(home, { ...scriptedClaudeEnv(model.baseUrl), PATH: userPath });
    delete env.ANTHROPIC_API_KEY; // the quick start exports it
    // "From this checkout": a directory whose node_modules is the checkout's, so `npx harness` runs
    // the built Harness and what the quick start writes (harness.log) stays out of the real checkout.
    const checkout = path.join(dir.path, 'checkout');
    mkdirSync(checkout);
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(checkout, 'node_modules'));
    // Output to files, not pipes: the server the quick start leaves running in the background holds
    // whatever it inherits open, and the script is over when bash exits.
    const out = path.join(dir.path, 'stdout.txt');
    const err = path.join(dir.path, 'stderr.txt');
    const code = await new Promise<number | null>((resolve) => {
      // Its own process group, so that server can be ended with it.
      const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], {
        cwd: checkout,
        env,
        detached: true,
        stdio: ['ignore', openSync(out, 'w'), openSync(err, 'w')],
      });
      shell = child;
      // A task that never ends would leave the script waiting on its stream: end it before the
      // test's own timeout, so the failure shows the output and the server's log.
      const guard = setTimeout(() => endGroup(child), 200_000);
      child.on('exit', (exitCode) => {
        clearTimeout(guard);
        resolve(exitCode);
      });
    });
    const run = { code, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') };
    const log = (() => {
      try {
        return readFileSync(path.join(checkout, 'harness.log'), 'utf8').slice(-4000);
      } catch {
        return '';
      }
    })();
    const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}\nharness.log:\n${log}`;
    expect(run.code, context).toBe(0);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    expect(last, context).toMatch(/^done branch harness\/task_\S+$/);
    const branch = last.split(' ')[2] ?? '';
    expect(git(origin, 'show', `${branch}:CONTRIBUTING.md`)).toBe('Run npm test.');
    // The server it started still runs: the task was implemented by one agent, approved by another.
    const listed = (await (await fetch(`http://127.0.0.1:${port}/tasks?project=app`)).json()) as {
      tasks: { branch: string; agent: string; reviewer: string; rounds: { verdict: string }[] }[];
    };
    expect(listed.tasks.map((t) => [t.branch, t.agent, t.reviewer, t.rounds.map((r) => r.verdict)])).toEqual([
      [branch, 'claude', 'anthropic_api', ['approve']],
    ]);
  }, 230_000);
});
