import type { ExecPlanData } from '@harness/protocol';
import { type SectionKey, sectionHeadings, sectionKeys } from './sections.js';

/**
 * Plan data → Markdown in the `PLANS.md` convention: a header with the id, status, project and
 * times, then every section in the convention's order (empty ones too, so the agent sees where each
 * thing goes), then the sections the convention does not name, verbatim. `parsePlan` reads it back
 * to the same data.
 */
export function renderPlan(plan: ExecPlanData): string {
  const out: string[] = [`# ${plan.title}`, ''];
  out.push(`- **ID**: ${plan.id}`, `- **Status**: ${plan.status}`);
  if (plan.project_root !== null) out.push(`- **Project**: ${plan.project_root}`);
  if (plan.created_at !== null) out.push(`- **Created**: ${plan.created_at}`);
  if (plan.updated_at !== null) out.push(`- **Updated**: ${plan.updated_at}`);
  out.push('');
  if (plan.preamble !== '') out.push(plan.preamble, '');
  for (const key of sectionKeys) {
    out.push(`## ${sectionHeadings[key]}`, '');
    const body = renderSection(key, plan);
    if (body !== '') out.push(body, '');
  }
  for (const section of plan.other_sections) {
    out.push(`## ${section.heading}`, '');
    if (section.body !== '') out.push(section.body, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

function renderSection(key: SectionKey, plan: ExecPlanData): string {
  switch (key) {
    case 'progress':
      return plan.progress
        .map((m) => `- [${m.done ? 'x' : ' '}] ${m.at === null ? '' : `(${m.at}) `}${m.description}`)
        .join('\n');
    case 'surprises':
      return plan.surprises
        .map((s) =>
          [
            `- Observation: ${s.observation}`,
            `  Evidence: ${s.evidence}`,
            ...(s.date ? [`  Date: ${s.date}`] : []),
          ].join('\n'),
        )
        .join('\n');
    case 'decisions':
      return plan.decisions
        .map((d) =>
          [
            `- Decision: ${d.decision}`,
            `  Rationale: ${d.rationale}`,
            `  Date/Author: ${d.author === '' ? d.date : `${d.date} / ${d.author}`}`,
          ].join('\n'),
        )
        .join('\n');
    case 'steps': {
      const steps = plan.steps
        .map((s, i) =>
          [`${i + 1}. [${s.done ? 'x' : ' '}] ${s.description}`, ...s.files.map((f) => `   - \`${f}\``)].join(
            '\n',
          ),
        )
        .join('\n');
      return [plan.steps_notes, steps].filter((part) => part !== '').join('\n\n');
    }
    default:
      return plan[key];
  }
}
