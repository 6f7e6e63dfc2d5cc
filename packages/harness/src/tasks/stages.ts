import type { CrossReviewOutcome, ReviewFinding, ReviewIssue, ReviewRound, Task } from '@harness/protocol';
import type { ResolvedProjectSettings } from '../core/index.js';
import type { RepoRef } from '../github/index.js';
import type { AgentConversation } from './agent-step.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { crossReview, type Reviewer } from '../review/index.js';
import { implementPrompt } from './prompts.js';
import type { TaskProgress } from './task-progress.js';
import { pullRequestBody, pullRequestMissing, type TaskSource } from './task-sources.js';
import {
  type DetectedValidation,
  effectiveValidationCommands,
  formatValidationFeedback,
  runValidation,
} from './validation.js';
import type { TaskWorktree } from './worktrees.js';

/**
 * The pipeline's stages. Each takes what it needs and returns what it produced, as a union per
 * stage; none writes the task, a checkpoint or an event — the run (task-run.ts) decides from the
 * result what is stored, announced, and which state comes next.
 */

/** The ports the stages use: no store, no event log — they neither persist nor announce. */
export type StageDeps = Pick<
  PipelineDeps,
  'git' | 'runner' | 'agents' | 'author' | 'github' | 'clock' | 'onPrompt' | 'processGroups'
>;

/** What every stage of one run reads; fixed once the worktree exists. */
export interface StageContext {
  readonly deps: StageDeps;
  readonly taskId: string;
  readonly settings: ResolvedProjectSettings;
  readonly source: TaskSource;
  readonly repo: RepoRef | null;
  readonly worktree: TaskWorktree;
  /** What the task's branch starts from and its pull request targets. */
  readonly baseBranch: string;
  readonly signal: AbortSignal;
}

/** An agent's turn that did not answer: the task waits for a person, or fails. */
export type TurnStopped =
  /** `command` waits for a person's approval; `reason` is the policy's (it names the rule). */
  | { kind: 'needs_input'; message: string; command: string; reason: string | null; costUsd: number }
  | { kind: 'turn_failed'; code: string; message: string; costUsd: number };

export function isTurnStopped(result: { kind: string }): result is TurnStopped {
  return result.kind === 'needs_input' || result.kind === 'turn_failed';
}

type TurnResult = { kind: 'answered'; text: string; costUsd: number } | TurnStopped;

async function askAgent(ctx: StageContext, agent: AgentConversation, input: string): Promise<TurnResult> {
  const result = await agent.ask(input, ctx.signal);
  const costUsd = result.costUsd;
  if (result.ok) return { kind: 'answered', text: result.text, costUsd };
  const waiting = result.turn.items.find(
    (item) => item.type === 'command_gate' && item.decision === 'prompt',
  );
  if (waiting && ctx.deps.onPrompt === 'needs_input') {
    const command = String(waiting.command);
    const reason = typeof waiting.reason === 'string' ? waiting.reason : null;
    const message =
      `the agent wants to run \`${command}\`, which the policy says needs approval` +
      `${reason === null ? '' : ` (${reason})`}; answer with task/respond (allow_once, allow_always or deny) or cancel the task`;
    return { kind: 'needs_input', message, command, reason, costUsd };
  }
  const error = result.turn.error;
  return {
    kind: 'turn_failed',
    code: `agent_${error?.code ?? 'failed'}`,
    message: `the agent's turn ${result.turn.status}: ${error?.message ?? 'no answer'}`,
    costUsd,
  };
}

/**
 * Commits whatever changed in the worktree (nothing when nothing did); returns HEAD. After an
 * agent's turn something usually changed, so staging and committing come without asking first;
 * after validation commands usually nothing did, so a status answers it alone.
 */
async function commitWork(
  ctx: StageContext,
  message: string,
  likely: 'changed' | 'unchanged',
): Promise<string> {
  const { git, author } = ctx.deps;
  const cwd = ctx.worktree.path;
  if (likely === 'unchanged' && !(await git.hasChanges(cwd))) return git.currentCommit(cwd);
  await git.addAll(cwd);
  return (await git.commit(cwd, message, author)).commit;
}

export type ImplementResult =
  { kind: 'implemented'; sha: string; summary: string; costUsd: number } | TurnStopped;

/** The implementing turn, committed. */
export async function implement(
  ctx: StageContext,
  implementor: AgentConversation,
  task: Task,
): Promise<ImplementResult> {
  const answer = await askAgent(
    ctx,
    implementor,
    implementPrompt(task, ctx.source.brief, ctx.worktree.branch),
  );
  if (answer.kind !== 'answered') return answer;
  const sha = await commitWork(ctx, `${ctx.source.brief.title}\n\nHarness task ${ctx.taskId}`, 'changed');
  return { kind: 'implemented', sha, summary: answer.text, costUsd: answer.costUsd };
}

export interface ValidatedCommand {
  command: string;
  passed: boolean;
  exit_code: number | null;
  timed_out: boolean;
}

export type ValidationResult = (
  | { kind: 'passed'; sha: string; commands: ValidatedCommand[] }
  | { kind: 'failed'; report: string; commands: ValidatedCommand[] }
  /** The run was aborted while the commands ran. */
  | { kind: 'cancelled'; commands: ValidatedCommand[] }
) & {
  /** The commands Harness detected, and where from, when the project configures none. */
  detected: DetectedValidation | null;
};

/**
 * One validation of HEAD. What validation itself wrote (a formatter, a lockfile) was validated
 * too: when it passes, that goes in — as does anything else left uncommitted, unless `committed`
 * says HEAD was committed just now with nothing left over.
 */
export async function validate(ctx: StageContext, committed: string | null): Promise<ValidationResult> {
  const { deps, settings } = ctx;
  const commands = effectiveValidationCommands(settings.validation, ctx.worktree.path);
  const { detected } = commands;
  const run = await runValidation({
    commands,
    cwd: ctx.worktree.path,
    timeoutMs: settings.validation.timeout_secs * 1000,
    runner: deps.runner,
    signal: ctx.signal,
    // The worktree's scripts are the agent's work: they get no more of Harness's environment than it.
    env: deps.agents.commandEnvironment(),
    ...(deps.processGroups
      ? { journal: deps.processGroups.journal({ task_id: ctx.taskId, turn_id: null }) }
      : {}),
  });
  const ran = run.results.map((r) => ({
    command: r.command,
    passed: r.passed,
    exit_code: r.exit_code,
    timed_out: r.timed_out,
  }));
  if (run.cancelled) return { kind: 'cancelled', commands: ran, detected };
  if (!run.passed) return { kind: 'failed', report: formatValidationFeedback(run), commands: ran, detected };
  // No command ran, so nothing can have written to the worktree since HEAD was committed.
  const sha =
    run.results.length === 0 && committed !== null
      ? committed
      : await commitWork(ctx, `Changes made by validation\n\nHarness task ${ctx.taskId}`, 'unchanged');
  return { kind: 'passed', sha, commands: ran, detected };
}

export type FixResult = { kind: 'fixed'; sha: string; costUsd: number } | TurnStopped;

/** The implementor answers what validation or a review found; the answer is committed. */
export async function fix(
  ctx: StageContext,
  implementor: AgentConversation,
  prompt: string,
  commitMessage: string,
): Promise<FixResult> {
  const answer = await askAgent(ctx, implementor, prompt);
  if (answer.kind !== 'answered') return answer;
  const sha = await commitWork(ctx, `${commitMessage}\n\nHarness task ${ctx.taskId}`, 'changed');
  return { kind: 'fixed', sha, costUsd: answer.costUsd };
}

export type KeepResult = { kind: 'kept'; sha: string } | { kind: 'no_changes' };

/** `deliver = "none"`: the commit (`head`, validated) stays on the task's local branch; nothing leaves the machine. */
export function keep(ctx: StageContext, head: string): KeepResult {
  return head === ctx.worktree.baseCommit ? { kind: 'no_changes' } : { kind: 'kept', sha: head };
}

export type PushResult =
  { kind: 'pushed'; sha: string } | { kind: 'already_pushed'; sha: string } | { kind: 'no_changes' };

/**
 * Pushes HEAD (`head`, validated), unless the remote already has it; there is nothing to push
 * when HEAD is the base.
 */
export async function push(ctx: StageContext, progress: TaskProgress, head: string): Promise<PushResult> {
  const { git } = ctx.deps;
  if (head === ctx.worktree.baseCommit) return { kind: 'no_changes' };
  if (progress.pushedAt(head)) return { kind: 'already_pushed', sha: head };
  const branch = ctx.source.prBranch ?? ctx.worktree.branch;
  // Pull-request branches are shared with people: never force them. Our own task branches may be
  // rewritten on resume, over what this task itself last pushed there and nothing else.
  await git.push(ctx.worktree.path, ctx.settings.git.remote, branch, {
    commit: head,
    ...(ctx.source.prBranch === null ? { lease: { expected: progress.lastPushed() } } : {}),
  });
  return { kind: 'pushed', sha: head };
}

export type PullRequestResult =
  /** `created` is false when GitHub already had an open one for the branch. */
  | { kind: 'opened'; url: string; number: number; created: boolean }
  /** The task works on an existing pull request. */
  | { kind: 'adopted'; url: string; number: number | null }
  | { kind: 'unavailable'; message: string };

export async function openPullRequest(
  ctx: StageContext,
  task: Task,
  summary: string,
): Promise<PullRequestResult> {
  if (ctx.source.prUrl !== null) return { kind: 'adopted', url: ctx.source.prUrl, number: task.pr };
  const { github } = ctx.deps;
  const missing = pullRequestMissing(github, ctx.repo, ctx.settings.git.remote);
  if (!github || !ctx.repo || missing !== null)
    return {
      kind: 'unavailable',
      message: `cannot open a pull request: ${missing ?? 'no GitHub repository'}`,
    };
  const { pull_request, created } = await github.createPullRequest(ctx.repo, {
    head: ctx.worktree.branch,
    base: ctx.baseBranch,
    title: ctx.source.brief.title || `Harness task ${ctx.taskId}`,
    body: pullRequestBody(task, summary),
  });
  return { kind: 'opened', url: pull_request.html_url, number: pull_request.number, created };
}

type Reviewed<K extends string> = { kind: K; round: ReviewRound; sha: string; costUsd: number };
export type ReviewResult =
  | Reviewed<'approve'>
  | (Reviewed<'changes_requested' | 'not_converged'> & { findings: ReviewFinding[] })
  /** A reviewer answered without a verdict in the required format: never taken as approval. */
  | Reviewed<'protocol_error'>
  | TurnStopped;

/** Who reviews one round: the reviewer, and the challenger of another provider when one is configured. */
export interface ReviewPanel {
  reviewer: AgentConversation;
  reviewerName: string;
  challenger: { conversation: AgentConversation; name: string } | null;
}

/**
 * One independent review round of the branch's whole diff, by the cross-review engine: the
 * reviewer alone, or argued with the challenger over up to `challenge_rounds` turns.
 */
export async function review(ctx: StageContext, panel: ReviewPanel, round: number): Promise<ReviewResult> {
  const { git, clock } = ctx.deps;
  const sha = await git.currentCommit(ctx.worktree.path);
  const diff = await git.diff(ctx.worktree.path, ctx.worktree.baseCommit, 'HEAD');
  const { brief } = ctx.source;
  const asReviewer = (conversation: AgentConversation, name: string): Reviewer<TurnStopped> => ({
    name,
    async ask(prompt) {
      const answer = await askAgent(ctx, conversation, prompt);
      return answer.kind === 'answered'
        ? { ok: true, text: answer.text, costUsd: answer.costUsd }
        : { ok: false, stop: answer, costUsd: answer.costUsd };
    },
  });
  const run = await crossReview({
    primary: asReviewer(panel.reviewer, panel.reviewerName),
    challenger: panel.challenger && asReviewer(panel.challenger.conversation, panel.challenger.name),
    subject: {
      context: `${brief.source}:\n${brief.title}\n\n${brief.body}`.trim(),
      diff: diff.text,
      truncated: diff.truncated,
    },
    maxRounds: ctx.settings.review.challenge_rounds,
    minConfidence: ctx.settings.review.min_confidence,
  });
  if (run.kind === 'stopped') return { ...run.stop, costUsd: run.costUsd };
  const record = reviewRound(run.outcome, round, clock.now().toISOString());
  const reviewed = { round: record, sha, costUsd: run.outcome.cost_usd };
  if (record.verdict === 'changes_requested' || record.verdict === 'not_converged')
    return { kind: record.verdict, findings: record.findings, ...reviewed };
  return { kind: record.verdict, ...reviewed };
}

const verdictOf = {
  approved: 'approve',
  changes_requested: 'changes_requested',
  not_converged: 'not_converged',
  protocol_error: 'protocol_error',
} as const;

/** The task's record of a round: what the implementor must address is every issue still held. */
function reviewRound(outcome: CrossReviewOutcome, round: number, at: string): ReviewRound {
  const finding = (i: ReviewIssue): ReviewFinding => ({
    file: i.file,
    line: i.line,
    severity: i.severity,
    message: i.message,
  });
  const held = [...outcome.consensus_issues, ...outcome.contested_issues, ...outcome.open_issues];
  const unreadable = outcome.turns.find((t) => t.verdict === 'protocol_error');
  const summary =
    unreadable?.raw?.slice(0, 2000) ??
    outcome.turns
      .map((t) => (outcome.challenger === null ? t.summary : `${t.agent} (round ${t.round}): ${t.summary}`))
      .join('\n\n');
  return {
    round,
    reviewer: outcome.primary,
    verdict: verdictOf[outcome.status],
    summary,
    findings: held.map(finding),
    at,
    ...(outcome.challenger === null
      ? {}
      : { challenger: outcome.challenger, contested: outcome.contested_issues.map(finding) }),
  };
}

export type PostReviewResult =
  { kind: 'posted' } | { kind: 'no_pull_request' } | { kind: 'failed'; error: unknown };

/** A review round goes on the pull request as a review. */
export async function postReview(
  ctx: StageContext,
  pullRequest: number | null,
  round: ReviewRound,
): Promise<PostReviewResult> {
  const { github } = ctx.deps;
  if (!github || !ctx.repo || pullRequest === null) return { kind: 'no_pull_request' };
  const heading =
    round.verdict === 'approve'
      ? '✅ Approved'
      : round.verdict === 'changes_requested'
        ? '✋ Changes requested'
        : round.verdict === 'not_converged'
          ? '⚖️ Reviewers did not agree'
          : '⚠️ No verdict';
  try {
    await github.createReview(ctx.repo, pullRequest, {
      // Harness opened the PR itself, and GitHub forbids approving one's own PR: the verdict goes in the body.
      event: 'COMMENT',
      body: `**Independent review by ${round.reviewer}, round ${round.round}: ${heading}**\n\n${round.summary}`,
      comments: round.findings
        .filter((f) => f.line !== null)
        .map((f) => ({ path: f.file, line: f.line as number, body: `[${f.severity}] ${f.message}` })),
    });
    return { kind: 'posted' };
  } catch (error) {
    return { kind: 'failed', error };
  }
}
