/**
 * The sections of a plan file: the `PLANS.md` convention's names (in its order) with the names the
 * original Harness format used, and the split of a Markdown file into its title, header and `##`
 * sections. Headings inside fenced code blocks are text, not sections.
 */
export const sectionKeys = [
  'purpose',
  'progress',
  'surprises',
  'decisions',
  'outcomes',
  'context',
  'plan_of_work',
  'steps',
  'validation',
  'idempotence',
  'artifacts',
  'interfaces',
] as const;
export type SectionKey = (typeof sectionKeys)[number];

/** The heading Harness writes for each section (the convention's). */
export const sectionHeadings: Record<SectionKey, string> = {
  purpose: 'Purpose / Big Picture',
  progress: 'Progress',
  surprises: 'Surprises & Discoveries',
  decisions: 'Decision Log',
  outcomes: 'Outcomes & Retrospective',
  context: 'Context and Orientation',
  plan_of_work: 'Plan of Work',
  steps: 'Concrete Steps',
  validation: 'Validation and Acceptance',
  idempotence: 'Idempotence and Recovery',
  artifacts: 'Artifacts and Notes',
  interfaces: 'Interfaces and Dependencies',
};

/** Other spellings read as the same section: `and` for `&`, and the original format's shorter names. */
const aliases: Record<string, SectionKey> = {
  purpose: 'purpose',
  'big picture': 'purpose',
  surprises: 'surprises',
  decisions: 'decisions',
  outcomes: 'outcomes',
  retrospective: 'outcomes',
  context: 'context',
  steps: 'steps',
  validation: 'validation',
};

export function sectionKeyOf(heading: string): SectionKey | undefined {
  const normalize = (h: string): string =>
    h.trim().toLowerCase().replace(/\s+/g, ' ').replace(/ & /g, ' and ');
  const name = normalize(heading);
  return sectionKeys.find((key) => normalize(sectionHeadings[key]) === name) ?? aliases[name];
}

export interface SourceLine {
  text: string;
  /** 1-based, in the whole file. */
  line: number;
}

export interface RawSection {
  heading: string;
  line: number;
  body: SourceLine[];
}

export interface SplitPlan {
  title: SourceLine | null;
  /** Lines between the title and the first section (header fields and preamble). */
  head: SourceLine[];
  sections: RawSection[];
}

const fence = /^\s*(```|~~~)/;

export function splitPlan(markdown: string): SplitPlan {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const split: SplitPlan = { title: null, head: [], sections: [] };
  let inFence = false;
  let current: RawSection | null = null;
  lines.forEach((text, i) => {
    const line = { text, line: i + 1 };
    if (fence.test(text)) inFence = !inFence;
    const h1 = !inFence && /^#\s+(.*)$/.exec(text);
    if (h1 && split.title === null && current === null && split.head.every((l) => l.text.trim() === '')) {
      split.title = { text: (h1[1] ?? '').trim(), line: i + 1 };
      split.head = [];
      return;
    }
    const h2 = !inFence && /^##\s+(.*?)\s*#*\s*$/.exec(text);
    if (h2) {
      current = { heading: h2[1] ?? '', line: i + 1, body: [] };
      split.sections.push(current);
      return;
    }
    (current === null ? split.head : current.body).push(line);
  });
  return split;
}

/** The lines' text, with the blank lines around it removed. */
export function joinProse(lines: readonly SourceLine[]): string {
  return lines
    .map((l) => l.text)
    .join('\n')
    .replace(/^(\s*\n)+/, '')
    .trimEnd();
}

/**
 * Prose that goes into a section must not open a section of its own: its `#` and `##` headings
 * (outside code fences) become `###`, so the file reads back as it was written.
 */
export function nestHeadings(prose: string): string {
  let inFence = false;
  return prose
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((text) => {
      if (fence.test(text)) inFence = !inFence;
      return !inFence && /^#{1,2}\s/.test(text) ? text.replace(/^#{1,2}/, '###') : text;
    })
    .join('\n')
    .replace(/^(\s*\n)+/, '')
    .trimEnd();
}
