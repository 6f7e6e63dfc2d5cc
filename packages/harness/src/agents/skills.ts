import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeError } from '../core/index.js';
import type { TurnSkill } from './contract.js';
import type { TurnContext } from './turn.js';

/**
 * The skills a turn's agent sees, copied for this run into a temporary directory outside the
 * worktree (so the worktree stays clean whatever folder a skill came from), and the `skill_used`
 * events of the turn: one per skill given up front, one per skill the model opens.
 */

/** A name that is one path segment and cannot climb out of the folder it is copied into. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isSafeSkillName(name: string): boolean {
  return SAFE_NAME.test(name) && !name.includes('..');
}

/**
 * Where a run's skills go: Claude Code wants a plugin (`skills/` beside its manifest), Codex a
 * skills root; `none` for the API adapter, which reads each skill itself when the model opens it.
 */
export type SkillLayout = 'claude-plugin' | 'skills-root' | 'none';

/** The name Claude Code gives the per-run plugin; its skills are called `harness:<name>`. */
export const CLAUDE_PLUGIN_NAME = 'harness';

export class TurnSkillRun {
  /** The per-run directory: the plugin (Claude Code) or the skills root (Codex); empty for `none`. */
  readonly dir: string;
  /** Where the skill folders are, inside `dir`. */
  readonly skillsDir: string;
  private readonly copies: boolean;
  /** The skills that were copied, by name. */
  readonly skills = new Map<string, TurnSkill>();
  private readonly used = new Set<string>();

  private constructor(
    private readonly ctx: TurnContext,
    layout: SkillLayout,
  ) {
    this.copies = layout !== 'none';
    this.dir = this.copies ? mkdtempSync(path.join(tmpdir(), 'harness-skills-')) : '';
    this.skillsDir = layout === 'claude-plugin' ? path.join(this.dir, 'skills') : this.dir;
    if (layout === 'claude-plugin') {
      mkdirSync(path.join(this.dir, '.claude-plugin'));
      writeFileSync(
        path.join(this.dir, '.claude-plugin', 'plugin.json'),
        `${JSON.stringify({ name: CLAUDE_PLUGIN_NAME, version: '1.0.0', description: 'Skills Harness gives this run' })}\n`,
      );
    }
  }

  /**
   * Copies the turn's skills for this run; null when the turn has none. A skill that cannot be
   * copied (a name that could escape the folder, an unreadable file) is left out with a warning.
   */
  static prepare(ctx: TurnContext, layout: SkillLayout): TurnSkillRun | null {
    const given = ctx.options.skills;
    if (given === undefined || given.catalogue.length === 0) return null;
    const run = new TurnSkillRun(ctx, layout);
    for (const skill of given.catalogue) run.add(skill);
    for (const name of given.activate) {
      if (!run.skills.has(name))
        ctx.emit({
          type: 'warning',
          message: `skill ${JSON.stringify(name)} to activate is not among the turn's skills`,
        });
    }
    return run;
  }

  /** The per-run copy of a skill's SKILL.md. */
  copyOf(name: string): string {
    return path.join(this.skillsDir, name, 'SKILL.md');
  }

  /** The skills to give explicitly, in the order they were asked for. */
  activated(): TurnSkill[] {
    const names = [...new Set(this.ctx.options.skills?.activate ?? [])];
    return names.map((name) => this.skills.get(name)).filter((s): s is TurnSkill => s !== undefined);
  }

  /** Emits `skill_used` (explicit) for every activated skill; call once the turn has started. */
  announceActivated(): void {
    for (const skill of this.activated()) this.emitUse(skill, 'explicit');
  }

  /** The model opened a skill by name (a tool call); unknown names are ignored. */
  usedByModel(name: string): void {
    const skill = this.skills.get(name);
    if (skill !== undefined) this.emitUse(skill, 'model');
  }

  /** The model read a skill's file (a command or a read that names its per-run copy). */
  noticeMention(text: string): void {
    for (const name of this.skills.keys()) {
      if (text.includes(path.join(this.skillsDir, name))) this.usedByModel(name);
    }
  }

  /** The model opens a skill: its instructions, and the event; null for a name not in the run. */
  open(name: string): string | null {
    const skill = this.skills.get(name);
    if (skill === undefined) return null;
    const body = skillBody(skill.file);
    this.emitUse(skill, 'model');
    return body;
  }

  /** Removes the per-run copies; the turn is over. */
  remove(): void {
    if (this.copies) rmSync(this.dir, { recursive: true, force: true });
  }

  private add(skill: TurnSkill): void {
    if (!isSafeSkillName(skill.name)) {
      this.ctx.emit({
        type: 'warning',
        message: `skill ${JSON.stringify(skill.name)} (${skill.file}) was left out: its name could escape the skills folder`,
      });
      return;
    }
    try {
      if (this.copies) copySkill(skill, path.join(this.skillsDir, skill.name));
      else readFileSync(skill.file); // read when opened: an unreadable one is left out now
      this.skills.set(skill.name, skill);
    } catch (error) {
      this.ctx.emit({
        type: 'warning',
        message: `skill ${skill.name} (${skill.file}) was left out: ${describeError(error)}`,
      });
    }
  }

  private emitUse(skill: TurnSkill, activation: 'explicit' | 'model'): void {
    // One event per skill and way of use: re-reading a skill in the same turn is the same use.
    const key = `${activation}:${skill.name}`;
    if (this.used.has(key)) return;
    this.used.add(key);
    this.ctx.emit({ type: 'skill_used', skill: skill.name, file: skill.file, activation });
  }
}

/**
 * A SKILL.md skill is copied with its whole folder (scripts, references, assets); a flat `.md`
 * skill becomes a SKILL.md with the frontmatter the Agent Skills format requires.
 */
function copySkill(skill: TurnSkill, target: string): void {
  if (path.basename(skill.file) === 'SKILL.md') {
    cpSync(path.dirname(skill.file), target, { recursive: true, dereference: true });
    return;
  }
  const body = readFileSync(skill.file, 'utf8');
  mkdirSync(target, { recursive: true });
  writeFileSync(path.join(target, 'SKILL.md'), `${frontmatter(skill)}\n${body}`);
}

/** JSON strings are valid YAML double-quoted scalars, so any description survives. */
function frontmatter(skill: TurnSkill): string {
  return `---\nname: ${JSON.stringify(skill.name)}\ndescription: ${JSON.stringify(skill.description)}\n---\n`;
}

/** A skill's instructions: its file without the frontmatter. */
export function skillBody(file: string): string {
  const text = readFileSync(file, 'utf8');
  const match = /^---\r?\n[\s\S]*?\r?\n---\r?\n?/.exec(text);
  return (match === null ? text : text.slice(match[0].length)).trim();
}

/** The bodies of the skills that apply to the task, to be given to the agent up front. */
export function activationText(skills: readonly TurnSkill[]): string {
  const parts = skills.map((skill) => `<skill name="${skill.name}">\n${skillBody(skill.file)}\n</skill>`);
  return `These skills apply to this task; follow their instructions:\n\n${parts.join('\n\n')}`;
}
