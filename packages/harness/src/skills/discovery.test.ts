import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '@harness/testkit';
import { builtinSkillsDir } from './builtin.js';
import { type DiscoveryOptions, discoverSkills, skillRoots } from './discovery.js';

let dir: { path: string; remove: () => void };
let options: DiscoveryOptions;
let repo: string;
let home: string;

function skill(root: string, name: string, description: string, extra = ''): string {
  const folder = path.join(root, name);
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'SKILL.md');
  writeFileSync(
    file,
    `---\nname: ${name}\ndescription: ${description}\n${extra}---\n\nBody of ${description}.\n`,
  );
  return file;
}

function flat(root: string, name: string, text: string): string {
  mkdirSync(root, { recursive: true });
  const file = path.join(root, `${name}.md`);
  writeFileSync(file, text);
  return file;
}

beforeEach(() => {
  dir = tempDir('harness-skills-');
  repo = path.join(dir.path, 'repo');
  home = path.join(dir.path, 'home');
  mkdirSync(path.join(repo, '.git'), { recursive: true });
  mkdirSync(home, { recursive: true });
  options = {
    projectRoot: repo,
    cwd: path.join(repo, 'packages', 'app'),
    home,
    codexHome: path.join(dir.path, 'codex-home'),
    adminDir: path.join(dir.path, 'etc-skills'),
    builtinDir: builtinSkillsDir,
  };
});
afterEach(() => dir.remove());

describe('skill discovery', () => {
  it('reads the roots in precedence order: project (cwd up to the root), user, admin, built-in', () => {
    const dirs = skillRoots(options).map((r) => `${r.scope} ${path.relative(dir.path, r.dir)}`);
    expect(dirs).toEqual([
      'project repo/packages/app/.agents/skills',
      'project repo/packages/.agents/skills',
      'project repo/.agents/skills',
      'project repo/.claude/skills',
      'project repo/.harness/skills',
      'user home/.agents/skills',
      'user home/.claude/skills',
      'user home/.harness/skills',
      'user codex-home/skills',
      'admin etc-skills',
      `builtin ${path.relative(dir.path, builtinSkillsDir)}`,
    ]);
  });

  it('lets the nearest skill of a name win and reports every one it hides', async () => {
    // "review" planted in every root, the built-ins included (they ship one).
    const planted = [
      skill(path.join(repo, 'packages', 'app', '.agents', 'skills'), 'review', 'cwd review'),
      skill(path.join(repo, '.agents', 'skills'), 'review', 'repo-root agents review'),
      skill(path.join(repo, '.claude', 'skills'), 'review', 'claude review'),
      flat(path.join(repo, '.harness', 'skills'), 'review', '# harness flat review\n'),
      skill(path.join(home, '.agents', 'skills'), 'review', 'user agents review'),
      skill(path.join(home, '.claude', 'skills'), 'review', 'user claude review'),
      skill(path.join(home, '.harness', 'skills'), 'review', 'user harness review'),
      skill(path.join(dir.path, 'codex-home', 'skills'), 'review', 'codex review'),
      flat(options.adminDir, 'review', '# admin review\n'),
      path.join(builtinSkillsDir, 'review', 'SKILL.md'),
    ];
    const found = await discoverSkills(options);
    const review = found.skills.find((s) => s.name === 'review');
    expect(review).toMatchObject({ scope: 'project', description: 'cwd review', file: planted[0] });
    const hidden = found.shadowed.filter((s) => s.name === 'review');
    expect(hidden.map((s) => s.shadowed.file)).toEqual(planted.slice(1));
    expect(hidden.map((s) => s.shadowed.scope)).toEqual([
      'project',
      'project',
      'project',
      'user',
      'user',
      'user',
      'user',
      'admin',
      'builtin',
    ]);
    expect(hidden.every((s) => s.winner.file === planted[0])).toBe(true);
  });

  it('ranks user over admin over built-in when the project has none', async () => {
    skill(options.adminDir, 'build-fix', 'admin build-fix');
    skill(path.join(home, '.harness', 'skills'), 'preflight', 'user preflight');
    const found = await discoverSkills(options);
    expect(found.skills.find((s) => s.name === 'build-fix')).toMatchObject({ scope: 'admin' });
    expect(found.skills.find((s) => s.name === 'preflight')).toMatchObject({ scope: 'user' });
    expect(found.skills.find((s) => s.name === 'test-first')).toMatchObject({ scope: 'builtin' });
  });

  it('offers the built-in skills, each a valid Agent Skill', async () => {
    const found = await discoverSkills(options);
    const builtin = found.skills.filter((s) => s.scope === 'builtin').map((s) => s.name);
    expect(builtin).toEqual(
      expect.arrayContaining([
        'build-fix',
        'commit-message',
        'exec-plan',
        'preflight',
        'review',
        'security-review',
        'test-first',
      ]),
    );
    expect(found.errors).toEqual([]);
    expect(found.warnings).toEqual([]);
    const none = await discoverSkills({ ...options, builtinDir: null });
    expect(none.skills).toEqual([]);
  });

  it('skips Codex system skills, dot folders, folders without SKILL.md and loose files outside Harness roots', async () => {
    skill(path.join(dir.path, 'codex-home', 'skills', '.system'), 'imagegen', 'system');
    skill(path.join(repo, '.agents', 'skills'), '.hidden', 'hidden');
    mkdirSync(path.join(repo, '.agents', 'skills', 'empty'), { recursive: true });
    flat(path.join(repo, '.agents', 'skills'), 'loose', '# not a skill here\n');
    flat(path.join(repo, '.harness', 'skills'), 'legacy', '# A legacy skill\n');
    const found = await discoverSkills({ ...options, builtinDir: null });
    expect(found.skills.map((s) => s.name)).toEqual(['legacy']);
  });

  it('reports skipped skills and warnings, and loads a misnamed one under its folder name', async () => {
    const root = path.join(repo, '.claude', 'skills');
    const nodesc = skill(root, 'no-desc', '');
    const mismatch = skill(root, 'folder-name', 'D');
    writeFileSync(mismatch, '---\nname: Declared Name\ndescription: D\n---\n');
    const broken = path.join(root, 'broken', 'SKILL.md');
    mkdirSync(path.dirname(broken));
    writeFileSync(broken, '---\ndescription: "open\n---\n');
    const found = await discoverSkills({ ...options, builtinDir: null });
    expect(found.skills.map((s) => s.name)).toEqual(['folder-name']);
    expect(found.errors).toEqual([
      { file: broken, reason: expect.stringMatching(/^unreadable frontmatter: line 2/) },
      { file: nodesc, reason: expect.stringMatching(/^description missing/) },
    ]);
    expect(found.warnings).toEqual([
      { file: mismatch, reason: 'name "Declared Name" differs from its folder; loaded as "folder-name"' },
    ]);
  });

  it('reads a root reached twice (a symlink, cwd at the root) once', async () => {
    skill(path.join(home, '.agents', 'skills'), 'shared', 'Shared');
    symlinkSync(path.join(home, '.agents', 'skills'), path.join(dir.path, 'codex-home-skills'));
    mkdirSync(path.join(dir.path, 'codex-home'));
    symlinkSync(path.join(home, '.agents', 'skills'), path.join(dir.path, 'codex-home', 'skills'));
    const found = await discoverSkills({ ...options, cwd: repo, builtinDir: null });
    expect(found.skills.map((s) => s.name)).toEqual(['shared']);
    expect(found.shadowed).toEqual([]);
  });
});
