import type {
  ExecPlanData,
  PlanDecision,
  PlanMilestone,
  PlanStatus,
  PlanStep,
  PlanSurprise,
} from '@harness/protocol';
import { joinProse, type RawSection, sectionKeyOf, type SourceLine, splitPlan } from './sections.js';

/**
 * Markdown → plan data, for both formats: the `PLANS.md` convention's sections and entries, and the
 * original Harness format (`# ExecPlan: …`, `### decision (date)` entries, `- **obs**: evidence`
 * surprises, `## Validation`). The status is read as written, never reset.
 */
export interface ParseOptions {
  /** The id when the file has no `- **ID**:` line (a plan file's name). */
  fallbackId?: string;
}

export const checkbox = /^\s*[-*]\s+\[( |x|X)\]\s*(.*)$/;
export const stepLine = /^\s*\d+[.)]\s+\[( |x|X)\]\s*(.*)$/;
const fileLine = /^\s+[-*]\s+`([^`]+)`\s*$/;
const timestamp = /^\((\d{4}-\d{2}-\d{2}[^)]*)\)\s*(.*)$/;
const headerField = /^[-*]\s+\*\*(ID|Status|Project|Created|Updated)\*\*:\s*(.*)$/i;
const statuses: readonly PlanStatus[] = ['draft', 'active', 'completed', 'abandoned'];

export function emptyPlan(id: string, title: string): ExecPlanData {
  return {
    id,
    title,
    status: 'draft',
    project_root: null,
    created_at: null,
    updated_at: null,
    preamble: '',
    purpose: '',
    progress: [],
    surprises: [],
    decisions: [],
    outcomes: '',
    context: '',
    plan_of_work: '',
    steps: [],
    steps_notes: '',
    validation: '',
    idempotence: '',
    artifacts: '',
    interfaces: '',
    other_sections: [],
  };
}

export function parsePlan(markdown: string, options: ParseOptions = {}): ExecPlanData {
  const split = splitPlan(markdown);
  const title = (split.title?.text ?? '').replace(/^ExecPlan:\s*/i, '').trim() || 'Untitled Plan';
  const plan = emptyPlan(options.fallbackId ?? slug(title), title);
  readHead(split.head, plan);
  const seen = new Set<string>();
  for (const section of split.sections) {
    const key = sectionKeyOf(section.heading);
    // A section named twice keeps its second copy verbatim (lintPlan reports it).
    if (key === undefined || seen.has(key)) {
      plan.other_sections.push({ heading: section.heading, body: joinProse(section.body) });
      continue;
    }
    seen.add(key);
    readSection(key, section, plan);
  }
  return plan;
}

function readHead(head: readonly SourceLine[], plan: ExecPlanData): void {
  let i = 0;
  for (; i < head.length; i++) {
    const text = head[i]?.text ?? '';
    if (text.trim() === '') continue;
    const field = headerField.exec(text.trim());
    if (!field) break;
    const value = (field[2] ?? '').trim();
    switch ((field[1] ?? '').toLowerCase()) {
      case 'id':
        if (value !== '') plan.id = value;
        break;
      case 'status':
        plan.status = parseStatus(value) ?? plan.status;
        break;
      case 'project':
        plan.project_root = value === '' ? null : value;
        break;
      case 'created':
        plan.created_at = value === '' ? null : value;
        break;
      default:
        plan.updated_at = value === '' ? null : value;
    }
  }
  plan.preamble = joinProse(head.slice(i));
}

export function parseStatus(value: string): PlanStatus | undefined {
  const lower = value.trim().toLowerCase();
  return statuses.find((s) => s === lower);
}

function readSection(
  key: ReturnType<typeof sectionKeyOf> & string,
  section: RawSection,
  plan: ExecPlanData,
): void {
  const body = section.body;
  switch (key) {
    case 'progress':
      plan.progress = readProgress(body);
      return;
    case 'surprises':
      plan.surprises = readSurprises(body);
      return;
    case 'decisions':
      plan.decisions = readDecisions(body);
      return;
    case 'steps': {
      const { steps, notes } = readSteps(body);
      plan.steps = steps;
      plan.steps_notes = notes;
      return;
    }
    default:
      plan[key] = joinProse(body);
  }
}

function readProgress(body: readonly SourceLine[]): PlanMilestone[] {
  const items: PlanMilestone[] = [];
  for (const { text } of body) {
    const box = checkbox.exec(text);
    if (box) {
      const rest = (box[2] ?? '').trim();
      const stamped = timestamp.exec(rest);
      items.push({
        done: box[1] !== ' ',
        at: stamped ? (stamped[1] ?? '').trim() : null,
        description: stamped ? (stamped[2] ?? '').trim() : rest,
      });
      continue;
    }
    // An indented line continues the item above it.
    const last = items.at(-1);
    if (last && /^\s+\S/.test(text)) last.description = `${last.description} ${text.trim()}`.trim();
  }
  return items;
}

function readSteps(body: readonly SourceLine[]): { steps: PlanStep[]; notes: string } {
  const steps: PlanStep[] = [];
  const notes: SourceLine[] = [];
  let last: PlanStep | undefined;
  for (const line of body) {
    const step = stepLine.exec(line.text);
    if (step) {
      last = { description: (step[2] ?? '').trim(), files: [], done: step[1] !== ' ' };
      steps.push(last);
      continue;
    }
    const file = fileLine.exec(line.text);
    if (file && last) {
      last.files.push(file[1] ?? '');
      continue;
    }
    if (line.text.trim() !== '') last = undefined;
    notes.push(line);
  }
  return { steps, notes: joinProse(notes) };
}

/** `- Key: value` entries with indented `Key: value` lines (the convention's Decision Log and Surprises). */
function readEntries(
  body: readonly SourceLine[],
  first: string,
  keys: readonly string[],
): Array<Map<string, string>> {
  const entries: Array<Map<string, string>> = [];
  let field = '';
  for (const { text } of body) {
    const opening = new RegExp(`^[-*]\\s+${first}:\\s*(.*)$`, 'i').exec(text.trim());
    if (opening && /^[-*]/.test(text)) {
      entries.push(new Map([[first.toLowerCase(), (opening[1] ?? '').trim()]]));
      field = first.toLowerCase();
      continue;
    }
    const entry = entries.at(-1);
    if (!entry || text.trim() === '') continue;
    const keyed = /^\s+([A-Za-z/]+):\s*(.*)$/.exec(text);
    if (keyed && keys.includes((keyed[1] ?? '').toLowerCase())) {
      field = (keyed[1] ?? '').toLowerCase();
      entry.set(field, (keyed[2] ?? '').trim());
    } else {
      entry.set(field, `${entry.get(field) ?? ''} ${text.trim()}`.trim());
    }
  }
  return entries;
}

function readDecisions(body: readonly SourceLine[]): PlanDecision[] {
  if (body.some((l) => /^###\s/.test(l.text))) return readOriginalDecisions(body);
  return readEntries(body, 'Decision', ['rationale', 'date/author', 'date', 'author']).map((e) => {
    const dateAuthor = e.get('date/author') ?? e.get('date') ?? '';
    const cut = dateAuthor.startsWith('/') ? 0 : dateAuthor.indexOf(' / ');
    return {
      decision: e.get('decision') ?? '',
      rationale: e.get('rationale') ?? '',
      date: cut < 0 ? dateAuthor : dateAuthor.slice(0, cut).trim(),
      author: cut < 0 ? (e.get('author') ?? '') : dateAuthor.slice(cut).replace(/^\s*\/\s*/, ''),
    };
  });
}

/** The original format: `### <decision> (YYYY-MM-DD HH:MM)` and the rationale as the paragraph below. */
function readOriginalDecisions(body: readonly SourceLine[]): PlanDecision[] {
  const decisions: PlanDecision[] = [];
  let rationale: SourceLine[] = [];
  const close = (): void => {
    const last = decisions.at(-1);
    if (last) last.rationale = joinProse(rationale).replace(/\s*\n\s*/g, ' ');
    rationale = [];
  };
  for (const line of body) {
    const heading = /^###\s+(.*?)\s*(?:\(([^)]*)\))?\s*$/.exec(line.text);
    if (heading) {
      close();
      decisions.push({
        decision: (heading[1] ?? '').trim(),
        rationale: '',
        date: heading[2] ?? '',
        author: '',
      });
    } else {
      rationale.push(line);
    }
  }
  close();
  return decisions;
}

function readSurprises(body: readonly SourceLine[]): PlanSurprise[] {
  const original = body.flatMap((l) => {
    const match = /^[-*]\s+\*\*(.+?)\*\*:\s*(.*)$/.exec(l.text.trim());
    return match ? [{ observation: match[1] ?? '', evidence: (match[2] ?? '').trim(), date: '' }] : [];
  });
  if (original.length > 0) return original;
  return readEntries(body, 'Observation', ['evidence', 'date']).map((e) => ({
    observation: e.get('observation') ?? '',
    evidence: e.get('evidence') ?? '',
    date: e.get('date') ?? '',
  }));
}

/** An id for a plan file that names none: its title, in lowercase words joined by hyphens. */
export function slug(title: string): string {
  const words = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return words.slice(0, 60).replace(/-+$/, '') || 'plan';
}
