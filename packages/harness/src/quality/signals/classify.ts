import type { Event, SignalType } from '@harness/protocol';
import { isRecord } from '../../core/index.js';

/**
 * What one stored event contributes to a project's signals: zero or more (type, key) groups, each
 * with the file it concerns, if any. Pure, so a detection pass over the same events always builds
 * the same aggregates however the stream was split.
 */
export interface Contribution {
  type: SignalType;
  key: string;
  file?: string;
}

/** The inputs a contribution depends on besides the event (a change means recounting). */
export interface ClassifySettings {
  slowOpMs: number;
}

const warnDecisions = new Set(['warn', 'prompt']);
const blockDecisions = new Set(['block', 'forbidden']);

/**
 * Kinds a specific detector reads; the generic warn/block detectors leave them out so that one
 * trouble is not reported twice (a failed validation is a validation_failures signal, not also a
 * chronic_block of `task.validation`). The scan summary (`rule.scan`) is bookkeeping, not trouble.
 */
const specificKinds = new Set([
  'rule.scan',
  'rule.finding',
  'task.finished',
  'task.validation',
  'task.review',
  'agent.command_gate',
  'github.check_failed',
  'github.changes_requested',
]);

const editTool = /^(edit|write|multiedit|str_replace|apply_patch)/i;

export function classify(event: Event, settings: ClassifySettings): Contribution[] {
  const out: Contribution[] = [];
  const data = isRecord(event.data) ? event.data : {};
  if (!specificKinds.has(event.kind) && event.decision !== null) {
    if (warnDecisions.has(event.decision))
      out.push({ type: 'repeated_warn', key: event.reason ?? event.kind });
    if (blockDecisions.has(event.decision))
      out.push({ type: 'chronic_block', key: event.tool ? `${event.kind}:${event.tool}` : event.kind });
  }
  if (event.duration_ms !== null && event.duration_ms > settings.slowOpMs)
    out.push({ type: 'slow_operations', key: slowOperationKey(event, data) });
  const edited = editedFile(event, data);
  if (edited !== null) out.push({ type: 'hot_files', key: edited, file: edited });
  const specific = specificContribution(event, data);
  if (specific !== null) out.push(...specific);
  return out;
}

/**
 * What was slow: for an agent's command its program and subcommand (`npm test`, `cargo build`), so
 * one slow test suite is one signal and not lost among every other command; else the tool or kind.
 */
function slowOperationKey(event: Event, data: Record<string, unknown>): string {
  if (event.kind === 'agent.command' && typeof data.command === 'string') {
    const words = data.command.trim().split(/\s+/);
    const program = words[0] ?? '';
    const sub = words[1];
    return `command: ${sub !== undefined && /^[a-z][\w:-]*$/i.test(sub) ? `${program} ${sub}` : program}`;
  }
  return event.tool ?? event.kind;
}

/** A file an agent (or a client's hook, through event/log) edited, as the project sees it. */
function editedFile(event: Event, data: Record<string, unknown>): string | null {
  let file: unknown = null;
  if (event.kind === 'agent.file_change') file = data.path;
  else if (event.tool !== null && editTool.test(event.tool)) file = data.file_path ?? data.path ?? data.file;
  return typeof file === 'string' && file !== '' ? projectRelative(file) : null;
}

/**
 * Agents in a task's worktree report absolute paths under `<data>/worktrees/<project>/<task>/`;
 * the same file in two tasks is one hot file, so that prefix is dropped.
 */
export function projectRelative(file: string): string {
  const inWorktree = /\/worktrees\/[^/]+\/[^/]+\/(.+)$/.exec(file);
  return inWorktree ? (inWorktree[1] as string) : file.replace(/^\.\//, '');
}

function specificContribution(event: Event, data: Record<string, unknown>): Contribution[] | null {
  switch (event.kind) {
    case 'rule.finding': {
      // A scan of a few files (a task's changes) is not the project's state.
      if (data.full !== true) return null;
      const file = typeof data.file === 'string' ? data.file : undefined;
      return [{ type: 'linter_violations', key: event.tool ?? String(data.rule_id), file }];
    }
    case 'task.finished': {
      if (data.state !== 'failed') return null;
      const code = isRecord(data.error) && typeof data.error.code === 'string' ? data.error.code : 'unknown';
      return [{ type: 'task_failures', key: code }];
    }
    case 'agent.command_gate':
      return event.decision === 'forbidden' ? [{ type: 'policy_denials', key: policyRuleOf(event) }] : null;
    case 'task.validation':
      return data.passed === false ? failedCommands(data) : null;
    case 'github.check_failed':
      return [{ type: 'ci_failures', key: String(data.check_name ?? event.tool ?? 'check') }];
    case 'github.changes_requested':
      return [{ type: 'changes_requested', key: String(data.pr_number ?? event.tool ?? 'pull request') }];
    default:
      return null;
  }
}

/**
 * The policy rule behind a denial, from the gate's reason: "forbidden: `cmd` matches prefix_rule
 * `rm -rf` (policy.star:3)" names it; otherwise the explanation after the command does.
 */
export function policyRuleOf(event: Event): string {
  const reason = event.reason ?? '';
  const rule = /matches (\w+) `([^`]*)` \(([^)]*)\)/.exec(reason);
  if (rule) return `${rule[1]} \`${rule[2]}\` (${rule[3]})`;
  const explained = /^\w+: `[^`]*`: (.+)$/s.exec(reason);
  return explained ? (explained[1] as string) : reason || 'forbidden';
}

function failedCommands(data: Record<string, unknown>): Contribution[] {
  const commands = Array.isArray(data.commands) ? data.commands : [];
  const failed = commands.filter((c) => isRecord(c) && c.passed === false);
  return failed.map((c) => ({
    type: 'validation_failures' as const,
    key: String((c as Record<string, unknown>).command),
  }));
}

/** A review round's findings, as recurring trouble: grouped by what they say, numbers aside. */
export function reviewContributions(findings: readonly { file: string; message: string }[]): Contribution[] {
  return findings.map((finding) => ({
    type: 'review_findings' as const,
    key: normalizeFinding(finding.message),
    file: finding.file,
  }));
}

export function normalizeFinding(message: string): string {
  return message.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim().slice(0, 160);
}
