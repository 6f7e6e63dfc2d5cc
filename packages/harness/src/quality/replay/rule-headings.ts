import type { Severity } from '@harness/protocol';
import { severities } from '@harness/protocol';

/**
 * The rules a draft's rule file defines: its `## ID: Title (severity)` headings. Only what replay
 * needs (id, title, severity, where); the full parser of the catalogue (frontmatter, paths,
 * fix_pattern) lives in guards. The severity is the heading's marker and nothing else.
 */
export interface DraftRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly line: number;
  readonly description: string;
}

export type RuleHeadings = { ok: true; rules: DraftRule[] } | { ok: false; error: string };

const HEADING = /^##\s+(.*)$/;
const RULE_HEADING = /^([A-Z][A-Za-z0-9_.-]*):\s*(.+?)\s*\(([a-z]+)\)\s*$/;

/** Reads the rule headings of `content`; the first malformed one is an error naming `file:line`. */
export function rulesInArtifact(file: string, content: string): RuleHeadings {
  const lines = content.split('\n');
  const rules: DraftRule[] = [];
  const seen = new Set<string>();
  let current: { rule: Omit<DraftRule, 'description'>; body: string[] } | undefined;
  const close = (): void => {
    if (current) rules.push({ ...current.rule, description: current.body.join('\n').trim() });
  };
  for (const [index, raw] of lines.entries()) {
    const heading = HEADING.exec(raw.replace(/\r$/, ''));
    if (!heading) {
      current?.body.push(raw);
      continue;
    }
    const line = index + 1;
    const parsed = RULE_HEADING.exec(heading[1] ?? '');
    if (!parsed)
      return { ok: false, error: `${file}:${line}: a rule heading must read "## ID: Title (severity)"` };
    const [, id = '', title = '', marker = ''] = parsed;
    if (!(severities as readonly string[]).includes(marker))
      return {
        ok: false,
        error: `${file}:${line}: unknown severity "${marker}" (use ${severities.join(', ')})`,
      };
    if (seen.has(id)) return { ok: false, error: `${file}:${line}: rule ${id} is defined twice` };
    seen.add(id);
    close();
    current = { rule: { id, title, severity: marker as Severity, line }, body: [] };
  }
  close();
  if (rules.length === 0) return { ok: false, error: `${file}:1: no "## ID: Title (severity)" rule heading` };
  return { ok: true, rules };
}
