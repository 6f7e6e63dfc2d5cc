import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  SKILL_FILE,
  type Skill,
  type SkillProblem,
  type SkillRead,
  type SkillScope,
  readSkill,
} from './skill-file.js';

/**
 * Where skills are found, and which one wins a name. Roots are read in precedence order —
 * project (`.agents/skills` from the working directory up to the repository root, nearer first,
 * then `.claude/skills` and `.harness/skills` at the root), user (`~/.agents/skills`,
 * `~/.claude/skills`, `~/.harness/skills`, `$CODEX_HOME/skills`), admin (`/etc/harness/skills` or
 * `[skills] admin_dir`), built-in (shipped with Harness) — and the first skill of a name wins.
 * Every skill it hides is reported, with both places, so a restated skill is never a surprise.
 *
 * Only the Harness roots (`.harness/skills`, the admin folder, the built-ins) hold the original's
 * flat `*.md` skills; in the other tools' folders a loose markdown file is not a skill to them,
 * so it is not one here either.
 */
export interface DiscoveryOptions {
  /** The repository root; without one only the user, admin and built-in roots are read. */
  projectRoot?: string;
  /** Where the agent works; `.agents/skills` is looked for from here up to the root. */
  cwd?: string;
  home: string;
  /** `$CODEX_HOME`; `~/.codex` when unset, as Codex has it. */
  codexHome?: string | null;
  adminDir: string;
  /** The built-in skills' folder, or null to leave them out (`[skills] builtin = false`). */
  builtinDir: string | null;
}

export interface SkillRoot {
  scope: SkillScope;
  dir: string;
  /** Whether loose `*.md` files here are (flat) skills. */
  flat: boolean;
}

export interface Shadowing {
  name: string;
  winner: { scope: SkillScope; file: string };
  shadowed: { scope: SkillScope; file: string };
}

export interface Discovery {
  /** The winning skill of each name, in precedence order. */
  skills: Skill[];
  shadowed: Shadowing[];
  /** Skills skipped, and why (missing description, unreadable frontmatter). */
  errors: SkillProblem[];
  /** Skills loaded despite a problem (a name that differs from its folder). */
  warnings: SkillProblem[];
  roots: SkillRoot[];
}

/** A SKILL.md is a few kilobytes; anything past this is not a skill. */
const MAX_SKILL_BYTES = 1024 * 1024;

export function skillRoots(options: DiscoveryOptions): SkillRoot[] {
  const roots: SkillRoot[] = [];
  const root = options.projectRoot === undefined ? undefined : path.resolve(options.projectRoot);
  if (root !== undefined) {
    for (const dir of upTo(options.cwd === undefined ? root : path.resolve(options.cwd), root)) {
      roots.push({ scope: 'project', dir: path.join(dir, '.agents', 'skills'), flat: false });
    }
    roots.push({ scope: 'project', dir: path.join(root, '.claude', 'skills'), flat: false });
    roots.push({ scope: 'project', dir: path.join(root, '.harness', 'skills'), flat: true });
  }
  const home = options.home;
  roots.push({ scope: 'user', dir: path.join(home, '.agents', 'skills'), flat: false });
  roots.push({ scope: 'user', dir: path.join(home, '.claude', 'skills'), flat: false });
  roots.push({ scope: 'user', dir: path.join(home, '.harness', 'skills'), flat: true });
  const codexHome = options.codexHome ?? path.join(home, '.codex');
  roots.push({ scope: 'user', dir: path.join(codexHome, 'skills'), flat: false });
  roots.push({ scope: 'admin', dir: options.adminDir, flat: true });
  if (options.builtinDir !== null) roots.push({ scope: 'builtin', dir: options.builtinDir, flat: false });
  return roots;
}

/** `cwd` and each parent up to `root`; just `root` when `cwd` is not inside it. */
function upTo(cwd: string, root: string): string[] {
  const relative = path.relative(root, cwd);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return [root];
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === root) return dirs;
  }
}

export async function discoverSkills(options: DiscoveryOptions): Promise<Discovery> {
  const roots = await distinctRoots(skillRoots(options));
  const byName = new Map<string, Skill>();
  const result: Discovery = { skills: [], shadowed: [], errors: [], warnings: [], roots };
  for (const root of roots) {
    for (const read of await readRoot(root)) {
      if (!read.ok) {
        result.errors.push(read.error);
        continue;
      }
      result.warnings.push(...read.warnings);
      const winner = byName.get(read.skill.name);
      if (winner) {
        result.shadowed.push({
          name: read.skill.name,
          winner: { scope: winner.scope, file: winner.file },
          shadowed: { scope: read.skill.scope, file: read.skill.file },
        });
        continue;
      }
      byName.set(read.skill.name, read.skill);
      result.skills.push(read.skill);
    }
  }
  return result;
}

/**
 * The built-in skills ship with Harness and do not change while it runs: read once per process.
 * Every other folder is read each time, so a skill written a moment ago is found.
 */
const builtinReads = new Map<string, Promise<CandidateRead[]>>();

type CandidateRead = Awaited<ReturnType<typeof readCandidate>>;

async function readRoot(root: SkillRoot): Promise<CandidateRead[]> {
  const read = async () => {
    const reads: CandidateRead[] = [];
    for (const candidate of await candidatesIn(root)) reads.push(await readCandidate(candidate, root));
    return reads;
  };
  if (root.scope !== 'builtin') return read();
  let cached = builtinReads.get(root.dir);
  if (cached === undefined) {
    cached = read();
    builtinReads.set(root.dir, cached);
    cached.catch(() => builtinReads.delete(root.dir));
  }
  return cached;
}

/** The same folder reached twice (cwd = root, `$CODEX_HOME` = `~/.agents`, a symlink) is read once. */
async function distinctRoots(roots: SkillRoot[]): Promise<SkillRoot[]> {
  const seen = new Set<string>();
  const distinct: SkillRoot[] = [];
  for (const root of roots) {
    const real = await realpath(root.dir).catch(() => null);
    if (real === null || seen.has(real)) continue;
    seen.add(real);
    distinct.push(root);
  }
  return distinct;
}

interface Candidate {
  file: string;
  format: 'skill-md' | 'flat';
}

async function candidatesIn(root: SkillRoot): Promise<Candidate[]> {
  const names = (await readdir(root.dir).catch(() => [] as string[])).sort();
  const candidates: Candidate[] = [];
  for (const name of names) {
    // Dot entries are not skills: Codex keeps its own system skills in `.system`.
    if (name.startsWith('.')) continue;
    const entry = path.join(root.dir, name);
    const info = await stat(entry).catch(() => null);
    if (info?.isDirectory()) {
      const file = path.join(entry, SKILL_FILE);
      if ((await stat(file).catch(() => null))?.isFile()) candidates.push({ file, format: 'skill-md' });
    } else if (info?.isFile() && root.flat && name.endsWith('.md') && name !== 'README.md') {
      candidates.push({ file: entry, format: 'flat' });
    }
  }
  return candidates;
}

async function readCandidate(candidate: Candidate, root: SkillRoot): Promise<SkillRead> {
  const skipped = (reason: string): SkillRead => ({ ok: false, error: { file: candidate.file, reason } });
  let text: string;
  try {
    const size = (await stat(candidate.file)).size;
    if (size > MAX_SKILL_BYTES) return skipped(`${size} bytes is too large for a skill (at most 1 MiB)`);
    text = await readFile(candidate.file, 'utf8');
  } catch (error) {
    return skipped(`unreadable file: ${error instanceof Error ? error.message : String(error)}`);
  }
  return readSkill(text, {
    format: candidate.format,
    scope: root.scope,
    root: root.dir,
    file: candidate.file,
  });
}
