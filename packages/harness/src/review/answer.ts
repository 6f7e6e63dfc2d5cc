import { z } from 'zod';
import { issueSeveritySchema } from '@harness/protocol';

/**
 * What a reviewer answers, read from its final message: the last ```json block, else the last
 * top-level {...} of the text, that fits the format. The format is lenient where reviewers differ
 * harmlessly (`findings` for `issues`, a confidence left out) and strict where a mistake would
 * change the outcome: the verdict, each issue's file and severity, each stance.
 */

const lineSchema = z
  .number()
  .int()
  .positive()
  .nullable()
  .optional()
  .transform((line) => line ?? null);

/** An issue as a reviewer states it. Without a confidence, the reviewer stated it without hedging: 1. */
export const raisedIssueSchema = z.object({
  file: z.string().min(1),
  line: lineSchema,
  severity: issueSeveritySchema,
  confidence: z.number().min(0).max(1).default(1),
  message: z.string().min(1),
});
export type RaisedIssue = z.infer<typeof raisedIssueSchema>;

/** A reviewer's stance on an issue the ledger already holds, named by its id. */
export const stanceSchema = z.object({
  id: z.string().min(1),
  stance: z.enum(['agree', 'dispute']),
  reason: z.string().default(''),
});
export type Stance = z.infer<typeof stanceSchema>;

const answerSchema = z
  .object({
    verdict: z.enum(['approve', 'changes_requested']),
    summary: z.string().default(''),
    issues: z.array(raisedIssueSchema).optional(),
    findings: z.array(raisedIssueSchema).optional(),
    assessments: z.array(stanceSchema).default([]),
  })
  .transform(({ issues, findings, ...rest }) => ({
    ...rest,
    issues: [...(issues ?? []), ...(findings ?? [])],
  }));
export type ReviewerAnswer = z.infer<typeof answerSchema>;

export type ParsedAnswer = { ok: true; answer: ReviewerAnswer } | { ok: false; problem: string };

/** The answer, or why none could be read (never taken as an approval by the caller). */
export function parseReviewerAnswer(text: string): ParsedAnswer {
  const candidates = extractJsonCandidates(text);
  // What was wrong with the likeliest candidate (the last block), not with a fragment of it.
  let problem: string | null = null;
  for (const candidate of candidates) {
    let json: unknown;
    try {
      json = JSON.parse(candidate);
    } catch {
      problem ??= 'the answer holds no valid JSON object';
      continue;
    }
    const parsed = answerSchema.safeParse(json);
    if (parsed.success) return { ok: true, answer: parsed.data };
    problem ??= `the answer's JSON does not fit the format: ${describeIssues(parsed.error)}`;
  }
  return { ok: false, problem: problem ?? 'the answer holds no JSON object' };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`)
    .join('; ');
}

/** Where JSON may be in an agent's answer, likeliest first: fenced blocks (last first), then bare objects. */
export function extractJsonCandidates(text: string): string[] {
  const fenced = [...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return [...fenced.reverse(), ...bareObjects(text)];
}

/** The last few balanced {...} spans, last first: a reviewer may wrap its JSON in prose. */
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
