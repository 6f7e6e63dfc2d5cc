import { checkbox, parseStatus, stepLine } from './parse.js';
import { type SectionKey, sectionHeadings, sectionKeyOf, sectionKeys, splitPlan } from './sections.js';

/**
 * What is missing or malformed in a plan file, by line: the convention's sections (each once),
 * Progress as checkboxes only (a checked one with its timestamp), Decision Log entries with their
 * rationale and date, Surprises with their evidence, and a known status.
 */
export interface PlanProblem {
  /** 1-based; the title's line (or 1) for a section that is missing. */
  line: number;
  section: string | null;
  message: string;
}

export interface PlanLint {
  ok: boolean;
  problems: PlanProblem[];
}

export function lintPlan(markdown: string): PlanLint {
  const split = splitPlan(markdown);
  const problems: PlanProblem[] = [];
  const titleLine = split.title?.line ?? 1;
  if (split.title === null || split.title.text === '') {
    problems.push({ line: 1, section: null, message: 'no "# title" line opens the plan' });
  }
  for (const { text, line } of split.head) {
    const status = /^[-*]\s+\*\*Status\*\*:\s*(.*)$/i.exec(text.trim());
    if (status && parseStatus(status[1] ?? '') === undefined) {
      problems.push({
        line,
        section: null,
        message: `unknown status "${status[1] ?? ''}" (draft, active, completed or abandoned)`,
      });
    }
  }
  const found = new Map<SectionKey, number>();
  for (const section of split.sections) {
    const key = sectionKeyOf(section.heading);
    if (key === undefined) continue;
    const first = found.get(key);
    if (first !== undefined) {
      problems.push({
        line: section.line,
        section: section.heading,
        message: `"${sectionHeadings[key]}" again (first at line ${first}); this copy is kept as an unnamed section`,
      });
      continue;
    }
    found.set(key, section.line);
    problems.push(...lintSection(key, section.heading, section.body));
  }
  for (const key of sectionKeys) {
    if (!found.has(key)) {
      problems.push({
        line: titleLine,
        section: sectionHeadings[key],
        message: `missing section "## ${sectionHeadings[key]}"`,
      });
    }
  }
  problems.sort((a, b) => a.line - b.line);
  return { ok: problems.length === 0, problems };
}

type Body = ReadonlyArray<{ text: string; line: number }>;

function lintSection(key: SectionKey, heading: string, body: Body): PlanProblem[] {
  switch (key) {
    case 'progress':
      return lintProgress(heading, body);
    case 'decisions':
      return lintEntries(heading, body, /^[-*]\s+Decision:/i, ['Rationale', 'Date/Author'], 'decision');
    case 'surprises':
      return lintEntries(heading, body, /^[-*]\s+Observation:/i, ['Evidence'], 'observation');
    case 'steps':
      return body.flatMap(({ text, line }) =>
        /^\s*\d+[.)]\s+\[/.test(text) && !stepLine.test(text)
          ? [{ line, section: heading, message: 'a step\'s checkbox is "[ ]" or "[x]"' }]
          : [],
      );
    default:
      return [];
  }
}

function lintProgress(heading: string, body: Body): PlanProblem[] {
  const problems: PlanProblem[] = [];
  for (const { text, line } of body) {
    if (text.trim() === '' || /^\s+\S/.test(text)) continue;
    const box = checkbox.exec(text);
    if (!box) {
      problems.push({
        line,
        section: heading,
        message: 'Progress holds checkbox items only ("- [ ] …" or "- [x] (time) …")',
      });
    } else if (box[1] !== ' ' && !/^\(\d{4}-\d{2}-\d{2}[^)]*\)/.test((box[2] ?? '').trim())) {
      problems.push({
        line,
        section: heading,
        message: 'a checked item has no "(YYYY-MM-DD HH:MMZ)" timestamp',
      });
    }
  }
  return problems;
}

/** Entries opened by `- Decision:` / `- Observation:`, each needing the given indented fields. */
function lintEntries(
  heading: string,
  body: Body,
  opening: RegExp,
  fields: readonly string[],
  kind: string,
): PlanProblem[] {
  // The original format (### headings, **bold**: lines) is read as it is; only the convention's is checked.
  if (body.some((l) => /^###\s/.test(l.text) || /^[-*]\s+\*\*/.test(l.text.trim()))) return [];
  const problems: PlanProblem[] = [];
  const entries: Array<{ line: number; text: string[] }> = [];
  for (const { text, line } of body) {
    if (text.trim() === '') continue;
    if (opening.test(text)) entries.push({ line, text: [] });
    else if (entries.length === 0)
      problems.push({
        line,
        section: heading,
        message: `text outside an entry; each opens with "- ${kind[0]?.toUpperCase()}${kind.slice(1)}:"`,
      });
    else entries.at(-1)?.text.push(text.trim());
  }
  for (const entry of entries) {
    const missing = fields.filter(
      (f) => !entry.text.some((t) => t.toLowerCase().startsWith(`${f.toLowerCase()}:`)),
    );
    if (missing.length > 0) {
      problems.push({
        line: entry.line,
        section: heading,
        message: `the ${kind} has no ${missing.map((m) => `"${m}:"`).join(' or ')} line`,
      });
    }
  }
  return problems;
}
