import type { ReviewIssue } from '@harness/protocol';
import { wrapExternalData } from '../core/index.js';

/**
 * What the reviewers are told. The change under review and the other side's words travel as data,
 * never as instructions; the answer format is JSON the engine parses (answer.ts).
 */

/** What is reviewed: a description (the task, or the target) and the diff. */
export interface ReviewSubject {
  /** What the change is for: the task's brief, or the cross-review target. */
  readonly context: string;
  readonly diff: string;
  readonly truncated: boolean;
}

const issueFormat =
  '{"file": "<path>", "line": <number or null>, "severity": "critical" | "high" | "medium" | "low", ' +
  '"confidence": <0 to 1: how sure you are>, "message": "<what is wrong and what to change>"}';

export const primaryFormat = `Answer with your verdict as one JSON object in a \`\`\`json fenced block, exactly:
{"verdict": "approve" | "changes_requested", "summary": "<one paragraph>",
 "issues": [${issueFormat}]}
Approve when the change is correct and complete; otherwise request changes with concrete issues.`;

const stanceFormat = `{"id": "<issue id>", "stance": "agree" | "dispute", "reason": "<why>"}`;

function subject(s: ReviewSubject): string[] {
  return [
    'What the change is for:',
    wrapExternalData(s.context || '(no description)'),
    `The change (git diff against the base${s.truncated ? ', truncated' : ''}):`,
    wrapExternalData(s.diff || '(empty diff)'),
  ];
}

export function primaryPrompt(s: ReviewSubject): string {
  return [
    'You are reviewing a change another agent made. Do not modify any file; read what you need.',
    ...subject(s),
    primaryFormat,
  ].join('\n');
}

function listIssues(issues: readonly ReviewIssue[]): string {
  return issues
    .map((i) => {
      const where = `${i.file}${i.line === null ? '' : `:${i.line}`}`;
      const disputes = i.disputed_by.map((d) => `\n    disputed by ${d.agent}: ${d.reason}`).join('');
      return `- ${i.id} (raised by ${i.raised_by}) ${where} [${i.severity}, confidence ${i.confidence}] ${i.message}${disputes}`;
    })
    .join('\n');
}

/**
 * A later round: the reviewer answers every issue listed (the other side's it has not judged, and
 * every contested one) and may raise new ones. Disputing one's own issue withdraws it.
 */
export function challengePrompt(
  s: ReviewSubject,
  role: 'primary' | 'challenger',
  pending: readonly ReviewIssue[],
): string {
  const opening =
    role === 'challenger'
      ? 'You are the second, independent reviewer of a change another agent made; a first reviewer already reviewed it. ' +
        'Check its issues against the code: agree with those that are real, dispute false positives, and add what it missed.'
      : 'You reviewed this change; a second reviewer of another provider answered your review. ' +
        'Answer its points: agree with issues that are real, dispute those that are not, and withdraw your own issues it showed wrong by disputing them.';
  return [
    `${opening} Do not modify any file; read what you need.`,
    ...subject(s),
    'The issues to answer (every one of them, by id):',
    wrapExternalData(pending.length > 0 ? listIssues(pending) : '(none)'),
    `Answer as one JSON object in a \`\`\`json fenced block, exactly:
{"verdict": "approve" | "changes_requested", "summary": "<one paragraph>",
 "assessments": [${stanceFormat}],
 "issues": [<new issues only: ${issueFormat}>]}`,
  ].join('\n');
}
