/**
 * `harness doctor`: each agent's binary and credentials, bubblewrap, git, the project's remote, the
 * GitHub token and the data directory, from the built binary with a controlled environment.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addBareOrigin,
  githubLikeRemotePath,
  harnessBin,
  isolatedEnv,
  makeRepo,
  repoRoot,
  startGithubStandIn,
  tempDir,
  writeFiles,
} from '@harness/testkit';

const dir = tempDir('harness-doctor-');
afterAll(() => dir.remove());

function doctor(args: string[], env: NodeJS.ProcessEnv, cwd: string = dir.path) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [harnessBin, ...args, 'doctor'],
      { env, cwd },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : (child.exitCode ?? 1), stdout, stderr }),
    );
  });
}

interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix: string | null;
}

interface Report {
  ok: boolean;
  checks: Check[];
  agents: { name: string; usable: boolean; model_access: string | null; reason: string | null }[];
  sandbox: { bwrap_path: string | null };
  model_gateway: string;
}

function byName(report: Report): Record<string, Check> {
  return Object.fromEntries(report.checks.map((check) => [check.name, check]));
}

/** A PATH holding only git and the pinned agent CLIs: no bubblewrap. */
function pathWithoutBwrap(): string {
  const bin = path.join(dir.path, 'bin-no-bwrap');
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync('/usr/bin/git', path.join(bin, 'git'));
  }
  return `${bin}:${path.join(repoRoot, 'node_modules/.bin')}`;
}

describe('harness doctor', () => {
  const env = isolatedEnv(dir.path, {
    PATH: `${path.join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`,
    ANTHROPIC_API_KEY: 'sk-ant-doctor-check',
  });

  it('reports model access per agent: the gateway where Harness holds the key, why not elsewhere', async () => {
    const run = await doctor(['--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.ok).toBe(true);
    const agents = Object.fromEntries(report.agents.map((a) => [a.name, a]));
    expect(agents.anthropic_api).toMatchObject({ usable: true, model_access: 'gateway' });
    expect(agents.claude?.model_access).toBe('gateway');
    expect(agents.codex).toMatchObject({ model_access: 'direct' });
    const checks = byName(report);
    expect(checks['agent claude']).toMatchObject({ status: 'ok' });
    expect(checks['agent codex']?.status).toBe('warn');
    expect(checks['agent codex']?.fix).toContain('OPENAI_API_KEY');
    expect(checks.git).toMatchObject({ status: 'ok' });
    expect(checks.git?.detail).toMatch(/^git version /);
    expect(checks['data directory']).toMatchObject({ status: 'ok' });
    expect(report.model_gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.stdout).not.toContain('sk-ant-doctor-check');
  });

  it('prints a readable report that names each check', async () => {
    const run = await doctor([], env);
    expect(run.stdout).toMatch(/^ok\s+agent anthropic_api\s+Harness holds the API key/m);
    expect(run.stdout).toMatch(/^ok\s+bubblewrap\s+/m);
    expect(run.stdout).toMatch(/^ready for a first task$/m);
  });

  it('without bubblewrap on PATH it fails, names bubblewrap and says how to install it', async () => {
    const run = await doctor(['--json'], { ...env, PATH: pathWithoutBwrap() });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.ok).toBe(false);
    expect(byName(report).bubblewrap).toMatchObject({ status: 'fail' });
    expect(byName(report).bubblewrap?.fix).toContain('apt-get install bubblewrap');
    const human = await doctor([], { ...env, PATH: pathWithoutBwrap() });
    expect(human.stdout).toMatch(/^fail\s+bubblewrap\s+not usable/m);
    expect(human.stdout).toMatch(/fix: install bubblewrap/);
  });

  it('Claude Code without a key or a login is not usable, and it says what to set; a login under ~/.claude is', async () => {
    const home = path.join(dir.path, 'keyless-home');
    mkdirSync(home, { recursive: true });
    const keyless = isolatedEnv(home, { PATH: env.PATH });
    const run = await doctor(['--json'], keyless);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    const claude = byName(report)['agent claude'];
    expect(claude?.status).toBe('warn');
    expect(claude?.detail).toContain('no credentials');
    expect(claude?.detail).toContain(path.join(home, '.claude'));
    expect(claude?.fix).toContain('ANTHROPIC_API_KEY');
    expect(byName(report).agents).toMatchObject({ status: 'fail' });

    mkdirSync(path.join(home, '.claude'), { recursive: true });
    writeFileSync(path.join(home, '.claude', '.credentials.json'), '{}');
    const loggedIn = JSON.parse((await doctor(['--json'], keyless)).stdout) as Report;
    expect(byName(loggedIn)['agent claude']).toMatchObject({ status: 'ok' });
    expect(byName(loggedIn)['agent claude']?.detail).toContain("Claude Code's own login");
  });

  it('names an unusable reviewer and the key to change, and a remote that is not on GitHub', async () => {
    const repo = makeRepo(path.join(dir.path, 'project'));
    addBareOrigin(repo, path.join(dir.path, 'project-origin.git'));
    // Codex named as the reviewer without credentials here: every task would fail at review.
    writeFiles(repo, { '.harness/config.toml': '[review]\nreviewer_agent = "codex"\n' });
    const first = await doctor(['--json', '--project', `app=${repo}`], env);
    expect(first.code).toBe(1);
    const agents = byName(JSON.parse(first.stdout) as Report)['task agents'];
    expect(agents).toMatchObject({ status: 'fail' });
    expect(agents?.detail).toContain('the reviewer "codex" (review.reviewer_agent) is not usable');
    expect(agents?.fix).toContain(path.join(repo, '.harness/config.toml'));

    writeFiles(repo, { '.harness/config.toml': '[review]\nreviewer_agent = "anthropic_api"\n' });
    const run = await doctor(['--json', '--project', `app=${repo}`], env);
    expect(run.code, run.stdout).toBe(0);
    expect(byName(JSON.parse(run.stdout) as Report)['task agents']).toMatchObject({ status: 'ok' });
    const remote = byName(JSON.parse(run.stdout) as Report).remote;
    expect(remote?.status).toBe('ok');
    expect(remote?.detail).toContain('is not on GitHub');
    expect(remote?.detail).toContain('git.deliver = "auto": tasks push their branch');

    // A pull request asked for where none can be opened: every task would be refused.
    writeFiles(repo, {
      '.harness/config.toml': '[review]\nreviewer_agent = "anthropic_api"\n[git]\ndeliver = "pull_request"\n',
    });
    const refused = await doctor(['--json', '--project', `app=${repo}`], env);
    expect(refused.code).toBe(1);
    const impossible = byName(JSON.parse(refused.stdout) as Report).remote;
    expect(impossible?.status).toBe('fail');
    expect(impossible?.detail).toContain('git.deliver = "pull_request" needs a GitHub remote and a token');
    expect(impossible?.fix).toContain('git.deliver = "auto"');
  });

  it('a GitHub remote with the API on loopback: the token is checked against it', async () => {
    const hub = await startGithubStandIn({ token: 'right-token' });
    try {
      hub.addRepo('acme/widget');
      const repo = makeRepo(path.join(dir.path, 'widget'));
      addBareOrigin(repo, githubLikeRemotePath(dir.path, 'acme/widget'));
      const config = path.join(dir.path, 'github.toml');
      writeFileSync(config, `[github]\napi_url = "${hub.url}"\n`);
      const run = async (token: string) =>
        JSON.parse(
          (
            await doctor(['--json', '--config', config, '--project', `w=${repo}`], {
              ...env,
              GITHUB_TOKEN: token,
            })
          ).stdout,
        ) as Report;
      const good = await run('right-token');
      expect(byName(good).remote?.status).toBe('ok');
      expect(byName(good).remote?.detail).toContain('GitHub repository acme/widget');
      expect(byName(good).remote?.detail).toContain('tasks end in a pull request');
      expect(byName(good)['github token']).toMatchObject({ status: 'ok' });
      const bad = await run('wrong-token');
      expect(bad.ok).toBe(false);
      expect(byName(bad)['github token']).toMatchObject({ status: 'fail' });
      expect(byName(bad)['github token']?.detail).toContain('answered 401');
      expect(JSON.stringify(bad)).not.toContain('wrong-token');
    } finally {
      await hub.close();
    }
  });

  it('fails on a data directory it cannot write, and names it', async () => {
    const file = path.join(dir.path, 'a-file');
    writeFileSync(file, '');
    const run = await doctor(['--json'], { ...env, XDG_DATA_HOME: file });
    expect(run.code).toBe(1);
    const data = byName(JSON.parse(run.stdout) as Report)['data directory'];
    expect(data).toMatchObject({ status: 'fail' });
    expect(data?.detail).toContain(path.join(file, 'harness'));
    expect(data?.fix).toContain('server.data_dir');
  });
});
