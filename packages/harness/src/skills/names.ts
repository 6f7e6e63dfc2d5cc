import { SKILL_NAME_MAX, skillNameProblem } from '@harness/protocol';
import { ErrorCodes, HarnessError } from '../core/index.js';

/**
 * Skill names as the Agent Skills specification has them (the rule is the protocol's
 * `skillNameProblem`, so clients refuse what the server refuses). A name is also a folder name:
 * these rules are what keeps a write inside the skills folder, since `..`, `/`, `\` and absolute
 * paths all fail them.
 */
export { SKILL_DESCRIPTION_MAX, SKILL_NAME_MAX, skillNameProblem } from '@harness/protocol';

/** Throws `invalid_params` naming the field when `name` is not a valid skill name. */
export function assertSkillName(name: string, field = 'name'): void {
  const problem = skillNameProblem(name);
  if (problem === null) return;
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `${field}: ${JSON.stringify(name.slice(0, 100))} ${problem}; a skill name is 1-${SKILL_NAME_MAX} lowercase letters, digits and single hyphens, such as "code-review"`,
    { data: { path: [field] } },
  );
}
