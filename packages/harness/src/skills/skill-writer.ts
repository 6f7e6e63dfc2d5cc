import { lstat, mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, HarnessError, isWithin } from '../core/index.js';
import {
  type Frontmatter,
  FrontmatterError,
  formatFrontmatter,
  parseFrontmatter,
  splitFrontmatter,
} from './frontmatter.js';
import { assertSkillName } from './names.js';
import { SKILL_FILE } from './skill-file.js';

/**
 * Writing skills: `<name>/SKILL.md` folders in the project's or the user's `.harness/skills`, the
 * folders that are Harness's own. Skills in `.agents`, `.claude` or a Codex home belong to those
 * tools and are only read. Every path is checked before a write: the name is a valid skill name
 * (so it cannot climb out), and the folder written into really is under the project or the home,
 * not somewhere a symlink leads.
 */
export interface SkillWriteTarget {
  name: string;
  scope: 'project' | 'user';
  /** The project whose `.harness/skills` a `project` write goes to. */
  projectRoot?: string;
}

export interface SkillWrite {
  description?: string;
  body?: string;
}

export const HARNESS_SKILLS_DIR = path.join('.harness', 'skills');

export class SkillWriter {
  constructor(private readonly home: string) {}

  /** Writes a new skill folder; a skill of that name already in the folder is a conflict. */
  async create(target: SkillWriteTarget, write: Required<SkillWrite>): Promise<string> {
    const { base, anchor } = this.baseOf(target);
    const existing = await existingSkill(base, target.name);
    if (existing !== null) {
      throw new HarnessError(
        ErrorCodes.conflict,
        `skill "${target.name}" already exists at ${existing}; change it with skill/update`,
        { data: { path: ['name'] } },
      );
    }
    // The folder is checked before anything is made in it: a symlinked `.harness/skills` gets nothing.
    await mkdir(base, { recursive: true });
    await confine(base, anchor);
    const dir = path.join(base, target.name);
    await mkdir(dir);
    const file = path.join(dir, SKILL_FILE);
    const text = document({ name: target.name, description: write.description }, write.body);
    await writeFile(file, text, { flag: 'wx' });
    return file;
  }

  /** Rewrites the description, the body or both, keeping every other frontmatter field. */
  async update(target: SkillWriteTarget, write: SkillWrite): Promise<string> {
    const { base, anchor } = this.baseOf(target);
    const file = await this.mustExist(base, target);
    await confine(path.dirname(file), anchor);
    const split = splitFrontmatterOrThrow(await readFile(file, 'utf8'), file);
    const fields: Frontmatter = { ...split.fields };
    if (path.basename(file) === SKILL_FILE) fields['name'] = target.name;
    if (write.description !== undefined) fields['description'] = write.description;
    // The name and description lead, as the specification writes them; the rest keep their order.
    const { name, description, ...rest } = fields;
    const ordered: Frontmatter = {
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
      ...rest,
    };
    await writeFile(file, document(ordered, write.body ?? split.body));
    return file;
  }

  async delete(target: SkillWriteTarget): Promise<string> {
    const { base, anchor } = this.baseOf(target);
    const file = await this.mustExist(base, target);
    await confine(path.dirname(file), anchor);
    if (path.basename(file) === SKILL_FILE) await rm(path.dirname(file), { recursive: true });
    else await rm(file);
    return file;
  }

  private baseOf(target: SkillWriteTarget): { base: string; anchor: string } {
    assertSkillName(target.name);
    if (target.scope === 'user') return { base: path.join(this.home, HARNESS_SKILLS_DIR), anchor: this.home };
    if (target.projectRoot === undefined) {
      throw new HarnessError(ErrorCodes.invalidParams, 'project_root: a project skill needs the project', {
        data: { path: ['project_root'] },
      });
    }
    return { base: path.join(target.projectRoot, HARNESS_SKILLS_DIR), anchor: target.projectRoot };
  }

  private async mustExist(base: string, target: SkillWriteTarget): Promise<string> {
    const file = await existingSkill(base, target.name);
    if (file !== null) return file;
    throw new HarnessError(
      ErrorCodes.notFound,
      `no ${target.scope} skill "${target.name}" in ${base} (only skills in .harness/skills are written by Harness)`,
      { data: { path: ['name'] } },
    );
  }
}

/** `<base>/<name>/SKILL.md` or the flat `<base>/<name>.md`, whichever exists. */
async function existingSkill(base: string, name: string): Promise<string | null> {
  for (const file of [path.join(base, name, SKILL_FILE), path.join(base, `${name}.md`)]) {
    if ((await lstat(file).catch(() => null))?.isFile()) return file;
  }
  return null;
}

/** Refuses a folder that a symlink has put outside the project or home it should be in. */
async function confine(dir: string, anchor: string): Promise<void> {
  const [real, realAnchor] = await Promise.all([realpath(dir), realpath(anchor)]);
  if (!isWithin(realAnchor, real)) {
    throw new HarnessError(
      ErrorCodes.forbidden,
      `${dir} leads outside ${anchor} (a symlink); refusing to write there`,
    );
  }
}

function splitFrontmatterOrThrow(text: string, file: string): { fields: Frontmatter; body: string } {
  try {
    const split = splitFrontmatter(text);
    const fields =
      split.frontmatter === null ? {} : parseFrontmatter(split.frontmatter, split.frontmatterLine);
    return { fields, body: split.body };
  } catch (error) {
    if (!(error instanceof FrontmatterError)) throw error;
    throw new HarnessError(
      ErrorCodes.conflict,
      `${file}: unreadable frontmatter, ${error.message}; fix it by hand`,
    );
  }
}

function document(fields: Frontmatter, body: string): string {
  const text = body.replace(/^\n+/, '');
  return `${formatFrontmatter(fields)}\n${text}${text.endsWith('\n') || text === '' ? '' : '\n'}`;
}
