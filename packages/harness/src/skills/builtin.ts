import { fileURLToPath } from 'node:url';

/**
 * The skills shipped with Harness (`packages/harness/skills/<name>/SKILL.md`, in the package's
 * `files`): the same folder from the sources and from the compiled `dist`, both two levels down.
 */
export const builtinSkillsDir: string = fileURLToPath(new URL('../../skills', import.meta.url));
