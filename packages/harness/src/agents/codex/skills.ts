import { z } from 'zod';
import type { TurnSkillRun } from '../skills.js';
import type { TurnContext } from '../turn.js';
import type { AppServerConnection } from './app-server.js';

/** `skills/list`, as far as Harness reads it: the skills Codex found for each working directory. */
const SkillsListSchema = z.object({
  data: z.array(
    z.object({
      cwd: z.string(),
      skills: z.array(z.object({ name: z.string(), enabled: z.boolean().default(true) })),
    }),
  ),
});

/**
 * Adds the run's skills directory to the roots Codex scans, for this app-server process only (the
 * user's CODEX_HOME is not touched), and reports what Codex then lists for the worktree: the names
 * in its catalogue, the one the model is shown.
 */
export async function useRunSkills(
  ctx: TurnContext,
  conn: AppServerConnection,
  skills: TurnSkillRun,
): Promise<void> {
  await conn.request('skills/extraRoots/set', { extraRoots: [skills.dir] });
  const listed = SkillsListSchema.parse(
    await conn.request('skills/list', { cwds: [ctx.options.cwd], forceReload: true }),
  );
  const names = listed.data.flatMap((entry) => entry.skills.filter((s) => s.enabled).map((s) => s.name));
  ctx.emit({ type: 'skills_loaded', skills: [...new Set(names)] });
}

/** `turn/start` inputs that give Codex the skills that apply: it injects each whole SKILL.md. */
export function skillInputs(skills: TurnSkillRun | null): { type: 'skill'; name: string; path: string }[] {
  if (skills === null) return [];
  return skills
    .activated()
    .map((skill) => ({ type: 'skill', name: skill.name, path: skills.copyOf(skill.name) }));
}
