/**
 * Each stage's typed result, on real git in a temp dir and real validation processes. The stages
 * neither store nor announce, so no store is needed; the agent stages are covered by
 * pipeline.test.ts with an in-process agent.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newTask } from '@harness/protocol';
import { AgentRegistry } from '../agents/index.js';
import {
  createGit,
  createProcessRunner,
  loadConfig,
  resolveProjectSettings,
  systemClock,
} from '../core/index.js';
import { TaskProgress } from './task-progress.js';
import { type StageContext, openPullRequest, push, validate } from './stages.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
    cwd,
    encoding: 'utf8',
  }).trim();

let dir: string;
let remote: string;
let checkout: string;

/** A stage context on a fresh branch of a real checkout, validated by `commands`. */
function context(commands: string[], signal = new AbortController().signal): StageContext {
  writeFileSync(
    path.join(checkout, '.harness', 'config.toml'),
    `[validation]\npre_commit = ${JSON.stringify(commands)}\n`,
  );
  const configFile = path.join(dir, 'config.toml');
  writeFileSync(
    configFile,
    `[otel]\nexporter = "disabled"\n[[projects]]\nname = "widgets"\nroot = "${checkout}"\n`,
  );
  const { config } = loadConfig({ configPath: configFile, env: {} });
  const runner = createProcessRunner();
  return {
    deps: {
      git: createGit({ runner }),
      runner,
      agents: new AgentRegistry(config.agents, []),
      author: { name: 'Task Bot', email: 'bot@example.com' },
      github: null,
      clock: systemClock,
      onPrompt: 'refuse',
    },
    taskId: 'task-1',
    settings: resolveProjectSettings(config, 'widgets'),
    source: { brief: { title: 'Do it', body: 'Do it', source: 'The task' }, prBranch: null, prUrl: null },
    repo: null,
    worktree: {
      path: checkout,
      branch: 'harness/task-1',
      baseCommit: git(checkout, 'rev-parse', 'HEAD'),
      resumed: false,
    },
    baseBranch: 'main',
    signal,
  };
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'harness-stages-'));
  remote = path.join(dir, 'remote.git');
  mkdirSync(remote);
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  checkout = path.join(dir, 'widgets');
  git(dir, 'init', '-q', '-b', 'main', checkout);
  mkdirSync(path.join(checkout, '.harness'));
  writeFileSync(path.join(checkout, '.gitignore'), '.harness/\n');
  git(checkout, 'add', '-A');
  git(checkout, 'commit', '-qm', 'init');
  git(checkout, 'remote', 'add', 'origin', remote);
  git(checkout, 'checkout', '-q', '-b', 'harness/task-1');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the validation stage', () => {
  it('passes, and commits what validation itself wrote as the configured author', async () => {
    const result = await validate(
      context(['echo formatted > formatted.txt']),
      git(checkout, 'rev-parse', 'HEAD'),
    );
    expect(result).toMatchObject({ kind: 'passed', commands: [{ passed: true, exit_code: 0 }] });
    if (result.kind !== 'passed') return;
    expect(result.sha).toBe(git(checkout, 'rev-parse', 'HEAD'));
    expect(git(checkout, 'show', '--format=%an', '--name-only', 'HEAD')).toContain('formatted.txt');
    expect(git(checkout, 'log', '-1', '--format=%an')).toBe('Task Bot');
  });

  it('fails with a report naming the command that failed, committing nothing', async () => {
    const head = git(checkout, 'rev-parse', 'HEAD');
    const result = await validate(context(['true', 'echo broken >&2; exit 3', 'echo never']), head);
    expect(result.kind).toBe('failed');
    if (result.kind !== 'failed') return;
    expect(result.commands.map((c) => [c.command, c.exit_code])).toEqual([
      ['true', 0],
      ['echo broken >&2; exit 3', 3],
    ]);
    expect(result.report).toContain('echo broken >&2; exit 3');
    expect(result.report).toContain('broken');
    expect(git(checkout, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('with no command to run, passes the commit it was given and commits nothing', async () => {
    const head = git(checkout, 'rev-parse', 'HEAD');
    const result = await validate(context([]), head);
    expect(result).toMatchObject({ kind: 'passed', sha: head, commands: [] });
    expect(git(checkout, 'rev-parse', 'HEAD')).toBe(head);
  });

  it('with no command to run and no commit just made, commits what was left over', async () => {
    const before = git(checkout, 'rev-parse', 'HEAD');
    writeFileSync(path.join(checkout, 'left.txt'), 'left by an earlier run');
    const result = await validate(context([]), null);
    expect(result).toMatchObject({ kind: 'passed', commands: [] });
    if (result.kind !== 'passed') return;
    expect(result.sha).not.toBe(before);
    expect(result.sha).toBe(git(checkout, 'rev-parse', 'HEAD'));
    expect(git(checkout, 'show', '--name-only', '--format=', 'HEAD')).toBe('left.txt');
  });

  it('is cancelled, not failed, when the run was aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const result = await validate(
      context(['echo ran > ran.txt'], controller.signal),
      git(checkout, 'rev-parse', 'HEAD'),
    );
    expect(result).toEqual({ kind: 'cancelled', commands: [], detected: null });
  });
});

describe('the push stage', () => {
  it('has nothing to push while HEAD is the base commit', async () => {
    const ctx = context(['true']);
    expect(await push(ctx, TaskProgress.empty(), ctx.worktree.baseCommit)).toEqual({ kind: 'no_changes' });
  });

  it('pushes HEAD to the task branch', async () => {
    const ctx = context(['true']);
    writeFileSync(path.join(checkout, 'work.txt'), 'work');
    git(checkout, 'add', 'work.txt');
    git(checkout, 'commit', '-qm', 'work');
    const head = git(checkout, 'rev-parse', 'HEAD');
    expect(await push(ctx, TaskProgress.empty(), head)).toEqual({ kind: 'pushed', sha: head });
    expect(git(remote, 'rev-parse', 'harness/task-1')).toBe(head);
  });
});

describe('the pull-request stage', () => {
  const at = new Date().toISOString();
  const task = newTask({
    ...{ id: 'task-1', project: 'widgets', kind: 'prompt', prompt: 'Do it', state: 'pr_open' },
    ...{ validation_attempts: 1, created_at: at, started_at: at },
  });

  it('adopts the pull request a task continues', async () => {
    const ctx = context(['true']);
    const source = { ...ctx.source, prBranch: 'feature', prUrl: 'https://github.test/acme/widgets/pull/7' };
    expect(await openPullRequest({ ...ctx, source }, { ...task, pr: 7 }, '')).toEqual({
      kind: 'adopted',
      url: 'https://github.test/acme/widgets/pull/7',
      number: 7,
    });
  });

  it('is unavailable, naming the remote, when the project is not on GitHub', async () => {
    const result = await openPullRequest(context(['true']), task, 'summary');
    expect(result).toEqual({
      kind: 'unavailable',
      message:
        'cannot open a pull request: remote "origin" is not a GitHub repository (its URL does not end in owner/repo), ' +
        'and no GitHub token is set ([github] token in the config, or GITHUB_TOKEN); ' +
        'deliver by branch ([git] deliver = "branch") or give what is missing',
    });
  });
});
