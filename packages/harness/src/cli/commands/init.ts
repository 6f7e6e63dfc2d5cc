import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, HarnessError, parseProjectOverlay } from '../../core/index.js';
import { type DetectedCommand, detectValidationCommands } from '../../tasks/index.js';
import { globalOptions } from '../global-options.js';
import { printData } from '../output.js';
import { starterPolicy } from './init-policy.js';

/**
 * `harness init [PATH]`: writes a commented project overlay (`.harness/config.toml`) with the
 * validation commands and base branch it detects, and a starter policy. Never overwrites without
 * `--force`.
 */

export interface InitReport {
  root: string;
  base_branch: string;
  base_branch_from: string;
  remote: string | null;
  pre_commit: DetectedCommand[];
  pre_push: DetectedCommand[];
  written: string[];
  next_steps: string[];
}

const configRelative = path.join('.harness', 'config.toml');
const policyRelative = path.join('.harness', 'policy', 'default.star');

function run(cwd: string, args: string[]): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      { cwd, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' }, timeout: 15_000 },
      (error, stdout) => resolve(error === null ? stdout.trim() : null),
    );
  });
}

async function baseBranch(root: string, remote: string | null): Promise<{ branch: string; from: string }> {
  if (remote !== null) {
    const symbolic = await run(root, ['symbolic-ref', '--quiet', `refs/remotes/${remote}/HEAD`]);
    const prefix = `refs/remotes/${remote}/`;
    if (symbolic?.startsWith(prefix) === true) {
      return { branch: symbolic.slice(prefix.length), from: `refs/remotes/${remote}/HEAD` };
    }
    const listed = await run(root, ['ls-remote', '--symref', remote, 'HEAD']);
    const match = listed === null ? null : /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(listed);
    if (match?.[1] !== undefined) return { branch: match[1], from: `the HEAD of remote "${remote}"` };
  }
  const current = await run(root, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  if (current !== null && current !== '') return { branch: current, from: 'the current branch' };
  return { branch: 'main', from: 'the default (no remote HEAD, detached HEAD)' };
}

function tomlList(commands: DetectedCommand[]): string {
  if (commands.length === 0) return '[]';
  return `[\n${commands.map((c) => `  ${JSON.stringify(c.command)},   # from ${c.from}`).join('\n')}\n]`;
}

export function renderOverlay(
  report: Pick<InitReport, 'base_branch' | 'base_branch_from' | 'remote' | 'pre_commit' | 'pre_push'>,
): string {
  const remote = report.remote ?? 'origin';
  return `# Harness settings for this repository, written by \`harness init\`. Check it with
#   harness --project app=. config validate
# (every key below is optional; a typo is an error, not a silent default).

[git]
# The branch tasks start from and pull requests target (from ${report.base_branch_from}).
base_branch = ${JSON.stringify(report.base_branch)}
# The remote Harness pushes task branches to.${report.remote === null ? ' This repository has no remote yet.' : ''}
remote = ${JSON.stringify(remote)}
# Task branches are named <prefix><task id>.
branch_prefix = "harness/"

[validation]
# Shell commands run in the task's worktree before each commit; a failure goes back to the agent.
pre_commit = ${tomlList(report.pre_commit)}
# Run before the branch is pushed.
pre_push = ${tomlList(report.pre_push)}
timeout_secs = 600
max_retries = 2
# New findings of the .harness/guards/* scanners in the task's files, this severe or worse, go back
# to the agent and block delivery: critical | high | medium | low | off (else the server's, "high").
# guard_severity = "high"

# [agent]
# default = "claude"            # claude | codex | anthropic_api

# [review]
# enabled = true
# reviewer_agent = "anthropic_api"  # reviews the work: usable (harness doctor) and not the implementor
# max_rounds = 2
`;
}

async function init(target: string, force: boolean): Promise<InitReport> {
  const dir = path.resolve(target);
  if (!existsSync(dir)) {
    throw new HarnessError(ErrorCodes.invalidParams, `harness init: ${dir} does not exist`);
  }
  const top = await run(dir, ['rev-parse', '--show-toplevel']);
  if (top === null || top === '') {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `harness init: ${dir} is not a git repository (run \`git init\` there first, or pass the repository's path)`,
    );
  }
  const root = path.resolve(top);
  const files = [configRelative, policyRelative].map((rel) => path.join(root, rel));
  const existing = files.filter((file) => existsSync(file));
  if (existing.length > 0 && !force) {
    throw new HarnessError(
      ErrorCodes.invalidParams,
      `harness init: ${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (--force overwrites)`,
    );
  }
  const remotes = (await run(root, ['remote'])) ?? '';
  const names = remotes.split('\n').filter((name) => name !== '');
  const remote = names.includes('origin') ? 'origin' : (names[0] ?? null);
  const base = await baseBranch(root, remote);
  const detected = detectValidationCommands(root) ?? { pre_commit: [], pre_push: [] };
  const partial = {
    base_branch: base.branch,
    base_branch_from: base.from,
    remote,
    pre_commit: detected.pre_commit,
    pre_push: detected.pre_push,
  };
  const overlay = renderOverlay(partial);
  const [configFile, policyFile] = files as [string, string];
  // What we write must load with Harness's own loader; a detected value it rejects is our bug.
  parseProjectOverlay(overlay, configFile);
  mkdirSync(path.dirname(policyFile), { recursive: true });
  writeFileSync(configFile, overlay);
  writeFileSync(policyFile, starterPolicy);
  return {
    root,
    ...partial,
    written: files,
    next_steps: [
      `review ${configRelative}: the validation commands and base branch are guesses`,
      `harness rule load ${root}   # the policy loads and its examples pass`,
      `harness --project ${JSON.stringify(root)} doctor   # agents, credentials, sandbox, remote`,
      `git -C ${JSON.stringify(root)} add .harness && git -C ${JSON.stringify(root)} commit -m "Add Harness settings"`,
    ],
  };
}

function render(report: InitReport): string {
  const list = (commands: DetectedCommand[]): string =>
    commands.length === 0 ? '(none detected)' : commands.map((c) => `${c.command} (${c.from})`).join(', ');
  return [
    ...report.written.map((file) => `wrote ${file}`),
    `base branch   ${report.base_branch} (from ${report.base_branch_from})`,
    `remote        ${report.remote ?? '(none)'}`,
    `pre_commit    ${list(report.pre_commit)}`,
    `pre_push      ${list(report.pre_push)}`,
    '',
    'next steps:',
    ...report.next_steps.map((step) => `  ${step}`),
  ].join('\n');
}

export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'write .harness/config.toml (detected validation commands and base branch) and a starter policy',
    )
    .argument('[path]', 'the git repository (default: the current directory)', '.')
    .option('--force', 'overwrite existing files')
    .action(async (target: string, options: { force?: boolean }, command: Command) => {
      const report = await init(target, options.force === true);
      printData(report, globalOptions(command).json === true, () => render(report));
    });
}
