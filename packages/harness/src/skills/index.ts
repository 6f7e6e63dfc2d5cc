/**
 * skills: what agents know how to do. Agent Skills folders (`<name>/SKILL.md`, frontmatter with a
 * name and a description) and the original's flat `<name>.md` skills, discovered from the project,
 * the user, the machine and the skills shipped with Harness (first of a name wins, the hidden ones
 * reported); their versions, uses and scores kept in the store; the catalogue and the skills to
 * activate for a turn (`SkillService.forTurn`); writes into `.harness/skills` only. Depends on
 * core and store.
 */
export { builtinSkillsDir } from './builtin.js';
export {
  type Discovery,
  type DiscoveryOptions,
  discoverSkills,
  type Shadowing,
  type SkillRoot,
  skillRoots,
} from './discovery.js';
export {
  type Frontmatter,
  FrontmatterError,
  type FrontmatterValue,
  formatFrontmatter,
  parseFrontmatter,
  splitFrontmatter,
} from './frontmatter.js';
export { assertSkillName } from './names.js';
export { skillScore } from './score.js';
export {
  type SkillContext,
  SkillService,
  type SkillServiceOptions,
  type SkillSettings,
  type TurnSkills,
} from './service.js';
export {
  contentHash,
  readSkill,
  SKILL_FILE,
  type Skill,
  type SkillFormat,
  type SkillProblem,
  type SkillScope,
} from './skill-file.js';
export { HARNESS_SKILLS_DIR, type SkillWrite, type SkillWriteTarget } from './skill-writer.js';
