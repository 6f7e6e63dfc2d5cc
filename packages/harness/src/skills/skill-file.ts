import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  type Frontmatter,
  FrontmatterError,
  type FrontmatterValue,
  parseFrontmatter,
  splitFrontmatter,
} from './frontmatter.js';
import { SKILL_DESCRIPTION_MAX, skillNameProblem } from './names.js';

/**
 * One skill read from its file: an Agent Skills folder (`<name>/SKILL.md`) or the original's flat
 * `<name>.md` with its `<!-- trigger-patterns: a, b -->` comment. Reading is lenient, as the
 * specification's client guide asks: a skill is skipped only when its description is missing or
 * its frontmatter cannot be read. A `name` that differs from the folder (or a folder name the
 * specification would not allow) is a warning, and the skill is still loaded under its folder's
 * name — the name every agent CLI knows it by, since they find skills by folder.
 */
export type SkillScope = 'project' | 'user' | 'admin' | 'builtin';
export type SkillFormat = 'skill-md' | 'flat';

export interface Skill {
  name: string;
  description: string;
  /** The markdown after the frontmatter (what an agent reads when it uses the skill). */
  body: string;
  format: SkillFormat;
  scope: SkillScope;
  /** The discovery root the skill was found in. */
  root: string;
  /** Absolute path of the SKILL.md or flat .md. */
  file: string;
  /** Every frontmatter field as written (optional ones such as license, metadata, when_to_use kept). */
  frontmatter: Frontmatter;
  /** Case-insensitive substrings of a prompt that make the skill apply. */
  triggerPatterns: string[];
  /** sha256 of the file's bytes, 16 hex digits: a change of content is a new version. */
  contentHash: string;
}

export interface SkillProblem {
  file: string;
  reason: string;
}

export type SkillRead =
  { ok: true; skill: Skill; warnings: SkillProblem[] } | { ok: false; error: SkillProblem };

export interface SkillLocation {
  format: SkillFormat;
  scope: SkillScope;
  root: string;
  file: string;
}

export const SKILL_FILE = 'SKILL.md';

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** Reads a skill from the text of its file; never throws. */
export function readSkill(text: string, at: SkillLocation): SkillRead {
  const name =
    at.format === 'skill-md' ? path.basename(path.dirname(at.file)) : path.basename(at.file, '.md');
  let frontmatter: Frontmatter = {};
  let body: string;
  try {
    const split = splitFrontmatter(text);
    body = split.body;
    if (split.frontmatter !== null) frontmatter = parseFrontmatter(split.frontmatter, split.frontmatterLine);
  } catch (error) {
    const reason = error instanceof FrontmatterError ? error.message : String(error);
    return { ok: false, error: { file: at.file, reason: `unreadable frontmatter: ${reason}` } };
  }
  const description = descriptionOf(frontmatter, body, at.format);
  if (description === null) {
    const where = at.format === 'skill-md' ? 'the frontmatter has no description' : 'no heading or paragraph';
    return { ok: false, error: { file: at.file, reason: `description missing: ${where}` } };
  }
  const warnings: SkillProblem[] = [];
  const declared = frontmatter['name'];
  if (at.format === 'skill-md' && typeof declared !== 'string') {
    warnings.push({ file: at.file, reason: `no name in the frontmatter; loaded as "${name}" (its folder)` });
  } else if (at.format === 'skill-md' && declared !== name) {
    warnings.push({
      file: at.file,
      reason: `name "${String(declared)}" differs from its folder; loaded as "${name}"`,
    });
  }
  const problem = skillNameProblem(name);
  if (problem !== null) warnings.push({ file: at.file, reason: `the name "${name}" ${problem}` });
  if (description.length > SKILL_DESCRIPTION_MAX) {
    warnings.push({ file: at.file, reason: `description longer than ${SKILL_DESCRIPTION_MAX} characters` });
  }
  const skill: Skill = {
    name,
    description,
    body,
    ...at,
    frontmatter,
    triggerPatterns: triggerPatternsOf(frontmatter, body),
    contentHash: contentHash(text),
  };
  return { ok: true, skill, warnings };
}

function descriptionOf(frontmatter: Frontmatter, body: string, format: SkillFormat): string | null {
  const declared = frontmatter['description'];
  if (typeof declared === 'string' && declared.trim() !== '') return declared.trim();
  // Only the flat format takes its description from the text: Agent Skills require the field.
  return format === 'flat' ? firstParagraph(body) : null;
}

/** The first heading (without its `#`s) or paragraph of markdown, skipping HTML comments. */
export function firstParagraph(markdown: string): string | null {
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n');
  const start = lines.findIndex((line) => line.trim() !== '');
  if (start === -1) return null;
  const first = (lines[start] ?? '').trim();
  if (first.startsWith('#')) return first.replace(/^#+\s*/, '').trim() || null;
  const paragraph: string[] = [];
  for (const line of lines.slice(start)) {
    if (line.trim() === '' || line.trim().startsWith('#')) break;
    paragraph.push(line.trim());
  }
  return paragraph.join(' ');
}

/** `<!-- trigger-patterns: a, b -->` in the text, and a `triggers` or `trigger-patterns` field. */
export function triggerPatternsOf(frontmatter: Frontmatter, body: string): string[] {
  const patterns: string[] = [];
  for (const match of body.matchAll(/<!--\s*trigger-patterns:\s*([\s\S]*?)-->/g)) {
    patterns.push(...splitList(match[1] ?? ''));
  }
  for (const key of ['triggers', 'trigger-patterns']) patterns.push(...listOf(frontmatter[key]));
  return [...new Set(patterns.filter((p) => p !== ''))];
}

function listOf(value: FrontmatterValue | undefined): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return splitList(value);
  return Array.isArray(value) ? value.map((v) => v.trim()) : [];
}

function splitList(text: string): string[] {
  return text.split(',').map((part) => part.trim());
}
