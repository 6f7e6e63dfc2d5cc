import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from './load-policy.js';
import { checkCommandLineWithScripts } from './script-files.js';

const policy = loadPolicy({
  files: [
    {
      path: 'git.star',
      source: `
prefix_rule(pattern = ["git", "push"], decision = "forbidden", justification = "Harness pushes")
prefix_rule(pattern = ["rm", ["-rf", "-fr"]], decision = "forbidden")
`,
    },
  ],
});

const root = mkdtempSync(path.join(tmpdir(), 'harness-git-aliases-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const home = path.join(root, 'home');
const repo = path.join(root, 'repo');
mkdirSync(home);
const env = {
  ...process.env,
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, '.config'),
  GIT_CONFIG_NOSYSTEM: '1',
};
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, stdio: 'ignore' });
git(root, 'init', '-q', repo);
git(repo, 'config', 'alias.p', 'push');
git(repo, 'config', 'alias.pf', 'push --force origin');
git(repo, 'config', 'alias.ship', '!git push origin HEAD');
git(repo, 'config', 'alias.again', 'p');
git(repo, 'config', 'alias.st', 'status --short');
git(home, 'config', '--global', 'alias.up', 'push -u origin');

const decide = async (line: string, cwd = repo) =>
  (await checkCommandLineWithScripts(policy, line, cwd, { env })).decision;

describe('git aliases are resolved before matching', () => {
  it.each([
    ['git p', 'repository alias'],
    ['git pf main', 'repository alias with options'],
    ['git ship', '`!` shell alias'],
    ['git again', 'alias of an alias'],
    ['git up main', 'global alias'],
    ['git --no-pager p', 'alias after a global option'],
    ['git -c alias.x=push x', 'alias given on the command line'],
    ["git -c 'alias.x=!git push' x", 'shell alias on the command line'],
    ['git config alias.y push && git y', 'alias written and used in one command line'],
    ['git config --global alias.z "!rm -rf /"', 'shell alias written for later'],
    ['git config set --local alias.w push', 'alias written with `git config set`'],
    ['git config alias.v push get', 'alias written with a value pattern'],
    ['git-push origin main', 'git-push program'],
    ['/usr/lib/git-core/git-push origin main', 'git-push by its path'],
    ['git --exec-path=/tmp push', 'another exec path'],
  ])('%s is forbidden (%s)', async (line) => expect(await decide(line)).toBe('forbidden'));

  it('keeps aliases to harmless commands, and git’s own commands, allowed', async () => {
    expect(await decide('git st')).toBe('allow');
    expect(await decide('git status')).toBe('allow');
    expect(await decide('git config user.name someone')).toBe('allow');
    expect(await decide('git config --get alias.p push')).toBe('allow');
    expect(await decide('git config --unset alias.p')).toBe('allow');
  });

  it('an alias that cannot be resolved is at least prompt', async () => {
    expect(await decide('git p', path.join(root, 'missing-dir'))).toBe('prompt');
    expect(await decide(`git -C ${root} p`)).toBe('prompt');
    expect(await decide(`HOME=${root} git up`)).toBe('prompt');
    expect(await decide('GIT_DIR=/elsewhere/.git git p')).toBe('prompt');
    expect(policy.checkCommandLine('git p').decision).toBe('prompt');
    expect(await decide('"$(git --exec-path)/git-push" origin')).toBe('prompt');
  });

  it('a name that is no alias is what git would run: a git-NAME program', async () => {
    expect(await decide('git lfs-thing')).toBe('allow');
  });
});
