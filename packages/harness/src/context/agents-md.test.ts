import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { git } from '@harness/testkit';
import { assembleAgentsMd, describeCuts, type AgentsMdSettings } from './agents-md.js';
import { cascadeClaudeCodeMisses } from './native-reading.js';

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `harness-${prefix}-`));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A real repository with `packages/app/src` below its root. */
function repo(): string {
  const root = tempDir('agents-md');
  git(root, 'init', '-q');
  mkdirSync(path.join(root, 'packages', 'app', 'src'), { recursive: true });
  return root;
}

const settings = (over: Partial<AgentsMdSettings> = {}): AgentsMdSettings => ({
  globalDir: null,
  fallbackFilenames: [],
  maxBytes: 32_768,
  ...over,
});

describe('the AGENTS.md cascade', () => {
  it('joins the global file, then each directory from the repository root down to cwd', () => {
    const root = repo();
    const home = tempDir('codex-home');
    write(path.join(home, 'AGENTS.md'), 'global rules');
    write(path.join(root, 'AGENTS.md'), 'root rules');
    write(path.join(root, 'packages', 'app', 'AGENTS.md'), 'app rules');
    write(path.join(root, 'packages', 'app', 'src', 'AGENTS.md'), 'src rules');
    // Above the repository root: not part of the project's cascade.
    write(path.join(path.dirname(root), 'AGENTS.md.unrelated'), 'outside');

    const cascade = assembleAgentsMd(
      path.join(root, 'packages', 'app', 'src'),
      settings({ globalDir: home }),
    );

    expect(cascade.root).toBe(root);
    expect(cascade.text).toBe('global rules\n\nroot rules\n\napp rules\n\nsrc rules');
    expect(cascade.files.map((f) => [path.relative(root, f.path), f.scope])).toEqual([
      [path.relative(root, path.join(home, 'AGENTS.md')), 'global'],
      ['AGENTS.md', 'project'],
      [path.join('packages', 'app', 'AGENTS.md'), 'project'],
      [path.join('packages', 'app', 'src', 'AGENTS.md'), 'project'],
    ]);
    expect(cascade.cut).toEqual([]);
  });

  it('prefers AGENTS.override.md, then AGENTS.md, then the configured fallback names, one file per directory', () => {
    const root = repo();
    const home = tempDir('codex-home');
    write(path.join(home, 'AGENTS.md'), 'global plain');
    write(path.join(home, 'AGENTS.override.md'), 'global override');
    write(path.join(root, 'AGENTS.md'), 'root plain');
    write(path.join(root, 'AGENTS.override.md'), 'root override');
    write(path.join(root, 'packages', 'TEAM.md'), 'team fallback');
    write(path.join(root, 'packages', 'app', 'TEAM.md'), 'app fallback');
    write(path.join(root, 'packages', 'app', 'AGENTS.md'), 'app plain');

    const cwd = path.join(root, 'packages', 'app');
    const cascade = assembleAgentsMd(cwd, settings({ globalDir: home, fallbackFilenames: ['TEAM.md'] }));
    expect(cascade.text).toBe('global override\n\nroot override\n\nteam fallback\n\napp plain');

    const without = assembleAgentsMd(cwd, settings({ globalDir: home }));
    expect(without.text).toBe('global override\n\nroot override\n\napp plain');
  });

  it('skips files with only whitespace, and uses cwd alone outside a repository', () => {
    const root = repo();
    write(path.join(root, 'AGENTS.md'), '  \n\n');
    write(path.join(root, 'packages', 'AGENTS.md'), 'packages rules');
    expect(assembleAgentsMd(path.join(root, 'packages'), settings()).text).toBe('packages rules');

    const plain = tempDir('no-repo');
    write(path.join(plain, 'sub', 'AGENTS.md'), 'sub rules');
    write(path.join(plain, 'AGENTS.md'), 'parent rules');
    const cascade = assembleAgentsMd(path.join(plain, 'sub'), settings());
    expect(cascade.root).toBe(path.join(plain, 'sub'));
    expect(cascade.text).toBe('sub rules');
  });

  it('cuts the project files at the cap, deepest first, and reports every cut file with its bytes', () => {
    const root = repo();
    const home = tempDir('codex-home');
    write(path.join(home, 'AGENTS.md'), 'G'.repeat(100)); // the global file is not counted
    write(path.join(root, 'AGENTS.md'), 'R'.repeat(60));
    write(path.join(root, 'packages', 'AGENTS.md'), 'P'.repeat(60));
    write(path.join(root, 'packages', 'app', 'AGENTS.md'), 'A'.repeat(60));

    const cascade = assembleAgentsMd(
      path.join(root, 'packages', 'app'),
      settings({ globalDir: home, maxBytes: 100 }),
    );

    expect(cascade.text).toBe(`${'G'.repeat(100)}\n\n${'R'.repeat(60)}\n\n${'P'.repeat(40)}`);
    expect(cascade.files.map((f) => f.included_bytes)).toEqual([100, 60, 40, 0]);
    expect(cascade.cut).toEqual([
      { path: path.join(root, 'packages', 'AGENTS.md'), cut_bytes: 20, kind: 'partial' },
      { path: path.join(root, 'packages', 'app', 'AGENTS.md'), cut_bytes: 60, kind: 'dropped' },
    ]);
    expect(describeCuts(cascade)).toBe(
      `${path.join('packages', 'AGENTS.md')}: 20 bytes cut (partial); ${path.join('packages', 'app', 'AGENTS.md')}: 60 bytes cut (dropped)`,
    );
  });

  it('never cuts inside a UTF-8 character', () => {
    const root = repo();
    write(path.join(root, 'AGENTS.md'), 'ééé'); // 6 bytes
    const cascade = assembleAgentsMd(root, settings({ maxBytes: 3 }));
    expect(cascade.text).toBe('é');
    expect(cascade.cut).toEqual([{ path: path.join(root, 'AGENTS.md'), cut_bytes: 4, kind: 'partial' }]);
  });
});

describe('what Claude Code does not read by itself', () => {
  it('leaves out AGENTS.md files it reads natively and keeps the global, override and CLAUDE.md-hidden ones', () => {
    const root = repo();
    const home = tempDir('codex-home');
    write(path.join(home, 'AGENTS.md'), 'global');
    write(path.join(root, 'AGENTS.md'), 'root native');
    write(path.join(root, 'packages', 'AGENTS.override.md'), 'packages override');
    write(path.join(root, 'packages', 'app', 'AGENTS.md'), 'app hidden by CLAUDE.md');
    write(path.join(root, 'packages', 'app', 'CLAUDE.md'), 'claude file');

    const cascade = assembleAgentsMd(path.join(root, 'packages', 'app'), settings({ globalDir: home }));
    expect(cascadeClaudeCodeMisses(cascade)).toBe('global\n\npackages override\n\napp hidden by CLAUDE.md');

    const nativeOnly = assembleAgentsMd(root, settings());
    expect(cascadeClaudeCodeMisses(nativeOnly)).toBeNull();
  });
});
