import type { RemediationKind, Signal, SignalType } from '@harness/protocol';

/**
 * The drafting agent's prompt for one signal: what recurred (summary, details, the evidence), what
 * kind of remediation fits it, and the one answer format the parser reads — fenced blocks with a
 * path after the language, or unified diffs. The agent may only read the project.
 */

const focus: Record<SignalType, string> = {
  repeated_warn: 'The same warning keeps coming back. Propose a guard or rule that catches its cause early.',
  chronic_block:
    'Agents keep running into the same block. Propose what makes the blocked action unnecessary or catches it before it runs.',
  hot_files: 'These files are edited over and over. Propose a guard, rule or skill that stabilises them.',
  slow_operations:
    'These operations are repeatedly slow. Propose a validation command or rule that keeps them fast.',
  warn_escalation: 'Warnings are increasing. Propose a rule or guard that turns the trend around.',
  linter_violations:
    'The same linter findings recur. Propose a guard or rule (with a fix_pattern when one is safe).',
  task_failures: 'Tasks keep failing with the same code. Propose what prevents that failure.',
  policy_denials:
    'The execution policy keeps denying the same command. Propose a policy rule or skill that guides agents away from it.',
  validation_failures:
    'The same validation command keeps failing. Propose a guard, rule or skill that catches the problem before validation.',
  review_findings:
    'Reviewers keep finding the same problem. Propose a rule and guard that find it automatically.',
  ci_failures: 'CI check runs keep failing. Propose a validation command or guard that catches it locally.',
  changes_requested:
    'Pull requests keep getting changes requested for the same reason. Propose a rule or skill for it.',
};

const where: Record<RemediationKind, string> = {
  guard:
    '.harness/guards/<name>.sh — an executable script that prints one finding per line as `FILE:LINE:RULE_ID:MESSAGE`',
  rule: '.harness/rules/<name>.md — frontmatter `paths` (and an optional sed-style `fix_pattern`), then `## RULE-ID: Title (severity)` sections with severity critical, high, medium or low',
  policy_rule: '.harness/policy/<name>.star — Starlark prefix_rule(...) calls with match/not_match examples',
  skill:
    '.harness/skills/<name>/SKILL.md — what an agent should do instead, with a frontmatter name and description',
  validation_command:
    '.harness/config.toml — a unified diff adding the command to [validation] pre_commit or pre_push',
};

/** Evidence as the prompt shows it: bounded, so a huge signal cannot blow up the prompt. */
function evidenceText(signal: Signal): string {
  const e = signal.evidence;
  const list = (items: string[], limit: number): string =>
    items.length === 0
      ? 'none'
      : items.slice(0, limit).join(', ') + (items.length > limit ? ` (+${items.length - limit} more)` : '');
  return [
    `- events: ${e.event_count} (ids: ${list(e.event_ids, 20)})`,
    `- files: ${list(e.files, 30)}`,
    `- tasks: ${list(e.task_ids, 20)}`,
    `- first seen: ${e.first_seen ?? 'unknown'}, last seen: ${e.last_seen ?? 'unknown'}`,
  ].join('\n');
}

export function draftPrompt(signal: Signal): string {
  const details = JSON.stringify(signal.details, null, 2);
  return [
    'You are drafting a remediation for a recurring problem in this repository. You may only read',
    'files (Read, Grep, Glob); do not try to edit anything or run commands. A person reviews your',
    'draft, and it is tried against the project history before anyone adopts it.',
    '',
    `Signal: ${signal.type} (${signal.key}), strength ${signal.strength} against a threshold of ${signal.threshold}.`,
    `Summary: ${signal.summary}`,
    `What to do: ${focus[signal.type]}`,
    '',
    'Details:',
    details.length > 4000 ? `${details.slice(0, 4000)} …` : details,
    '',
    'Evidence:',
    evidenceText(signal),
    '',
    `Preferred remediation: ${signal.remediation}, written as ${where[signal.remediation]}.`,
    'Other kinds are welcome when they fit better:',
    ...Object.entries(where).map(([kind, text]) => `- ${kind}: ${text}`),
    '',
    'Answer with a short rationale, then each file as a fenced block whose info string is the',
    'language and the path relative to the repository root, for example:',
    '',
    '```bash .harness/guards/no-debug-prints.sh',
    '#!/bin/sh',
    '...',
    '```',
    '',
    'To change an existing file, give a unified diff (--- a/path, +++ b/path) instead. Paths must',
    'stay inside the repository and outside .git.',
  ].join('\n');
}
