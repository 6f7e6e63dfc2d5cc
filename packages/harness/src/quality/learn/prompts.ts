import type { ProjectRef } from '../replay/history.js';
import type { LearnKind } from './learn.js';
import type { Lesson } from './lessons.js';

/**
 * What the agent is asked for each lesson. The evidence goes in as JSON; the answer must name
 * each proposed file on its fence, because only fenced files under the allowed paths become a draft.
 */
const MAX_DETAILS = 12_000;

export function promptFor(kind: LearnKind, project: ProjectRef, lesson: Lesson): string {
  const evidence = JSON.stringify(
    { type: lesson.type, summary: lesson.summary, details: lesson.details, evidence: lesson.evidence },
    null,
    2,
  ).slice(0, MAX_DETAILS);
  const ask = kind === 'rules' ? RULES : SKILLS;
  return [
    `Project ${project.name} keeps running into the same trouble: ${lesson.summary}.`,
    'The evidence from its history:',
    '```json',
    evidence,
    '```',
    ask,
    'Read the project as you need to, but change nothing: a person reviews what you propose before it is used.',
  ].join('\n');
}

const RULES = [
  'Propose a rule that would prevent it. Answer with a rule file in a fenced block whose opening line is',
  '```markdown .harness/rules/learned-<short-name>.md',
  'with one section per rule, each headed exactly "## ID: Title (severity)" — ID in capitals (e.g. LRN-01),',
  'severity one of critical, high, medium, low — followed by what is wrong and what to do instead.',
  'If a script can find the problem, add a guard as a second block, ```bash .harness/guards/<short-name>.sh,',
  'that takes the project root as $1 and prints FILE:LINE:RULE_ID:MESSAGE per finding.',
].join('\n');

const SKILLS = [
  'Propose a skill that teaches agents to avoid it. Answer with a fenced block whose opening line is',
  '```markdown .harness/skills/<short-name>/SKILL.md',
  'starting with a frontmatter (name, description) and then the steps an agent should follow.',
].join('\n');
