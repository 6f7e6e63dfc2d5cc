import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISGUISED, HARMLESS, type CorpusEntry } from '@harness/testkit';
import type { Decision } from './decision.js';
import { loadPolicyFiles } from './load-policy.js';
import type { Policy } from './policy.js';
import { checkCommandLineWithScripts } from './script-files.js';

/**
 * The disguise corpus against the fixture policy, in a scratch repository with a bare origin, a
 * protected directory beside it and a HOME of its own. Every disguised command must be caught
 * (`prompt` or `forbidden`) and every harmless one allowed; then every allowed command is run for
 * real, each in a fresh scratch, and must leave the origin, the protected directory and everything
 * outside the repository as they were.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const POLICY_FILE = path.join(here, 'fixtures', 'disguise-policy.star');
const RUN_TIMEOUT_MS = 30_000;

const MAKEFILE = `GIT = git
REMOTE = origin
.PHONY: build test deploy release clean reset sync computed fromenv
build:
\t@echo building
test: build
\techo testing
deploy: test
\t$(GIT) push $(REMOTE) HEAD
release: deploy
clean:
\t-rm -rf build
reset:
\tgit reset --hard
sync:
\t$(MAKE) deploy
computed:
\t$(shell cat cmds.txt)
fromenv:
\t$(DEPLOY_COMMAND) now
`;

const PACKAGE_JSON = {
  name: 'scratch',
  private: true,
  scripts: {
    test: 'echo tests pass',
    lint: 'echo lint ok',
    release: 'git push origin HEAD',
    predeploy: 'git push --force origin HEAD',
    deploy: 'echo deploying',
    clean: 'rm -rf build',
  },
};

interface Scratch {
  readonly root: string;
  readonly repo: string;
  readonly protectedDir: string;
  readonly env: NodeJS.ProcessEnv;
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function scratchAt(root: string): Scratch {
  const repo = path.join(root, 'repo');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: path.join(root, 'home'),
    LANG: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    // npm keeps its cache and logs in the repository, not in HOME.
    npm_config_cache: path.join(repo, '.npm-cache'),
    npm_config_update_notifier: 'false',
  };
  return { root, repo, protectedDir: path.join(root, 'protected'), env };
}

/** A copy of a scratch, its remote pointed at its own origin. */
function copyScratch(from: Scratch): Scratch {
  const root = mkdtempSync(path.join(tmpdir(), 'harness-disguise-run-'));
  cpSync(from.root, root, { recursive: true });
  const config = path.join(root, 'repo', '.git', 'config');
  writeFileSync(config, readFileSync(config, 'utf8').replaceAll(from.root, root));
  return scratchAt(root);
}

/** A scratch repository pushed once to its bare origin, with aliases, scripts and a Makefile. */
function makeScratch(): Scratch {
  const { root, repo, protectedDir, env } = scratchAt(mkdtempSync(path.join(tmpdir(), 'harness-disguise-')));
  const home = env.HOME as string;
  const origin = path.join(root, 'origin.git');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, stdio: 'ignore' });
  write(
    path.join(home, '.gitconfig'),
    '[user]\n\tname = Scratch\n\temail = scratch@example.invalid\n[init]\n\tdefaultBranch = main\n' +
      '[alias]\n\tgp = push\n\tgl = log --oneline -3\n',
  );
  write(path.join(protectedDir, 'keep.txt'), 'keep me\n');
  git(root, 'init', '-q', '--bare', origin);
  git(root, 'init', '-q', repo);
  const files: Record<string, string> = {
    'file.txt': 'hello\nfoo bar\n',
    'notes.txt': 'notes\n',
    f: 'a 1\nb 2\nc 3\n',
    'README.md': '# scratch\n',
    'src/app.ts': 'export const foo = 1;\n',
    'src/util.ts': 'export const bar = 2;\n',
    'build/out.o': 'object\n',
    'cmds.txt': 'git push\n',
    'prog.awk': 'BEGIN { print "hi" }\n',
    'deploy.sh': '#!/bin/sh\ngit push origin HEAD\n',
    'ok.sh': 'echo ok\n',
    Makefile: MAKEFILE,
    'sub/Makefile': 'ship:\n\tgit push\n',
    'package.json': JSON.stringify(PACKAGE_JSON, null, 2),
  };
  for (const [name, text] of Object.entries(files)) write(path.join(repo, name), text);
  const aliases: [string, string][] = [
    ['p', 'push'],
    ['pf', 'push --force'],
    ['ship', '!git push origin HEAD'],
    ['nuke', 'reset --hard'],
    ['again', 'p'],
    ['wipe', '!rm -rf ../protected'],
    ['st', 'status --short'],
    ['lg', 'log --oneline'],
  ];
  for (const [name, value] of aliases) git(repo, 'config', `alias.${name}`, value);
  git(repo, 'remote', 'add', 'origin', origin);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'scratch');
  git(repo, 'push', '-q', 'origin', 'HEAD:main');
  git(repo, 'branch', 'topic');
  return { root, repo, protectedDir, env };
}

/** Every file outside the repository, with its size, modification time and content hash. */
function snapshot(scratch: Scratch): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (file === scratch.repo) continue;
      const info = statSync(file);
      if (info.isDirectory()) walk(file);
      else {
        const hash = createHash('sha1').update(readFileSync(file)).digest('hex');
        out.set(path.relative(scratch.root, file), `${info.size} ${info.mtimeMs} ${hash}`);
      }
    }
  };
  walk(scratch.root);
  return out;
}

let policy: Policy;
let template: Scratch;
const decisions = new Map<string, Decision>();

beforeAll(async () => {
  policy = await loadPolicyFiles([POLICY_FILE]);
  template = makeScratch();
  for (const { command } of [...DISGUISED, ...HARMLESS]) {
    const result = await checkCommandLineWithScripts(policy, command, template.repo, { env: template.env });
    decisions.set(command, result.decision);
  }
});
afterAll(() => rmSync(template.root, { recursive: true, force: true }));

const percent = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

describe('the disguise corpus', () => {
  it('has at least 150 disguised and 50 harmless commands, each listed once', () => {
    expect(DISGUISED.length).toBeGreaterThanOrEqual(150);
    expect(HARMLESS.length).toBeGreaterThanOrEqual(50);
    const all = [...DISGUISED, ...HARMLESS].map((c) => c.command);
    expect(new Set(all).size).toBe(all.length);
  });

  it('catches every disguised command and allows every harmless one', () => {
    const missed = DISGUISED.filter((c) => decisions.get(c.command) === 'allow');
    const refused = HARMLESS.filter((c) => decisions.get(c.command) !== 'allow');
    const caught = DISGUISED.length - missed.length;
    const allowed = HARMLESS.length - refused.length;
    console.log(
      `disguise corpus: recall ${caught}/${DISGUISED.length} (${percent(caught, DISGUISED.length)}), ` +
        `precision ${allowed}/${HARMLESS.length} harmless allowed (${percent(allowed, HARMLESS.length)})`,
    );
    const show = (list: readonly CorpusEntry[]) =>
      list.map((c) => `${decisions.get(c.command)}: ${c.command} (${c.note})`);
    expect(show(missed)).toEqual([]);
    expect(show(refused)).toEqual([]);
  });

  it('every command the policy allows is harmless when run for real', () => {
    const allowed = [...DISGUISED, ...HARMLESS].filter((c) => decisions.get(c.command) === 'allow');
    expect(allowed.length).toBeGreaterThanOrEqual(HARMLESS.length);
    const harmful = allowed.flatMap(({ command }) => harmDoneBy(command));
    console.log(`ran ${allowed.length} allowed commands for real: ${harmful.length} harms found`);
    expect(harmful).toEqual([]);
  }, 300_000);

  it('the run sees harm when there is some: a push, a removed directory, a file changed outside', () => {
    expect(
      harmDoneBy('git commit -q --allow-empty -m x && git push -q origin HEAD:main').join('\n'),
    ).toContain('pushed to the origin');
    expect(harmDoneBy('rm -r -f ../protected').join('\n')).toContain('removed the protected directory');
    expect(harmDoneBy('echo x >> ../home/.gitconfig')).toEqual([
      expect.stringContaining('changed home/.gitconfig'),
    ]);
  });
});

/** What running `command` in a fresh copy of the scratch did outside the repository. */
function harmDoneBy(command: string): string[] {
  const scratch = copyScratch(template);
  const harm: string[] = [];
  try {
    const before = snapshot(scratch);
    const run = spawnSync('bash', ['-c', command], {
      cwd: scratch.repo,
      env: scratch.env,
      input: '',
      timeout: RUN_TIMEOUT_MS,
      encoding: 'utf8',
    });
    if (run.error) harm.push(`${command}: did not finish (${run.error.message})`);
    if (!statSync(scratch.protectedDir, { throwIfNoEntry: false })?.isDirectory())
      harm.push(`${command}: removed the protected directory`);
    const after = snapshot(scratch);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (f) => before.get(f) !== after.get(f),
    );
    // The bare origin is outside the repository: a push shows as new objects and refs there.
    if (changed.some((f) => f.startsWith('origin.git/'))) harm.push(`${command}: pushed to the origin`);
    for (const file of changed.filter((f) => !f.startsWith('origin.git/')))
      harm.push(`${command}: changed ${file}`);
  } finally {
    rmSync(scratch.root, { recursive: true, force: true });
  }
  return harm;
}
