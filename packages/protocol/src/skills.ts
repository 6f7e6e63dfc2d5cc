import { z } from 'zod';

/**
 * Skills over the wire: `skill/list`, `skill/get`, `skill/create`, `skill/update`, `skill/delete`.
 * A skill is an Agent Skills folder (`<name>/SKILL.md`) or the original's flat `<name>.md`,
 * discovered from the project, the user, the machine (admin) and the skills shipped with Harness;
 * the first of a name wins in that order and the ones it hides are listed. The name rule is here
 * so that every client refuses the same names the server does.
 */

export const SKILL_NAME_MAX = 64;
export const SKILL_DESCRIPTION_MAX = 1024;

/**
 * Why `name` is not a valid skill name, or null when it is: 1–64 lowercase letters, digits and
 * hyphens, no hyphen at either end or twice in a row. A name is a folder name too, so `..`, `/`,
 * `\` and absolute paths are refused first, in words that say why.
 */
export function skillNameProblem(name: string): string | null {
  if (name === '') return 'is empty';
  if (name.includes('/') || name.includes('\\') || name.includes('..')) {
    return 'would leave the skills folder (it holds "/", "\\" or "..")';
  }
  if (name.length > SKILL_NAME_MAX) return `is ${name.length} characters long (at most ${SKILL_NAME_MAX})`;
  if (!/^[a-z0-9-]+$/.test(name)) return 'may hold only lowercase letters, digits and hyphens';
  if (name.startsWith('-') || name.endsWith('-')) return 'may not start or end with a hyphen';
  if (name.includes('--')) return 'may not hold two hyphens in a row';
  return null;
}

export const skillNameSchema = z.string().superRefine((name, ctx) => {
  const problem = skillNameProblem(name);
  if (problem !== null) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(name.slice(0, 100))} ${problem}; a skill name is 1-${SKILL_NAME_MAX} lowercase letters, digits and single hyphens, such as "code-review"`,
    });
  }
});

export const skillScopeSchema = z.enum(['project', 'user', 'admin', 'builtin']);
export type SkillScopeName = z.infer<typeof skillScopeSchema>;
/** Where `skill/create`, `skill/update` and `skill/delete` write: the project's or the user's `.harness/skills`. */
export const skillWriteScopeSchema = z.enum(['project', 'user']);

const place = z.object({ scope: skillScopeSchema, path: z.string() });
const problem = z.object({ path: z.string(), reason: z.string() });

export const skillSummarySchema = z.object({
  name: z.string(),
  description: z.string(),
  scope: skillScopeSchema,
  format: z.enum(['skill-md', 'flat']),
  /** The SKILL.md or flat .md. */
  path: z.string(),
  /** sha256 of the file, 16 hex digits. */
  hash: z.string(),
  /** 1 when Harness first saw the file; one more each time its content changed. */
  version: z.number().int().positive(),
  trigger_patterns: z.array(z.string()),
  /** Uses recorded (`skill.used`). */
  uses: z.number().int().nonnegative(),
  /** From the outcomes of the finished tasks that used it (0..1), or null before any finished. */
  score: z.number().min(0).max(1).nullable(),
  /** Skills of the same name this one hides. */
  shadowed: z.array(place),
});
export type SkillSummary = z.infer<typeof skillSummarySchema>;

export const frontmatterValueSchema = z.union([
  z.string(),
  z.array(z.string()),
  z.record(z.string(), z.string()),
]);

export const skillDetailSchema = skillSummarySchema.extend({
  body: z.string(),
  /** Every frontmatter field as written, optional ones (license, metadata, allowed-tools, …) included. */
  frontmatter: z.record(z.string(), frontmatterValueSchema),
});
export type SkillDetail = z.infer<typeof skillDetailSchema>;

export const skillListResultSchema = z.object({
  skills: z.array(skillSummarySchema),
  /** Every skill hidden by one of the same name found first. */
  shadowed: z.array(z.object({ name: z.string(), winner: place, shadowed: place })),
  /** Skills skipped (missing description, unreadable frontmatter), with why. */
  errors: z.array(problem),
  /** Skills loaded despite a problem (a name that differs from its folder). */
  warnings: z.array(problem),
});
export type SkillListResult = z.infer<typeof skillListResultSchema>;

const projectRoot = z.string().min(1).max(4096);
const description = z.string().trim().min(1, 'give the skill a description').max(SKILL_DESCRIPTION_MAX);
const body = z.string().max(200_000);

export const skillListParamsSchema = z.strictObject({
  /** Case-insensitive substring of the name or description. */
  query: z.string().max(500).optional(),
  project_root: projectRoot.optional(),
});
export const skillGetParamsSchema = z.strictObject({
  name: skillNameSchema,
  project_root: projectRoot.optional(),
});
export const skillCreateParamsSchema = z.strictObject({
  name: skillNameSchema,
  description,
  body,
  project_root: projectRoot.optional(),
  /** `project` (the default with a project_root) or `user` (the default without). */
  scope: skillWriteScopeSchema.optional(),
});
export const skillUpdateParamsSchema = z
  .strictObject({
    name: skillNameSchema,
    description: description.optional(),
    body: body.optional(),
    project_root: projectRoot.optional(),
    scope: skillWriteScopeSchema.optional(),
  })
  .refine((p) => p.description !== undefined || p.body !== undefined, {
    message: 'give a new description, a new body, or both',
    path: ['description'],
  });
export const skillDeleteParamsSchema = z.strictObject({
  name: skillNameSchema,
  project_root: projectRoot.optional(),
  scope: skillWriteScopeSchema.optional(),
});
export type SkillCreateParams = z.infer<typeof skillCreateParamsSchema>;
export type SkillUpdateParams = z.infer<typeof skillUpdateParamsSchema>;
export type SkillDeleteParams = z.infer<typeof skillDeleteParamsSchema>;

/** The `skill/*` entries of the method table (methods.ts spreads them in). */
export const skillMethods = {
  'skill/list': { params: skillListParamsSchema, result: skillListResultSchema },
  'skill/get': { params: skillGetParamsSchema, result: skillDetailSchema },
  /** Operator only: writes `<name>/SKILL.md` into the project's or the user's `.harness/skills`. */
  'skill/create': { params: skillCreateParamsSchema, result: skillDetailSchema },
  /** Operator only: rewrites a skill in `.harness/skills` (other tools' folders are theirs). */
  'skill/update': { params: skillUpdateParamsSchema, result: skillDetailSchema },
  /** Operator only. */
  'skill/delete': {
    params: skillDeleteParamsSchema,
    result: z.object({ deleted: z.literal(true), path: z.string() }),
  },
} as const;
