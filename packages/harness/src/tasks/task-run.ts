import type { ReviewRound, Task, TaskState } from '@harness/protocol';
import type { AgentName, AgentRegistry } from '../agents/index.js';
import { HarnessError } from '../core/index.js';
import type { Clock, Git, GitAuthor, Logger, ProcessRunner, ResolvedProjectSettings } from '../core/index.js';
import type { GithubClient, RepoRef } from '../github/index.js';
import type { EventLog } from '../observe/index.js';
import type { Store, TaskCheckpointStage, TaskPatch } from '../store/index.js';
import type { ServerProcessGroups } from './process-groups.js';
import type { ProjectRegistry } from '../projects/index.js';
import type { ThreadService } from '../threads/index.js';
import type { TurnService } from '../threads/index.js';
import { chooseImplementor, chooseReviewer } from './agent-choice.js';
import { AgentConversation, type AgentStepResult } from './agent-step.js';
import { implementPrompt, reviewFixPrompt, reviewPrompt, validationFixPrompt } from './prompts.js';
import { parseVerdict } from './review-verdict.js';
import { RunSuperseded, TaskFailure, TaskNeedsInput } from './task-failure.js';
import { type Announcement, transition } from './transition.js';
import { TaskProgress } from './task-progress.js';
import { pullRequestBody, repoOf, type TaskSource, taskSource } from './task-sources.js';
import { effectiveValidationCommands, formatValidationFeedback, runValidation } from './validation.js';
import type { TaskWorktree, WorktreeManager } from './worktrees.js';

export interface PipelineDeps {
  store: Store;
  events: EventLog;
  clock: Clock;
  logger: Logger;
  projects: ProjectRegistry;
  threads: ThreadService;
  turns: TurnService;
  agents: AgentRegistry;
  worktrees: WorktreeManager;
  git: Git;
  runner: ProcessRunner;
  github: GithubClient | null;
  author: GitAuthor;
  onPrompt: 'refuse' | 'needs_input';
  /** Validation commands' process groups are recorded like agents', to be ended after a crash. */
  processGroups?: ServerProcessGroups;
}

/**
 * One run of one task through the pipeline: worktree → implement → validate (⇄ fix) → commit,
 * push, pull request → independent review (⇄ fix) → done. Each stage is persisted before it is
 * announced; a run resumed after a crash picks up the worktree, branch and pull request it had.
 */
export class TaskRun {
  settings!: ResolvedProjectSettings;
  worktree!: TaskWorktree;
  private source!: TaskSource;
  private repo: RepoRef | null = null;
  private implementor!: AgentConversation;
  private progress = TaskProgress.empty();

  constructor(
    private readonly deps: PipelineDeps,
    public task: Task,
    private readonly signal: AbortSignal,
    /** Every write of this run is conditional on it: once another owner holds the task, they are refused. */
    private readonly leaseOwner: string,
  ) {}

  async execute(): Promise<void> {
    this.settings = await this.deps.projects.settings(this.task.project);
    const implementorName = await chooseImplementor(this.deps.agents, this.task, this.settings);
    const reviewerName = this.settings.review.enabled
      ? await chooseReviewer(this.deps.agents, this.settings, implementorName)
      : null;
    await this.save({ agent: implementorName, reviewer: reviewerName });
    await this.assertSandboxes(reviewerName !== null);
    this.repo = await repoOf(this.deps.git, this.settings.root, this.settings.git.remote);
    this.source = await taskSource(this.task, this.deps.github, this.repo);
    await this.stage('preparing');
    this.worktree = await this.deps.worktrees.create({
      projectRoot: this.settings.root,
      taskId: this.task.id,
      remote: this.settings.git.remote,
      baseBranch: this.source.prBranch ?? this.settings.git.base_branch,
      branchPrefix: this.settings.git.branch_prefix,
    });
    await this.save({ branch: this.worktree.branch, worktree: this.worktree.path });
    this.progress = await this.resumeProgress();
    this.implementor = this.conversation(implementorName, 'implementor');
    const summary = await this.implement();
    await this.validateAndFix();
    await this.publish(summary);
    if (reviewerName !== null) await this.reviewLoop(this.conversation(reviewerName, 'reviewer'));
  }

  /**
   * What an earlier run of this task finished. Whatever it left uncommitted was cut off mid-turn
   * (or mid-validation) and cannot be trusted, so the worktree goes back to its last commit.
   */
  private async resumeProgress(): Promise<TaskProgress> {
    if (!this.worktree.resumed) return TaskProgress.empty();
    const { git } = this.deps;
    if (await git.hasChanges(this.worktree.path)) {
      await git.discardChanges(this.worktree.path);
      await this.deps.events.append({
        kind: 'task.interrupted_work_discarded',
        task_id: this.task.id,
        decision: 'warn',
        reason: 'uncommitted changes of an interrupted run were discarded',
      });
    }
    const checkpoints = await this.deps.store.checkpoints.list(this.task.id);
    return TaskProgress.load(checkpoints, git, this.worktree.path);
  }

  /** The implementing turn, committed; skipped when an earlier run committed it. Returns its summary. */
  private async implement(): Promise<string> {
    const done = this.progress.implemented();
    if (done !== undefined) {
      await this.skipped('implementing', done.sha);
      return typeof done.data.summary === 'string' ? done.data.summary : '';
    }
    await this.stage('implementing');
    const answer = await this.ask(
      this.implementor,
      implementPrompt(this.task, this.source.brief, this.worktree.branch),
    );
    const sha = await this.commitWork(`${this.source.brief.title}\n\nHarness task ${this.task.id}`);
    await this.checkpoint('implemented', { sha, data: { summary: answer.text.slice(0, 20_000) } });
    return answer.text;
  }

  private async skipped(stage: string, sha: string | null): Promise<void> {
    await this.deps.events.append({
      kind: 'task.stage_skipped',
      task_id: this.task.id,
      data: { stage, sha, reason: 'finished by an earlier run' },
    });
  }

  private async checkpoint(
    stage: TaskCheckpointStage,
    at: { sha: string | null; round?: number; data?: Record<string, unknown> },
  ): Promise<void> {
    const checkpoint = {
      task_id: this.task.id,
      stage,
      round: at.round ?? null,
      sha: at.sha,
      data: at.data ?? {},
      recorded_at: this.deps.clock.now().toISOString(),
    };
    if (!(await this.deps.store.checkpoints.add(checkpoint, { leaseOwner: this.leaseOwner })))
      throw new RunSuperseded(this.task.id, `the ${stage} checkpoint`);
    this.progress.add(checkpoint);
    await this.deps.events.append({
      kind: 'task.checkpoint',
      task_id: this.task.id,
      data: { stage, sha: at.sha, round: at.round ?? null },
    });
  }

  /** Commits whatever the agent changed (nothing when it changed nothing); returns HEAD. */
  private async commitWork(message: string): Promise<string> {
    const { git } = this.deps;
    if (await git.hasChanges(this.worktree.path)) {
      await git.addAll(this.worktree.path);
      await git.commit(this.worktree.path, message, this.deps.author);
    }
    return git.currentCommit(this.worktree.path);
  }

  /**
   * Enters a stage. The claim already put the task in `preparing`, so entering it only announces;
   * every other stage is a transition.
   */
  async stage(state: TaskState): Promise<void> {
    if (this.task.state === state && state === 'preparing') {
      await this.deps.events.append({ kind: 'task.stage', task_id: this.task.id, data: { stage: state } });
      return;
    }
    this.task = await transition(this.deps, this.task, state, { leaseOwner: this.leaseOwner });
  }

  /** The run's last state change: done, failed, cancelled or needs_input. */
  async finish(state: TaskState, patch: TaskPatch, announce: Announcement): Promise<void> {
    this.task = await transition(this.deps, this.task, state, {
      patch,
      leaseOwner: this.leaseOwner,
      announce,
    });
  }

  async save(patch: TaskPatch): Promise<void> {
    const updated = await this.deps.store.tasks.update(
      this.task.id,
      { ...patch, updated_at: this.deps.clock.now().toISOString() },
      { leaseOwner: this.leaseOwner },
    );
    if (updated === null) throw new RunSuperseded(this.task.id, 'a write');
    this.task = updated;
  }

  private conversation(agent: AgentName, role: 'implementor' | 'reviewer'): AgentConversation {
    return new AgentConversation(this.deps.threads, this.deps.turns, {
      taskId: this.task.id,
      cwd: this.worktree.path,
      agent,
      role,
      // The reviewer reads; it never gets to change what it judges.
      ...(role === 'reviewer' ? { sandbox: 'read-only' as const } : {}),
    });
  }

  private async ask(conversation: AgentConversation, input: string): Promise<AgentStepResult> {
    const result = await conversation.ask(input, this.signal);
    await this.save({ cost_usd: Math.round((this.task.cost_usd + result.costUsd) * 1e6) / 1e6 });
    if (result.ok) return result;
    const waiting = result.turn.items.find(
      (item) => item.type === 'command_gate' && item.decision === 'prompt',
    );
    if (waiting && this.deps.onPrompt === 'needs_input') {
      throw new TaskNeedsInput(
        `the agent wants to run \`${String(waiting.command)}\`, which the policy says needs approval`,
      );
    }
    const error = result.turn.error;
    throw new TaskFailure(
      `agent_${error?.code ?? 'failed'}`,
      `the agent's turn ${result.turn.status}: ${error?.message ?? 'no answer'}`,
    );
  }

  /** Validation of HEAD, with fix rounds; skipped when HEAD already passed it. */
  private async validateAndFix(): Promise<void> {
    const commands = effectiveValidationCommands(this.settings.validation, this.worktree.path);
    const head = await this.deps.git.currentCommit(this.worktree.path);
    if (this.progress.validatedAt(head)) return this.skipped('validating', head);
    for (let attempt = 1; ; attempt++) {
      await this.stage('validating');
      const run = await runValidation({
        commands,
        cwd: this.worktree.path,
        timeoutMs: this.settings.validation.timeout_secs * 1000,
        runner: this.deps.runner,
        signal: this.signal,
        // The worktree's scripts are the agent's work: they get no more of Harness's environment than it.
        env: this.deps.agents.commandEnvironment(),
        ...(this.deps.processGroups
          ? { journal: this.deps.processGroups.journal({ task_id: this.task.id, turn_id: null }) }
          : {}),
      });
      await this.save({ validation_attempts: this.task.validation_attempts + 1 });
      const summary = run.results.map((r) => ({
        command: r.command,
        passed: r.passed,
        exit_code: r.exit_code,
        timed_out: r.timed_out,
      }));
      await this.deps.events.append({
        kind: 'task.validation',
        task_id: this.task.id,
        decision: run.passed ? 'pass' : 'block',
        data: { attempt, passed: run.passed, commands: summary },
      });
      if (run.cancelled) throw this.signal.reason ?? new TaskFailure('cancelled', 'validation cancelled');
      if (run.passed) {
        // What validation itself wrote (a formatter, a lockfile) was validated too: it goes in.
        const validated = await this.commitWork(`Changes made by validation\n\nHarness task ${this.task.id}`);
        return this.checkpoint('validated', { sha: validated });
      }
      const feedback = formatValidationFeedback(run);
      if (attempt > this.settings.validation.max_retries) {
        throw new TaskFailure(
          'validation_failed',
          `validation still failed after ${attempt} attempt(s):\n${feedback.slice(0, 2000)}`,
        );
      }
      await this.stage('fixing');
      await this.ask(this.implementor, validationFixPrompt(feedback));
      await this.commitWork(`Fix what validation found (attempt ${attempt})\n\nHarness task ${this.task.id}`);
    }
  }

  /** Push (unless the remote already has HEAD) and the pull request (unless it is open). */
  private async publish(summary: string): Promise<void> {
    const head = await this.deps.git.currentCommit(this.worktree.path);
    if (head === this.worktree.baseCommit)
      throw new TaskFailure('no_changes', 'the agent made no changes, so there is nothing to propose');
    if (this.progress.pushedAt(head)) await this.skipped('push', head);
    else {
      const branch = this.source.prBranch ?? this.worktree.branch;
      // Pull-request branches are shared with people: never force them. Our own task branches may be rewritten on resume.
      await this.deps.git.push(this.worktree.path, this.settings.git.remote, branch, {
        forceWithLease: this.source.prBranch === null,
      });
      await this.checkpoint('pushed', { sha: head });
    }
    if (this.task.pr_url === null) await this.openPullRequest(summary);
  }

  private async openPullRequest(summary: string): Promise<void> {
    await this.stage('pr_open');
    if (this.source.prUrl !== null) {
      await this.save({ pr_url: this.source.prUrl, pr_number: this.task.pr });
      return;
    }
    if (!this.deps.github || !this.repo) {
      throw new TaskFailure(
        'pr_failed',
        `cannot open a pull request: remote "${this.settings.git.remote}" is not a GitHub repository or [github] is not configured`,
      );
    }
    const { pull_request, created } = await this.deps.github.createPullRequest(this.repo, {
      head: this.worktree.branch,
      base: this.settings.git.base_branch,
      title: this.source.brief.title || `Harness task ${this.task.id}`,
      body: pullRequestBody(this.task, summary),
    });
    await this.save({ pr_url: pull_request.html_url, pr_number: pull_request.number });
    await this.checkpoint('pr_opened', { sha: null, data: { number: pull_request.number } });
    await this.deps.events.append({
      kind: 'task.pr',
      task_id: this.task.id,
      data: { url: pull_request.html_url, number: pull_request.number, created },
    });
  }

  /**
   * Review rounds until approval. A resumed run continues after the last recorded round: when
   * that round asked for changes and its answer was not committed yet, the fix comes first.
   */
  private async reviewLoop(reviewer: AgentConversation): Promise<void> {
    const last = this.task.rounds.at(-1);
    if (last !== undefined) {
      if (last.verdict === 'approve') return this.skipped('reviewing', null);
      this.endOnVerdict(last);
      if (!this.progress.fixedAfterReview(last.round)) await this.fixAfterReview(last);
    }
    for (let round = this.task.rounds.length + 1; round <= this.settings.review.max_rounds; round++) {
      await this.stage('reviewing');
      const head = await this.deps.git.currentCommit(this.worktree.path);
      const diff = await this.deps.git.diff(this.worktree.path, this.worktree.baseCommit, 'HEAD');
      const answer = await this.ask(reviewer, reviewPrompt(this.source.brief, diff.text, diff.truncated));
      const verdict = parseVerdict(answer.text);
      const record: ReviewRound = {
        round,
        reviewer: this.task.reviewer ?? 'unknown',
        verdict: verdict?.verdict ?? 'protocol_error',
        summary: verdict?.summary ?? answer.text.slice(0, 2000),
        findings: verdict?.findings ?? [],
        at: this.deps.clock.now().toISOString(),
      };
      await this.save({ rounds: [...this.task.rounds, record] });
      await this.checkpoint('reviewed', { sha: head, round, data: { verdict: record.verdict } });
      await this.deps.events.append({
        kind: 'task.review',
        task_id: this.task.id,
        decision: record.verdict === 'approve' ? 'pass' : 'block',
        data: { round, verdict: record.verdict, findings: record.findings.length },
      });
      await this.postReview(record);
      if (record.verdict === 'approve') return;
      this.endOnVerdict(record);
      await this.fixAfterReview(record);
    }
  }

  /** Throws when `round` ends the task: no verdict, or changes still wanted after the last round. */
  private endOnVerdict(round: ReviewRound): void {
    if (round.verdict === 'approve') return;
    if (round.verdict === 'protocol_error')
      throw new TaskFailure(
        'review_protocol_error',
        'the reviewer answered without a verdict in the required format',
      );
    const maxRounds = this.settings.review.max_rounds;
    if (round.round >= maxRounds)
      throw new TaskFailure(
        'review_not_approved',
        `the reviewer did not approve after ${maxRounds} round(s)`,
      );
  }

  /** The implementor answers the findings; the answer is committed, validated and pushed. */
  private async fixAfterReview(round: ReviewRound): Promise<void> {
    await this.stage('fixing');
    await this.ask(this.implementor, reviewFixPrompt(round.round, round.summary, round.findings));
    const sha = await this.commitWork(`Address review round ${round.round}\n\nHarness task ${this.task.id}`);
    await this.checkpoint('fixed', { sha, round: round.round });
    await this.validateAndFix();
    await this.publish('');
  }

  /** The outcome goes on the pull request as a review; a GitHub hiccup is recorded, not fatal. */
  private async postReview(round: ReviewRound): Promise<void> {
    if (!this.deps.github || !this.repo || this.task.pr_number === null) return;
    const heading =
      round.verdict === 'approve'
        ? '✅ Approved'
        : round.verdict === 'changes_requested'
          ? '✋ Changes requested'
          : '⚠️ No verdict';
    try {
      await this.deps.github.createReview(this.repo, this.task.pr_number, {
        // Harness opened the PR itself, and GitHub forbids approving one's own PR: the verdict goes in the body.
        event: 'COMMENT',
        body: `**Independent review by ${round.reviewer}, round ${round.round}: ${heading}**\n\n${round.summary}`,
        comments: round.findings
          .filter((f) => f.line !== null)
          .map((f) => ({ path: f.file, line: f.line as number, body: `[${f.severity}] ${f.message}` })),
      });
    } catch (error) {
      this.deps.logger.warn(
        { err: error, task_id: this.task.id },
        'posting the review on the pull request failed',
      );
      await this.deps.events.append({
        kind: 'task.review_post_failed',
        task_id: this.task.id,
        decision: 'warn',
        reason: String(error),
      });
    }
  }

  /**
   * Up front, before a worktree exists: the implementor runs in `agents.sandbox_mode` and the
   * reviewer read-only, and a host that cannot enforce them refuses the task (never downgraded).
   */
  private async assertSandboxes(withReviewer: boolean): Promise<void> {
    try {
      await this.deps.agents.assertSandboxUsable();
      if (withReviewer) await this.deps.agents.assertSandboxUsable('read-only');
    } catch (error) {
      const what = error instanceof HarnessError ? error.message : String(error);
      throw new TaskFailure('sandbox_unavailable', `the task cannot run: ${what}`);
    }
  }
}
