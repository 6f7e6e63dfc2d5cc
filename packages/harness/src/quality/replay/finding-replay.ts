import type { Finding, ReplayReport } from '@harness/protocol';
import { isRecord } from '../../core/index.js';
import type { ProjectHistory } from './history.js';

/**
 * Past findings (the `rule.finding` events every stored scan writes: `tool` the rule id, `data`
 * {file, line, severity, scan_id}) that a draft accounts for: those of a rule the draft defines,
 * and those at a file:line a draft guard reports today.
 */
export const FINDING_KIND = 'rule.finding';

type Explained = Pick<ReplayReport['history'], 'findings_explained' | 'finding_examples'>;
const EXAMPLES = 10;

export async function explainFindings(
  history: ProjectHistory,
  ruleIds: ReadonlySet<string>,
  guardFindings: readonly Finding[],
  options: { active: boolean },
): Promise<Explained> {
  const out: Explained = { findings_explained: 0, finding_examples: [] };
  if (!options.active) return out;
  const places = new Set(guardFindings.map((f) => placeKey(f.file, f.line)));
  for await (const page of history.events([FINDING_KIND])) {
    for (const event of page) {
      const data = isRecord(event.data) ? event.data : {};
      const ruleId = event.tool ?? (typeof data['rule_id'] === 'string' ? data['rule_id'] : null);
      const file = typeof data['file'] === 'string' ? data['file'] : null;
      const line = typeof data['line'] === 'number' ? data['line'] : null;
      const byRule = ruleId !== null && ruleIds.has(ruleId);
      const byPlace = file !== null && places.has(placeKey(file, line));
      if (!byRule && !byPlace) continue;
      out.findings_explained++;
      if (out.finding_examples.length < EXAMPLES)
        out.finding_examples.push({ event_id: event.id, rule_id: ruleId ?? '', file: file ?? '', line });
    }
  }
  return out;
}

function placeKey(file: string, line: number | null): string {
  return `${file.replace(/^\.\//, '')}:${line ?? ''}`;
}
