import path from 'node:path';
import type { SkillDetail, SkillListResult, SkillSummary } from '@harness/protocol';
import { type Clock, ErrorCodes, HarnessError, type Logger, loadProjectOverlay } from '../core/index.js';
import type { SkillUsage, Store } from '../store/index.js';
import { type Discovery, type DiscoveryOptions, discoverSkills } from './discovery.js';
import { assertSkillName } from './names.js';
import { skillScore } from './score.js';
import { SKILL_FILE, type Skill } from './skill-file.js';
import { SkillWriter, type SkillWrite, type SkillWriteTarget } from './skill-writer.js';

/** `[skills]` of the server's config. */
export interface SkillSettings {
  /** The machine's skills; `/etc/harness/skills` by default. */
  adminDir: string;
  /** Whether the skills shipped with Harness are offered. */
  builtin: boolean;
  /** Skills activated on every turn of every project. */
  always: readonly string[];
}

export interface SkillServiceOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The user's home (its `.agents`, `.claude` and `.harness` skills). */
  home: string;
  /** `$CODEX_HOME`, read by the composition root; null for `~/.codex`. */
  codexHome: string | null;
  settings: SkillSettings;
  /** Where the built-in skills are (the shipped folder unless a test says otherwise). */
  builtinDir: string;
}

/** Where to look: a project (and the folder inside it the agent works in), or only the user's and below. */
export interface SkillContext {
  projectRoot?: string;
  cwd?: string;
}

/** Exactly what a turn's agent is given: the catalogue of every skill, and the ones that apply. */
export interface TurnSkills {
  catalogue: Array<{ name: string; description: string; file: string }>;
  activate: string[];
}

/**
 * The skills Harness knows and offers: discovered afresh on every call (a skill edited on disk is
 * seen at once), each file's content recorded in the store so a change bumps its version, every
 * use recorded so the skill's usage and score can be told. Writes go through SkillWriter, only to
 * `.harness/skills` folders.
 */
export class SkillService {
  private readonly writer: SkillWriter;

  constructor(private readonly options: SkillServiceOptions) {
    this.writer = new SkillWriter(options.home);
  }

  /** Every skill from every root, the winners first; problems logged (and returned). */
  async discover(context: SkillContext = {}): Promise<Discovery> {
    const { settings } = this.options;
    const discoveryOptions: DiscoveryOptions = {
      ...context,
      home: this.options.home,
      codexHome: this.options.codexHome,
      adminDir: settings.adminDir,
      builtinDir: settings.builtin ? this.options.builtinDir : null,
    };
    const found = await discoverSkills(discoveryOptions);
    for (const error of found.errors)
      this.options.logger.warn({ file: error.file }, `skill skipped: ${error.reason}`);
    for (const warning of found.warnings)
      this.options.logger.warn({ file: warning.file }, `skill: ${warning.reason}`);
    return found;
  }

  async list(params: SkillContext & { query?: string }): Promise<SkillListResult> {
    const found = await this.discover(params);
    const query = params.query?.trim().toLowerCase() ?? '';
    const matching = found.skills.filter(
      (s) =>
        query === '' || s.name.toLowerCase().includes(query) || s.description.toLowerCase().includes(query),
    );
    return {
      skills: await this.summaries(matching, found),
      shadowed: found.shadowed.map((s) => ({
        name: s.name,
        winner: { scope: s.winner.scope, path: s.winner.file },
        shadowed: { scope: s.shadowed.scope, path: s.shadowed.file },
      })),
      errors: found.errors.map((e) => ({ path: e.file, reason: e.reason })),
      warnings: found.warnings.map((w) => ({ path: w.file, reason: w.reason })),
    };
  }

  /** The skill of that name that wins, with its body. */
  async get(name: string, context: SkillContext = {}): Promise<SkillDetail> {
    assertSkillName(name);
    const found = await this.discover(context);
    const skill = found.skills.find((s) => s.name === name);
    if (skill === undefined) {
      // A skill of that name that was skipped is the likely reason: say why it was.
      const skipped = found.errors.find((e) => skillNameOf(e.file) === name);
      throw new HarnessError(
        ErrorCodes.notFound,
        `no skill named "${name}"` + (skipped ? ` (${skipped.file} was skipped: ${skipped.reason})` : ''),
        { data: { path: ['name'] } },
      );
    }
    return this.detail(skill, found);
  }

  async create(target: SkillWriteTarget, write: Required<SkillWrite>): Promise<SkillDetail> {
    const file = await this.writer.create(target, write);
    return this.detailAt(file, target);
  }

  async update(target: SkillWriteTarget, write: SkillWrite): Promise<SkillDetail> {
    const file = await this.writer.update(target, write);
    return this.detailAt(file, target);
  }

  async delete(target: SkillWriteTarget): Promise<{ deleted: true; path: string }> {
    const file = await this.writer.delete(target);
    await this.options.store.skills.remove(file);
    return { deleted: true, path: file };
  }

  /** One use of a skill (a `skill.used` event), by a task's turn or a thread's. */
  async recordUse(use: { name: string; taskId?: string; threadId?: string }): Promise<void> {
    if (use.name.trim() === '')
      throw new HarnessError(ErrorCodes.invalidParams, 'skill use: the skill name is empty');
    await this.options.store.skills.recordUse({
      skill: use.name,
      task_id: use.taskId ?? null,
      thread_id: use.threadId ?? null,
      at: this.options.clock.now().toISOString(),
    });
  }

  /**
   * What a turn's agent gets: the catalogue of every discovered skill, and those to activate —
   * named on the task or turn, configured (`[skills] always` of the server and of the project's
   * overlay), or whose trigger patterns occur in the prompt (case-insensitive). A name asked for
   * that no skill has is logged and left out: the agent cannot open what does not exist.
   */
  async forTurn(params: {
    projectRoot: string;
    cwd: string;
    taskSkills?: string[];
    prompt: string;
  }): Promise<TurnSkills> {
    const found = await this.discover({ projectRoot: params.projectRoot, cwd: params.cwd });
    const known = new Set(found.skills.map((s) => s.name));
    const prompt = params.prompt.toLowerCase();
    const wanted = [
      ...(params.taskSkills ?? []),
      ...this.options.settings.always,
      ...(loadProjectOverlay(params.projectRoot).skills.always ?? []),
      ...found.skills
        .filter((s) => s.triggerPatterns.some((p) => prompt.includes(p.toLowerCase())))
        .map((s) => s.name),
    ];
    const activate: string[] = [];
    for (const name of wanted) {
      if (activate.includes(name)) continue;
      if (known.has(name)) activate.push(name);
      else
        this.options.logger.warn(
          { skill: name, project: params.projectRoot },
          'skill asked for but not found',
        );
    }
    return {
      catalogue: found.skills.map((s) => ({ name: s.name, description: s.description, file: s.file })),
      activate,
    };
  }

  private async detailAt(file: string, context: SkillContext): Promise<SkillDetail> {
    const found = await this.discover(context);
    const skill = found.skills.find((s) => s.file === file);
    if (skill === undefined) {
      // Written, but hidden by a skill of the same name found first: say so rather than show the other.
      const hiddenBy = found.shadowed.find((s) => s.shadowed.file === file);
      const reason = hiddenBy ? `it is hidden by ${hiddenBy.winner.file}` : 'it is not discovered';
      throw new HarnessError(ErrorCodes.conflict, `${file} was written, but ${reason}`);
    }
    return this.detail(skill, found);
  }

  private async detail(skill: Skill, found: Discovery): Promise<SkillDetail> {
    const [summary] = await this.summaries([skill], found);
    return { ...(summary as SkillSummary), body: skill.body, frontmatter: skill.frontmatter };
  }

  private async summaries(skills: readonly Skill[], found: Discovery): Promise<SkillSummary[]> {
    const at = this.options.clock.now().toISOString();
    const usage = await this.options.store.skills.usage([...new Set(skills.map((s) => s.name))]);
    const summaries: SkillSummary[] = [];
    for (const skill of skills) {
      const record = await this.options.store.skills.observe(
        { path: skill.file, name: skill.name, scope: skill.scope, content_hash: skill.contentHash },
        at,
      );
      const used: SkillUsage = usage.get(skill.name) ?? { uses: 0, outcomes: [] };
      summaries.push({
        name: skill.name,
        description: skill.description,
        scope: skill.scope,
        format: skill.format,
        path: skill.file,
        hash: skill.contentHash,
        version: record.version,
        trigger_patterns: skill.triggerPatterns,
        uses: used.uses,
        score: skillScore(used.outcomes),
        shadowed: found.shadowed
          .filter((s) => s.winner.file === skill.file)
          .map((s) => ({ scope: s.shadowed.scope, path: s.shadowed.file })),
      });
    }
    return summaries;
  }
}

function skillNameOf(file: string): string {
  return path.basename(file) === SKILL_FILE ? path.basename(path.dirname(file)) : path.basename(file, '.md');
}
