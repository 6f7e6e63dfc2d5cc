import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { AgentAvailability } from '../../agents/index.js';
import {
  describeError,
  type HarnessConfig,
  loadProjectOverlay,
  resolveProjectSettings,
} from '../../core/index.js';
import { parseRemoteUrl, repoSlug } from '../../github/index.js';
import type { SandboxCapabilities } from '../../sandbox/index.js';

type DeliverMode = HarnessConfig['git']['deliver'];

/**
 * The checks `harness doctor` prints: each says what it found and, when it is not OK, how to fix
 * it. `fail` blocks a first task; `warn` is worth knowing (an agent you may not use, no GitHub).
 */
export interface DoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix: string | null;
}

const ok = (name: string, detail: string): DoctorCheck => ({ name, status: 'ok', detail, fix: null });

function run(file: string, args: string[], cwd?: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { cwd, timeout: 15_000, env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } },
      (error, stdout) => resolve(error === null ? stdout.trim() : null),
    );
  });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Where Claude Code keeps a login of its own (`claude` then `/login`), if it has one. */
function claudeLogin(home: string): string | null {
  const credentials = path.join(home, '.claude', '.credentials.json');
  if (existsSync(credentials)) return credentials;
  const state = path.join(home, '.claude.json');
  return readText(state).includes('"oauthAccount"') ? state : null;
}

function codexLogin(env: NodeJS.ProcessEnv, home: string): string | null {
  const dir =
    env.CODEX_HOME !== undefined && env.CODEX_HOME !== '' ? env.CODEX_HOME : path.join(home, '.codex');
  const auth = path.join(dir, 'auth.json');
  return existsSync(auth) ? auth : null;
}

/** The agent's binary (it ran `--version`) and whether it has credentials to reach a model. */
export function agentCheck(
  agent: AgentAvailability,
  config: HarnessConfig,
  env: NodeJS.ProcessEnv,
): DoctorCheck {
  const name = `agent ${agent.name}`;
  if (!agent.enabled)
    return {
      name,
      status: 'warn',
      detail: 'disabled in config',
      fix: `set agents.${agent.name}.enabled = true to use it`,
    };
  if (!agent.usable) {
    const install: Record<string, string> = {
      claude:
        'install Claude Code (`npm install -g @anthropic-ai/claude-code`) or set agents.claude.binary_path',
      codex: 'install Codex (`npm install -g @openai/codex`) or set agents.codex.binary_path',
    };
    const credentials: Record<string, string> = {
      claude: 'export ANTHROPIC_API_KEY=… (or agents.anthropic_api.api_key), or run `claude` once and log in',
      codex: 'export OPENAI_API_KEY=… (or agents.codex.api_key), or run `codex login`',
      anthropic_api: 'export ANTHROPIC_API_KEY=… (or agents.anthropic_api.api_key)',
    };
    const missingBinary = agent.binary_path === null && install[agent.name] !== undefined;
    return {
      name,
      status: 'warn',
      detail: `not usable: ${agent.reason ?? 'unknown reason'}`,
      fix: (missingBinary ? install[agent.name] : credentials[agent.name]) ?? null,
    };
  }
  const version = agent.version === null ? '' : ` ${agent.version}`;
  const binary = agent.binary_path === null ? '' : `${agent.binary_path}${version}; `;
  if (agent.model_access === 'gateway') return ok(name, `${binary}Harness holds the API key (model gateway)`);
  const home = env.HOME ?? homedir();
  if (agent.name === 'claude') {
    const login = claudeLogin(home);
    if (login !== null) return ok(name, `${binary}no Harness-held key; Claude Code's own login in ${login}`);
    if (
      env.CLAUDE_CODE_OAUTH_TOKEN !== undefined &&
      config.agents.env_passthrough.includes('CLAUDE_CODE_OAUTH_TOKEN')
    )
      return ok(name, `${binary}no Harness-held key; CLAUDE_CODE_OAUTH_TOKEN is passed through`);
    return {
      name,
      status: 'warn',
      detail: `${binary}no credentials: ANTHROPIC_API_KEY is not set, Harness holds no Anthropic key, and there is no login under ${path.join(home, '.claude')}; its turns would fail`,
      fix: 'export ANTHROPIC_API_KEY=… (or agents.anthropic_api.api_key in the config), or run `claude` once and log in',
    };
  }
  if (agent.name === 'codex') {
    const login = codexLogin(env, home);
    if (login !== null) return ok(name, `${binary}no Harness-held key; Codex's own login in ${login}`);
    return {
      name,
      status: 'warn',
      detail: `${binary}no credentials: no OPENAI_API_KEY/CODEX_API_KEY, no agents.codex.api_key, no ${path.join(home, '.codex', 'auth.json')}`,
      fix: 'export OPENAI_API_KEY=… (or agents.codex.api_key), or run `codex login`',
    };
  }
  return ok(name, `${binary}${agent.model_access_reason ?? 'usable'}`);
}

export function sandboxCheck(sandbox: SandboxCapabilities, config: HarnessConfig, hint: string): DoctorCheck {
  if (sandbox.bwrap_path !== null) {
    return ok(
      'bubblewrap',
      `${sandbox.bwrap_path} ${sandbox.bwrap_version ?? ''}`.trim() +
        (sandbox.is_root ? ' (running as root: capabilities are dropped inside)' : ''),
    );
  }
  const optedOut = config.agents.sandbox_mode === 'danger-full-access';
  return {
    name: 'bubblewrap',
    status: optedOut ? 'warn' : 'fail',
    detail: `not usable: ${sandbox.bwrap_problem ?? 'not found'}${optedOut ? ' (agents.sandbox_mode = "danger-full-access": agents run unsandboxed)' : '; agents cannot run in read-only or workspace-write mode'}`,
    fix: hint,
  };
}

export async function gitCheck(): Promise<DoctorCheck> {
  const version = await run('git', ['--version']);
  return version === null
    ? {
        name: 'git',
        status: 'fail',
        detail: 'git was not found on PATH (or did not run)',
        fix: 'install git (Debian/Ubuntu: `apt-get install git`)',
      }
    : ok('git', version);
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
  } catch {
    return false;
  }
}

/** The GitHub host a remote must be on for Harness to open pull requests there. */
function githubHost(apiUrl: string): string {
  const host = new URL(apiUrl).hostname;
  return host === 'api.github.com' ? 'github.com' : host;
}

/** The host of a remote URL (`https://h/…`, `ssh://git@h/…`, `git@h:o/r`); null for a local path. */
function remoteHost(url: string): string | null {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url)) {
    try {
      return new URL(url).hostname;
    } catch {
      return null;
    }
  }
  return /^[^@/]+@([^:/]+):/.exec(url)?.[1] ?? null;
}

/** The project's remote and what its forge means for delivering a task (pull request or not). */
export async function remoteCheck(root: string | null, config: HarnessConfig): Promise<DoctorCheck> {
  const name = 'remote';
  if (root === null) {
    return {
      name,
      status: 'warn',
      detail: 'no project: the current directory is not a git repository and none is configured',
      fix: 'run doctor inside the repository, or pass --project NAME=PATH',
    };
  }
  if ((await run('git', ['rev-parse', '--git-dir'], root)) === null) {
    return {
      name,
      status: 'fail',
      detail: `${root} is not a git repository`,
      fix: `run \`git init\` in ${root}, or pass the repository with --project NAME=PATH`,
    };
  }
  let remote: string;
  let deliver: DeliverMode;
  try {
    const overlay = loadProjectOverlay(root).git;
    remote = overlay.remote;
    deliver = overlay.deliver ?? config.git.deliver;
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: describeError(error),
      fix: 'fix the project overlay (`harness --project app=PATH config validate` names the key)',
    };
  }
  const url = await run('git', ['remote', 'get-url', remote], root);
  if (url === null) {
    return {
      name,
      status: 'warn',
      detail: `${root} has no remote "${remote}": Harness cannot push a task's branch`,
      fix: `git -C ${root} remote add ${remote} URL, or set git.remote in .harness/config.toml`,
    };
  }
  const apiUrl = config.github.api_url;
  const ref = parseRemoteUrl(url);
  const host = remoteHost(url);
  // A local or loopback remote counts only with a GitHub stand-in on loopback (tests, demos).
  const local = host === null || host === '' || isLoopback(`http://${host}`);
  const onGithub = ref !== null && (host === githubHost(apiUrl) || (isLoopback(apiUrl) && local));
  const hasToken = (config.github.token ?? '') !== '';
  const where = onGithub
    ? `${remote} = ${url}: GitHub repository ${repoSlug(ref)} (API ${apiUrl})`
    : `${remote} = ${url} is not on GitHub (${githubHost(apiUrl)})`;
  if (deliver === 'pull_request' && !(onGithub && hasToken)) {
    return {
      name,
      status: 'fail',
      detail: `${where}; git.deliver = "pull_request" needs a GitHub remote and a token, so every task would be refused`,
      fix: onGithub
        ? 'export GITHUB_TOKEN=…, or set git.deliver = "auto" (a pushed branch without a token)'
        : 'set git.deliver = "auto" or "branch" in .harness/config.toml, or add a GitHub remote and set git.remote to it',
    };
  }
  return ok(name, `${where}; ${deliveryOutcome(deliver, onGithub && hasToken)}`);
}

/** What becomes of a finished task's work under `git.deliver`, said as doctor says it. */
function deliveryOutcome(deliver: DeliverMode, canOpenPullRequest: boolean): string {
  switch (deliver) {
    case 'none':
      return 'git.deliver = "none": tasks keep their commit on a local branch';
    case 'branch':
      return 'git.deliver = "branch": tasks push their branch';
    case 'pull_request':
      return 'git.deliver = "pull_request": tasks end in a pull request';
    case 'auto':
      return canOpenPullRequest
        ? 'git.deliver = "auto": tasks end in a pull request'
        : 'git.deliver = "auto": tasks push their branch (a pull request needs a GitHub remote and a token)';
  }
}

export async function githubTokenCheck(config: HarnessConfig): Promise<DoctorCheck> {
  const name = 'github token';
  const token = config.github.token;
  const fix =
    'export GITHUB_TOKEN=… (or github.token in the config): a token with contents and pull-requests write access';
  if (token === undefined || token === '') {
    return { name, status: 'warn', detail: 'not set: Harness cannot open pull requests or read issues', fix };
  }
  if (!isLoopback(config.github.api_url))
    return ok(name, `set (not checked: doctor calls no network beyond 127.0.0.1; ${config.github.api_url})`);
  try {
    const response = await fetch(new URL('user', `${config.github.api_url.replace(/\/+$/, '')}/`), {
      headers: { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json' },
      signal: AbortSignal.timeout(5_000),
    });
    return response.ok
      ? ok(name, `set; ${config.github.api_url} accepts it`)
      : {
          name,
          status: 'fail',
          detail: `set, but ${config.github.api_url}/user answered ${response.status}`,
          fix,
        };
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: `set, but ${config.github.api_url} did not answer: ${describeError(error)}`,
      fix: `start the server at ${config.github.api_url}, or correct github.api_url`,
    };
  }
}

export function dataDirCheck(dataDir: string): DoctorCheck {
  const probe = path.join(dataDir, `.doctor-${process.pid}`);
  try {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
    return ok('data directory', `${dataDir} (writable)`);
  } catch (error) {
    return {
      name: 'data directory',
      status: 'fail',
      detail: `${dataDir} is not writable: ${describeError(error)}`,
      fix: 'set server.data_dir (or XDG_DATA_HOME) to a directory you can write, or serve with --data-dir PATH',
    };
  }
}

/**
 * The agents a task in this project would use: the implementor and, when review is on, the
 * reviewer. An unusable reviewer fails every task at review, so it is named with the key to change.
 */
export function taskAgentsCheck(
  config: HarnessConfig,
  root: string | null,
  agentChecks: DoctorCheck[],
): DoctorCheck | null {
  const project =
    root === null ? undefined : config.projects.find((p) => path.resolve(p.root) === path.resolve(root));
  if (project === undefined) return null;
  let settings;
  try {
    settings = resolveProjectSettings(config, project.name);
  } catch (error) {
    return { name: 'task agents', status: 'fail', detail: describeError(error), fix: 'fix the key it names' };
  }
  const usable = (agent: string): boolean =>
    agent === 'auto' || agentChecks.some((c) => c.name === `agent ${agent}` && c.status === 'ok');
  const implementor = settings.agent.default;
  const reviewer = settings.review.enabled ? settings.review.reviewer_agent : null;
  const where =
    settings.overlay_file ??
    `${path.join(settings.root, '.harness', 'config.toml')} (harness init writes one)`;
  const problems: string[] = [];
  if (!usable(implementor))
    problems.push(`the implementing agent "${implementor}" (agent.default) is not usable`);
  if (reviewer !== null && !usable(reviewer))
    problems.push(`the reviewer "${reviewer}" (review.reviewer_agent) is not usable`);
  const detail = `implementor ${implementor}, reviewer ${reviewer ?? '(review disabled)'}`;
  if (problems.length === 0) return ok('task agents', detail);
  return {
    name: 'task agents',
    status: 'fail',
    detail: `${detail}: ${problems.join('; ')}, so tasks in project "${project.name}" would fail`,
    fix: `set agent.default / review.reviewer_agent in ${where} to a usable agent (a reviewer other than the implementor), or make that agent usable (see its line)`,
  };
}
