import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { git } from '@harness/testkit';
import {
  assertSandboxSupported,
  assertWritable,
  buildBwrapArgv,
  linkedGitDirs,
  probeSandbox,
  resolveInsideWorkspace,
  sandboxSpec,
  type SandboxCapabilities,
} from './index.js';

const dirs: string[] = [];
const temp = (base = tmpdir()): string => {
  const dir = mkdtempSync(path.join(base, 'harness-sandbox-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const noBwrap: SandboxCapabilities = {
  platform: 'linux',
  is_root: false,
  bwrap_path: null,
  bwrap_version: null,
  bwrap_problem: 'bwrap is not on PATH',
};

describe('sandbox', () => {
  it('refuses a mode it cannot enforce and says what to install, but never refuses full access', () => {
    expect(() => assertSandboxSupported('workspace-write', noBwrap)).toThrow(/apt-get install bubblewrap/);
    expect(() => assertSandboxSupported('read-only', noBwrap)).toThrow(/cannot be enforced/);
    expect(() => assertSandboxSupported('danger-full-access', noBwrap)).not.toThrow();
  });

  it('builds a bwrap argv: host read-only, workspace writable, protected paths re-bound read-only', () => {
    const ws = temp();
    mkdirSync(path.join(ws, '.git'));
    const argv = buildBwrapArgv(
      sandboxSpec({ mode: 'workspace-write', workspace: ws }),
      ['bash', '-c', 'true'],
      {
        bwrapPath: '/usr/bin/bwrap',
        dropCapabilities: true,
      },
    ).join(' ');
    expect(argv).toContain('--ro-bind / /');
    expect(argv).toContain(`--bind ${ws} ${ws}`);
    expect(argv).toContain(`--ro-bind ${ws}/.git ${ws}/.git`);
    expect(argv).toContain('--unshare-net');
    expect(argv).toContain('--cap-drop ALL');
    expect(argv.endsWith('-- bash -c true')).toBe(true);
  });

  it('enforces the modes for real when bubblewrap is present', async () => {
    const caps = await probeSandbox();
    if (caps.bwrap_path === null) {
      console.warn(`skipping live bwrap check: ${caps.bwrap_problem}`);
      return;
    }
    const ws = temp();
    const run = (mode: 'read-only' | 'workspace-write', script: string): string => {
      const argv = buildBwrapArgv(sandboxSpec({ mode, workspace: ws }), ['bash', '-c', script], {
        bwrapPath: caps.bwrap_path as string,
        dropCapabilities: caps.is_root,
      });
      return execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
    };
    expect(run('workspace-write', 'echo ok > f && cat f')).toBe('ok\n');
    expect(run('read-only', 'echo no > g 2>/dev/null && echo wrote || echo refused')).toBe('refused\n');
    expect(
      run('workspace-write', 'echo x > /etc/harness-test 2>/dev/null && echo wrote || echo refused'),
    ).toBe('refused\n');
  });

  it('shows a program installed under /tmp inside the sandbox, read-only, despite the private /tmp', async () => {
    const caps = await probeSandbox();
    if (caps.bwrap_path === null) {
      console.warn(`skipping live bwrap check: ${caps.bwrap_problem}`);
      return;
    }
    const install = temp();
    const program = path.join(install, 'agent.sh');
    writeFileSync(program, '#!/bin/sh\necho agent ran\n', { mode: 0o755 });
    const argv = buildBwrapArgv(sandboxSpec({ mode: 'workspace-write', workspace: temp() }), [program], {
      bwrapPath: caps.bwrap_path as string,
      dropCapabilities: caps.is_root,
      programDirs: [install],
    });
    expect(execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' })).toBe('agent ran\n');
    const hidden = buildBwrapArgv(sandboxSpec({ mode: 'workspace-write', workspace: temp() }), [program], {
      bwrapPath: caps.bwrap_path as string,
      dropCapabilities: caps.is_root,
    });
    expect(() => execFileSync(hidden[0] as string, hidden.slice(1), { stdio: 'pipe' })).toThrow();
  });

  it("hides Harness's config file and data directory, yet shows a worktree that lives inside it", async () => {
    const caps = await probeSandbox();
    if (caps.bwrap_path === null) {
      console.warn(`skipping live bwrap check: ${caps.bwrap_problem}`);
      return;
    }
    // Outside /tmp, which every sandbox replaces anyway: the hiding itself is under test.
    const base = temp('/var/tmp');
    const dataDir = path.join(base, 'data');
    const ws = path.join(dataDir, 'worktrees', 'task-1');
    mkdirSync(ws, { recursive: true });
    writeFileSync(path.join(dataDir, 'harness.db'), 'secret-row');
    writeFileSync(path.join(ws, 'src.txt'), 'source');
    const configFile = path.join(base, 'config.toml');
    writeFileSync(configFile, 'api_token = "secret-token"\n');
    const script = `cat ${configFile}; ls ${dataDir}; cat ${dataDir}/harness.db; cat src.txt; echo; echo w > out.txt 2>/dev/null && echo wrote || echo refused`;
    const run = (mode: 'read-only' | 'workspace-write'): string => {
      const spec = sandboxSpec({ mode, workspace: ws, hidden_paths: [dataDir, configFile] });
      const argv = buildBwrapArgv(spec, ['bash', '-c', script], {
        bwrapPath: caps.bwrap_path as string,
        dropCapabilities: caps.is_root,
      });
      return execFileSync(argv[0] as string, argv.slice(1), {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    };
    for (const mode of ['read-only', 'workspace-write'] as const) {
      const out = run(mode);
      expect(out, mode).not.toMatch(/secret/);
      expect(out, mode).toContain('source');
      expect(out, mode).toContain(mode === 'read-only' ? 'refused' : 'wrote');
    }
    expect(readFileSync(configFile, 'utf8')).toContain('secret-token');
  });

  it("shows a linked worktree's git directory read-only, even under the private /tmp", async () => {
    const caps = await probeSandbox();
    if (caps.bwrap_path === null) {
      console.warn(`skipping live bwrap check: ${caps.bwrap_problem}`);
      return;
    }
    const main = temp();
    git(main, 'init', '-q', '-b', 'main');
    git(main, 'commit', '-q', '--allow-empty', '-m', 'initial');
    const ws = path.join(temp(), 'wt');
    git(main, 'worktree', 'add', '-q', '-b', 'task', ws);
    expect(linkedGitDirs(ws)).toEqual([path.join(main, '.git', 'worktrees', 'wt'), path.join(main, '.git')]);
    const argv = buildBwrapArgv(
      sandboxSpec({ mode: 'workspace-write', workspace: ws }),
      [
        'bash',
        '-c',
        'git status --short --branch; git config alias.x "!true" 2>&1; { echo hook > "$(git rev-parse --git-common-dir)/hooks/pre-push"; } 2>&1; true',
      ],
      { bwrapPath: caps.bwrap_path as string, dropCapabilities: caps.is_root },
    );
    const out = execFileSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
    expect(out).toContain('## task');
    expect(out).toMatch(/could not lock config file .*Read-only file system/);
    expect(out).toMatch(/pre-push: Read-only file system/);
    expect(readFileSync(path.join(main, '.git', 'config'), 'utf8')).not.toContain('alias');
    expect(existsSync(path.join(main, '.git', 'hooks', 'pre-push'))).toBe(false);
  });

  it('keeps paths inside the workspace, symlinks included', () => {
    const ws = temp();
    const outside = temp();
    symlinkSync(outside, path.join(ws, 'link'));
    expect(resolveInsideWorkspace(ws, 'a/b.txt')).toBe(path.join(ws, 'a/b.txt'));
    expect(() => resolveInsideWorkspace(ws, '../x')).toThrow(/outside the workspace/);
    expect(() => resolveInsideWorkspace(ws, 'link/secret')).toThrow(/symlink/);
    const spec = sandboxSpec({ mode: 'workspace-write', workspace: ws });
    expect(() => assertWritable(spec, path.join(ws, '.git', 'config'))).toThrow(
      /read-only in workspace-write/,
    );
    expect(() => assertWritable({ ...spec, mode: 'read-only' }, path.join(ws, 'a'))).toThrow(/read-only/);
    writeFileSync(path.join(ws, 'ok'), '');
    expect(() => assertWritable(spec, path.join(ws, 'ok'))).not.toThrow();
  });
});
