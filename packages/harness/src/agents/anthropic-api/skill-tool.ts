import { activationText, type TurnSkillRun } from '../skills.js';
import type { ToolDefinition } from './tools.js';
import type { ToolOutcome } from './fs-tools.js';

/**
 * Skills for the API adapter, which has no native skill loading: the catalogue (name and
 * description of each) in the system prompt, the bodies of those that apply right after it, and a
 * tool that opens any other, its `enum` holding exactly the run's names.
 */
export const OPEN_SKILL = 'open_skill';

export function openSkillTool(skills: TurnSkillRun): ToolDefinition {
  return {
    name: OPEN_SKILL,
    description:
      'Open a skill from the catalogue in the system prompt: returns its instructions. Open one when its description fits the task.',
    input_schema: {
      type: 'object',
      properties: { name: { type: 'string', enum: [...skills.skills.keys()], description: 'the skill' } },
      required: ['name'],
    },
  };
}

/** What the system prompt says about the run's skills. */
export function skillsPrompt(skills: TurnSkillRun): string {
  const lines = [...skills.skills.values()].map((skill) => `- ${skill.name}: ${skill.description}`);
  const catalogue = `Skills you can open with the ${OPEN_SKILL} tool when one fits the task:\n${lines.join('\n')}`;
  const activated = skills.activated();
  return activated.length === 0 ? catalogue : `${catalogue}\n\n${activationText(activated)}`;
}

export function openSkill(skills: TurnSkillRun, input: unknown): ToolOutcome {
  const name = typeof input === 'object' && input !== null ? (input as { name?: unknown }).name : undefined;
  const body = typeof name === 'string' ? skills.open(name) : null;
  if (body === null) {
    const known = [...skills.skills.keys()].join(', ');
    return { output: `no skill named ${JSON.stringify(name)}; the skills are: ${known}`, isError: true };
  }
  return { output: body, isError: false };
}
