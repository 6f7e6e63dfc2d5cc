import { z } from 'zod';
import { reviewFindingSchema } from '@harness/protocol';

const verdictSchema = z.object({
  verdict: z.enum(['approve', 'changes_requested']),
  summary: z.string().default(''),
  findings: z
    .array(
      reviewFindingSchema.extend({
        line: z
          .number()
          .int()
          .positive()
          .nullable()
          .optional()
          .transform((l) => l ?? null),
      }),
    )
    .default([]),
});
export type ReviewVerdict = z.infer<typeof verdictSchema>;

/**
 * The reviewer's verdict from its final message: the last ```json block, else the last
 * top-level {...} in the text. Null when there is none or it does not fit the format — the
 * pipeline treats that as a protocol failure, never as an approval.
 */
export function parseVerdict(text: string): ReviewVerdict | null {
  const fenced = [...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const candidates = [...fenced.reverse(), ...bareObjects(text)];
  for (const candidate of candidates) {
    try {
      const parsed = verdictSchema.safeParse(JSON.parse(candidate));
      if (parsed.success) {
        // "approve" with blocking findings is not an approval.
        const blocking = parsed.data.findings.some((f) => f.severity === 'critical' || f.severity === 'high');
        return parsed.data.verdict === 'approve' && blocking
          ? { ...parsed.data, verdict: 'changes_requested' }
          : parsed.data;
      }
    } catch {
      // not JSON; try the next candidate
    }
  }
  return null;
}

function bareObjects(text: string): string[] {
  const found: string[] = [];
  for (let end = text.lastIndexOf('}'); end >= 0; end = text.lastIndexOf('}', end - 1)) {
    let depth = 0;
    for (let i = end; i >= 0; i--) {
      if (text[i] === '}') depth++;
      else if (text[i] === '{' && --depth === 0) {
        found.push(text.slice(i, end + 1));
        break;
      }
    }
    if (found.length >= 3) break;
  }
  return found;
}
