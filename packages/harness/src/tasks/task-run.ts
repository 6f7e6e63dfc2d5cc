import {
  type ApprovalRecord,
  type Delivery,
  type ReviewRound,
  type Task,
  type TaskState,
  roundUsd,
} from '@harness/protocol';
import type { AgentName } from '../agents/index.js';
import { HarnessError } from '../core/index.js';
import type { ResolvedProjectSettings } from '../core/index.js';
import type { LeaseToken, TaskCheckpointStage, TaskPatch } from '../store/index.js';
import { chooseChallenger, runPreflight, threadReviewer } from '../review/index.js';
import { chooseImplementor, chooseReviewer } from './agent-choice.js';
import { AgentConversation } from './agent-step.js';
import { answerPreface, withApprovals } from './approval-gate.js';
import { GuardStage } from './guard-stage.js';
import type { PipelineDeps } from './pipeline-deps.js';
import { reviewFixPrompt, validationFixPrompt } from './prompts.js';
import {
  type ReviewPanel,
  type StageContext,
  type TurnStopped,
  fix,
  isTurnStopped,
  implement,
  keep,
  openPullRequest,
  postReview,
  push,
  review,
  validate,
} from './stages.js';
import { afterReview, afterValidation, chooseDelivery } from './next-step.js';
import { RunSuperseded, TaskFailure, TaskNeedsInput } from './task-failure.js';
import { placePlan, readBackPlan } from './task-plan.js';
import { TaskProgress } from './task-progress.js';
import { RemoteFacts } from './remote-facts.js';
import { pullRequestMissing, taskSource } from './task-sources.js';
import { type Announcement, transition } from './transition.js';
import { type DetectedValidation, describeDetected } from './validation.js';
import { taskSkills } from './task-skills.js';

export type { PipelineDeps } from './pipeline-deps.js';

const noChanges = () =>
  new TaskFailure('no_changes', 'the agent made no changes, so there is nothing to propose');

/** What the stages after preparation share: their inputs, what is already done, the implementor. */
interface Course {
  ctx: StageContext;
  progress: TaskProgress;
  implementor: AgentConversation;
}

/**
 * One run of one task through the pipeline: worktree → implement → validate (⇄ fix) → commit,
 * delivery (push and pull request, push only, or the local branch: `[git] deliver`) → independent
 * review (⇄ fix) → done. The stages return what they produced
 * (stages.ts); this run alone decides from it what is stored, checkpointed and announced, and
 * which state comes next. Each stage is persisted before it is announced; a run resumed after a
 * crash picks up the worktree, branch and pull request it had.
 */
export class TaskRun {
  private current: Task;
  /** A person's answer this run resumes after (the task waited in needs_input), until told to the agent. */
  private answer: ApprovalRecord | null = null;
  private readonly guards: GuardStage;

  constructor(
    private readonly deps: PipelineDeps,
    task: Task,
    private readonly signal: AbortSignal,
    /** Every write of this run is conditional on it: once another owner holds the task, they are refused. */
    private readonly lease: LeaseToken,
    /** Shared by the pipeline's runs: what a project's remote answered a moment ago. */
    private readonly remotes: RemoteFacts = new RemoteFacts(deps.git),
  ) {
    this.current = task;
    this.guards = new GuardStage(deps, task);
  }

  /** The task as this run last stored it. */
  get task(): Task {
    return this.current;
  }

  async execute(): Promise<void> {
    const settings = await this.deps.projects.settings(this.task.project);
    // Submission chose both (TaskService.create); a task queued before that was recorded chooses here.
    const implementorName = await chooseImplementor(this.deps.agents, this.task, settings);
    const reviewerName = this.task.review
      ? await chooseReviewer(this.deps.agents, settings, implementorName, this.task.reviewer ?? undefined)
      : null;
    // Usually submission stored both already: a write that changes nothing costs a sync to disk.
    if (this.task.agent !== implementorName || this.task.reviewer !== reviewerName)
      await this.save({ agent: implementorName, reviewer: reviewerName });
    this.answer = this.task.approvals.find((a) => !a.delivered) ?? null;
    await this.assertSandboxes(reviewerName !== null);
    const course = await this.prepare(settings, implementorName);
    await this.preflightOnce(course, implementorName);
    const implemented = await this.implementOnce(course);
    const validated = await this.validateAndFix(course, implemented.sha);
    await this.deliver(course, implemented.summary, validated);
    if (reviewerName !== null)
      await this.reviewLoop(course, await this.reviewPanel(course.ctx, reviewerName));
  }

  /** The reviewer, and its challenger of another provider when `[agents.review] challenger_agent` names one. */
  private async reviewPanel(ctx: StageContext, reviewerName: AgentName): Promise<ReviewPanel> {
    const challenger = await chooseChallenger(
      this.deps.agents,
      reviewerName,
      ctx.settings.review.challenger_agent,
    );
    return {
      reviewer: this.conversation(ctx, reviewerName, 'reviewer'),
      reviewerName,
      challenger:
        challenger === null
          ? null
          : { conversation: this.conversation(ctx, challenger, 'reviewer'), name: challenger },
    };
  }

  /** The worktree (created, or the one an earlier run left) and what that run already finished. */
  private async prepare(settings: ResolvedProjectSettings, implementorName: AgentName): Promise<Course> {
    // Asked alongside the repository; a failure still surfaces where it did, after `preparing`.
    const base = this.baseBranch(settings);
    base.catch(() => undefined);
    const repo = await this.remotes.repo(settings.root, settings.git.remote);
    const source = await taskSource(this.task, this.deps.github, repo);
    await this.stage('preparing');
    const baseBranch = await base;
    const worktree = await this.deps.worktrees.create({
      projectRoot: settings.root,
      taskId: this.task.id,
      remote: settings.git.remote,
      baseBranch: source.prBranch ?? baseBranch,
      branchPrefix: settings.git.branch_prefix,
      // A run with checkpoints got somewhere: another host may have pushed its branch.
      resumeFromRemote: (await this.deps.store.checkpoints.list(this.task.id)).length > 0,
    });
    await this.save({ branch: worktree.branch, worktree: worktree.path, base_commit: worktree.baseCommit });
    const ctx: StageContext = {
      deps: this.deps,
      taskId: this.task.id,
      settings,
      source,
      repo,
      worktree,
      baseBranch,
      signal: this.signal,
    };
    const progress = worktree.resumed ? await this.resumeProgress(ctx) : TaskProgress.empty();
    if (this.task.plan !== null) await placePlan(worktree.path, this.task.plan);
    if (this.answer !== null) await this.resumeAfterAnswer(this.answer, worktree.resumed);
    const skills = await taskSkills(this.deps.store, this.task.id);
    return { ctx, progress, implementor: this.conversation(ctx, implementorName, 'implementor', skills) };
  }

  /**
   * What an earlier run of this task finished. Whatever it left uncommitted was cut off mid-turn
   * (or mid-validation) and cannot be trusted, so the worktree goes back to its last commit —
   * unless that run stopped to wait for a person (needs_input): its agent's work so far is kept
   * for the agent to continue once answered.
   */
  private async resumeProgress({ worktree }: StageContext): Promise<TaskProgress> {
    const { git } = this.deps;
    if (this.answer === null && (await git.hasChanges(worktree.path))) {
      await git.discardChanges(worktree.path);
      await this.deps.events.append({
        kind: 'task.interrupted_work_discarded',
        task_id: this.task.id,
        decision: 'warn',
        reason: 'uncommitted changes of an interrupted run were discarded',
      });
    }
    const checkpoints = await this.deps.store.checkpoints.list(this.task.id);
    return TaskProgress.load(checkpoints, git, worktree.path);
  }

  /**
   * The answer is told to the agent once: marked delivered now, so a run cut off after this
   * point resumes like any interrupted run. The waiting agent's thread is continued only in the
   * worktree it ran in.
   */
  private async resumeAfterAnswer(answer: ApprovalRecord, worktreeKept: boolean): Promise<void> {
    if (!worktreeKept) this.answer = { ...answer, thread_id: null };
    await this.save({
      approvals: this.task.approvals.map((a) => (a.delivered ? a : { ...a, delivered: true })),
    });
    await this.deps.events.append({
      kind: 'task.resumed',
      task_id: this.task.id,
      data: {
        after: 'needs_input',
        command: answer.command,
        decision: answer.decision,
        stage: answer.stage,
        thread_id: this.answer?.thread_id ?? null,
      },
    });
  }

  /**
   * `[preflight] enabled`: before the implementing turn, the implementor reads the worktree in a
   * read-only turn and says what the task must respect; stored on the task, handed to the
   * implementor with its prompt. Once per task. A preflight that fails is said in an event and the
   * task goes on without it: it informs the work, it does not gate it.
   */
  private async preflightOnce({ ctx, progress }: Course, agent: AgentName): Promise<void> {
    if (!ctx.settings.preflight.enabled || this.task.preflight !== null) return;
    if (progress.implemented() !== undefined) return;
    const baseline = this.deps.scanBaseline;
    const failed = (reason: string) =>
      this.deps.events.append({
        kind: 'task.preflight_failed',
        task_id: this.task.id,
        decision: 'warn',
        reason,
      });
    if (baseline === undefined) return void (await failed('no project scans are wired into the pipeline'));
    const reviewer = threadReviewer(this.deps, {
      agent,
      cwd: ctx.worktree.path,
      title: `preflight of ${this.task.id}`,
      metadata: { task_id: this.task.id, role: 'preflight' },
      taskId: this.task.id,
    });
    try {
      const result = await runPreflight({ baseline, clock: this.deps.clock }, reviewer, {
        project: { name: this.task.project, root: ctx.settings.root },
        cwd: ctx.worktree.path,
        taskDescription: `${ctx.source.brief.title}\n\n${ctx.source.brief.body}`.trim(),
      });
      await this.save({ preflight: result, cost_usd: roundUsd(this.task.cost_usd + result.cost_usd) });
      await this.deps.events.append({
        kind: 'task.preflight',
        task_id: this.task.id,
        data: { agent, risk: result.risk, complexity: result.complexity, baseline: result.baseline.scan_id },
      });
    } catch (error) {
      if (error instanceof HarnessError) return void (await failed(error.message));
      throw error;
    }
  }

  /**
   * The implementing turn, committed; skipped when an earlier run committed it. Returns its summary
   * and the commit it made (null when skipped: later stages read HEAD).
   */
  private async implementOnce({
    ctx,
    progress,
    implementor,
  }: Course): Promise<{ summary: string; sha: string | null }> {
    const done = progress.implemented();
    if (done !== undefined) {
      await this.skipped('implementing', done.sha);
      return { summary: typeof done.data.summary === 'string' ? done.data.summary : '', sha: null };
    }
    await this.stage('implementing');
    const implemented = await this.answered(await implement(ctx, implementor, this.task), implementor);
    await this.checkpoint(progress, 'implemented', {
      sha: implemented.sha,
      data: { summary: implemented.summary.slice(0, 20_000) },
    });
    return { summary: implemented.summary, sha: implemented.sha };
  }

  /**
   * Validation of HEAD (`knownHead` when the stage before just committed it) — its commands, then
   * the guards on the changed files — with fix rounds; skipped when HEAD already passed it.
   * Returns the commit that passed.
   */
  private async validateAndFix(
    { ctx, progress, implementor }: Course,
    knownHead: string | null,
  ): Promise<string> {
    const head = knownHead ?? (await this.deps.git.currentCommit(ctx.worktree.path));
    if (progress.validatedAt(head)) {
      await this.skipped('validating', head);
      return head;
    }
    // The commit a stage of this run just made, with nothing left over (a resumed run may have some).
    let committed = knownHead;
    for (let attempt = 1; ; attempt++) {
      await this.stage('validating');
      const result = await validate(ctx, committed);
      await this.save({ validation_attempts: this.task.validation_attempts + 1 });
      if (attempt === 1 && result.detected !== null) await this.announceDetected(result.detected);
      const passed = result.kind === 'passed';
      await this.deps.events.append({
        kind: 'task.validation',
        task_id: this.task.id,
        decision: passed ? 'pass' : 'block',
        data: { attempt, passed, commands: result.commands },
      });
      if (result.kind === 'cancelled')
        throw this.signal.reason ?? new TaskFailure('cancelled', 'validation cancelled');
      // The guards run whatever the commands did, so one fix round can answer both.
      // Passed validation leaves nothing uncommitted: the guards need not look for untracked files.
      const guardReport = await this.guards.run(ctx, attempt, result.kind === 'passed');
      if (result.kind === 'passed' && guardReport === null) {
        await this.checkpoint(progress, 'validated', { sha: result.sha });
        return result.sha;
      }
      const next = afterValidation(result, attempt, ctx.settings.validation.max_retries, guardReport);
      if (next.kind === 'fail') throw next.failure;
      await this.stage('fixing');
      const prompt = validationFixPrompt(result.kind === 'failed' ? result.report : null, guardReport);
      const fixed = await this.answered(
        await fix(ctx, implementor, prompt, `Fix what validation found (attempt ${attempt})`),
        implementor,
      );
      committed = fixed.sha;
    }
  }

  /** Validation commands nobody configured are said out loud: which, and found where. */
  private async announceDetected(detected: DetectedValidation): Promise<void> {
    const summary = describeDetected(detected);
    this.deps.logger.info(
      { task_id: this.task.id, language: detected.language, commands: summary },
      `validation commands detected (none configured): ${summary}`,
    );
    await this.deps.events.append({
      kind: 'task.validation_detected',
      task_id: this.task.id,
      data: {
        language: detected.language,
        summary,
        commands: [
          ...detected.pre_commit.map((c) => ({ phase: 'pre_commit', ...c })),
          ...detected.pre_push.map((c) => ({ phase: 'pre_push', ...c })),
        ],
        configure: 'set [validation] pre_commit / pre_push in .harness/config.toml to choose them',
      },
    });
  }

  /** `base_branch`, or with none configured: the remote's HEAD branch, else the checked-out one. */
  private async baseBranch(settings: ResolvedProjectSettings): Promise<string> {
    const configured = settings.git.base_branch;
    if (configured !== null && configured !== undefined) return configured;
    const branch = await this.remotes.defaultBranch(settings.root, settings.git.remote);
    if (branch !== null) return branch;
    throw new TaskFailure(
      'base_branch_unknown',
      `cannot tell which branch to start from: remote "${settings.git.remote}" has no HEAD branch and ${settings.root} has no branch checked out; set [git] base_branch in ${settings.overlay_file ?? '.harness/config.toml'}`,
    );
  }

  /**
   * Delivery, as the task or its project asks (`auto` chosen once, on the first delivery): the
   * commit kept on the local branch, or pushed (unless the remote already has HEAD), and for a
   * pull request, the pull request (unless it is open).
   */
  private async deliver({ ctx, progress }: Course, summary: string, head: string): Promise<void> {
    const delivery = this.task.delivery ?? (await this.chooseDelivery(ctx));
    if (delivery === 'none') {
      const kept = keep(ctx, head);
      if (kept.kind === 'no_changes') throw noChanges();
      return this.save({ commit_sha: kept.sha });
    }
    const pushed = await push(ctx, progress, head);
    if (pushed.kind === 'no_changes') throw noChanges();
    if (pushed.kind === 'already_pushed') await this.skipped('push', pushed.sha);
    else await this.checkpoint(progress, 'pushed', { sha: pushed.sha });
    await this.save({ commit_sha: pushed.sha });
    if (delivery === 'branch' || this.task.pr_url !== null) return;

    await this.stage('pr_open');
    const pr = await openPullRequest(ctx, this.task, summary);
    if (pr.kind === 'unavailable') throw new TaskFailure('pr_failed', pr.message);
    await this.save({ pr_url: pr.url, pr_number: pr.number });
    if (pr.kind === 'adopted') return;
    await this.checkpoint(progress, 'pr_opened', { sha: null, data: { number: pr.number } });
    await this.deps.events.append({
      kind: 'task.pr',
      task_id: this.task.id,
      data: { url: pr.url, number: pr.number, created: pr.created },
    });
  }

  /** Resolves and records the task's delivery, and says which it is and why. */
  private async chooseDelivery(ctx: StageContext): Promise<Delivery> {
    const asked = this.task.deliver ?? ctx.settings.git.deliver;
    const missing =
      ctx.source.prUrl !== null
        ? null
        : pullRequestMissing(ctx.deps.github, ctx.repo, ctx.settings.git.remote);
    const delivery = chooseDelivery(asked, missing === null);
    await this.save({ delivery });
    await this.deps.events.append({
      kind: 'task.delivery',
      task_id: this.task.id,
      data: { asked, delivery, branch: this.task.branch },
      reason: asked === 'auto' && delivery === 'branch' ? `no pull request: ${missing}` : null,
    });
    return delivery;
  }

  /**
   * Review rounds until approval. A resumed run continues after the last recorded round: when
   * that round asked for changes and its answer was not committed yet, the fix comes first.
   */
  private async reviewLoop(course: Course, panel: ReviewPanel): Promise<void> {
    const last = this.task.rounds.at(-1);
    if (last !== undefined) {
      const next = afterReview(last, course.ctx.settings.review.max_rounds);
      if (next.kind === 'advance') return this.skipped('reviewing', null);
      if (next.kind === 'fail') throw next.failure;
      if (!course.progress.fixedAfterReview(last.round)) await this.fixAfterReview(course, last);
    }
    for (let round = this.task.rounds.length + 1; round <= course.ctx.settings.review.max_rounds; round++) {
      await this.stage('reviewing');
      const reviewed = await this.answered(await review(course.ctx, panel, round), panel.reviewer);
      await this.save({ rounds: [...this.task.rounds, reviewed.round] });
      await this.checkpoint(course.progress, 'reviewed', {
        sha: reviewed.sha,
        round,
        data: { verdict: reviewed.kind },
      });
      await this.deps.events.append({
        kind: 'task.review',
        task_id: this.task.id,
        decision: reviewed.kind === 'approve' ? 'pass' : 'block',
        data: { round, verdict: reviewed.kind, findings: reviewed.round.findings.length },
      });
      await this.postOnPullRequest(course.ctx, reviewed.round);
      const next = afterReview(reviewed.round, course.ctx.settings.review.max_rounds);
      if (next.kind === 'advance') return;
      if (next.kind === 'fail') throw next.failure;
      await this.fixAfterReview(course, reviewed.round);
    }
  }

  /** The implementor answers the findings; the answer is committed, validated and pushed. */
  private async fixAfterReview(course: Course, round: ReviewRound): Promise<void> {
    await this.stage('fixing');
    const prompt = reviewFixPrompt(round.round, round.summary, round.findings);
    const fixed = await this.answered(
      await fix(course.ctx, course.implementor, prompt, `Address review round ${round.round}`),
      course.implementor,
    );
    await this.checkpoint(course.progress, 'fixed', { sha: fixed.sha, round: round.round });
    const validated = await this.validateAndFix(course, fixed.sha);
    await this.deliver(course, '', validated);
  }

  /** The outcome goes on the pull request as a review; a GitHub hiccup is recorded, not fatal. */
  private async postOnPullRequest(ctx: StageContext, round: ReviewRound): Promise<void> {
    const posted = await postReview(ctx, this.task.pr_number, round);
    if (posted.kind !== 'failed') return;
    this.deps.logger.warn(
      { err: posted.error, task_id: this.task.id },
      'posting the review on the pull request failed',
    );
    await this.deps.events.append({
      kind: 'task.review_post_failed',
      task_id: this.task.id,
      decision: 'warn',
      reason: String(posted.error),
    });
  }

  /**
   * An agent stage's result: its cost is stored whatever the turn did; a turn that did not answer
   * ends the run (waiting for a person, recorded with what it waits for; or failed).
   */
  private async answered<R extends { kind: string; costUsd: number }>(
    result: R | TurnStopped,
    from: AgentConversation,
  ): Promise<R> {
    const cost = roundUsd(this.task.cost_usd + result.costUsd);
    if (cost !== this.task.cost_usd) await this.save({ cost_usd: cost });
    const budget = this.task.budget_usd;
    if (budget !== null && this.task.cost_usd > budget)
      throw new TaskFailure(
        'budget_exceeded',
        `the task cost $${this.task.cost_usd} and passed its budget_usd of $${budget}; ` +
          'resubmit with a higher budget_usd or a smaller task',
      );
    if (!isTurnStopped(result)) return result;
    if (result.kind === 'needs_input')
      throw new TaskNeedsInput(result.message, {
        command: result.command,
        reason: result.reason,
        stage: this.task.state,
        role: from.role,
        thread_id: from.thread,
        asked_at: this.deps.clock.now().toISOString(),
      });
    throw new TaskFailure(result.code, result.message);
  }

  private async skipped(stage: string, sha: string | null): Promise<void> {
    await this.deps.events.append({
      kind: 'task.stage_skipped',
      task_id: this.task.id,
      data: { stage, sha, reason: 'finished by an earlier run' },
    });
  }

  private async checkpoint(
    progress: TaskProgress,
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
    if (!(await this.deps.store.checkpoints.add(checkpoint, { lease: this.lease })))
      throw new RunSuperseded(this.task.id, `the ${stage} checkpoint`);
    progress.add(checkpoint);
    await this.deps.events.append({
      kind: 'task.checkpoint',
      task_id: this.task.id,
      data: { stage, sha: at.sha, round: at.round ?? null },
    });
  }

  /**
   * Enters a stage. The claim already put the task in `preparing`, so entering it only announces;
   * every other stage is a transition.
   */
  private async stage(state: TaskState): Promise<void> {
    if (this.task.state === state && state === 'preparing') {
      await this.deps.events.append({ kind: 'task.stage', task_id: this.task.id, data: { stage: state } });
      return;
    }
    this.current = await transition(this.deps, this.task, state, { lease: this.lease });
  }

  /** The run's last state change: done, failed, cancelled or needs_input. */
  async finish(state: TaskState, patch: TaskPatch, announce: Announcement): Promise<void> {
    this.current = await transition(this.deps, this.task, state, {
      patch,
      lease: this.lease,
      announce,
    });
  }

  /** Stores a patch of the task (never its state), refused once the lease passed to another owner. */
  async save(patch: TaskPatch): Promise<void> {
    const updated = await this.deps.store.tasks.update(
      this.task.id,
      { ...patch, updated_at: this.deps.clock.now().toISOString() },
      { lease: this.lease },
    );
    if (updated === null) throw new RunSuperseded(this.task.id, 'a write');
    this.current = updated;
  }

  private conversation(
    ctx: StageContext,
    agent: AgentName,
    role: 'implementor' | 'reviewer',
    skills: string[] = [],
  ): AgentConversation {
    const answer = this.answer?.role === role ? this.answer : null;
    const routing = this.task.routing;
    // The implementor works with the model its routing chose (the task's complexity decided it).
    const model = role === 'implementor' && routing?.agent === agent ? routing.model : null;
    return new AgentConversation(this.deps.threads, this.deps.turns, {
      taskId: this.task.id,
      cwd: ctx.worktree.path,
      projectRoot: ctx.settings.root,
      // The skills the task names are the implementor's; the reviewer gets those matching its work.
      ...(skills.length === 0 ? {} : { skills }),
      agent,
      role,
      ...(model === null ? {} : { model }),
      // The reviewer reads; it never gets to change what it judges.
      ...(role === 'reviewer' ? { sandbox: 'read-only' as const } : {}),
      gate: (policy) =>
        withApprovals(policy, {
          approvals: () => this.task.approvals,
          use: (index) =>
            this.save({
              approvals: this.task.approvals.map((a, i) => (i === index ? { ...a, used: true } : a)),
            }),
        }),
      // The agent that waited continues its conversation, told first what the person answered.
      ...(answer === null ? {} : { threadId: answer.thread_id, preface: answerPreface(answer) }),
      ...(role === 'implementor' && this.task.plan !== null ? { afterTurn: () => this.recordPlan(ctx) } : {}),
    });
  }

  /** The plan as the implementor left it in the worktree, on the task (and in its timeline) when it changed. */
  private async recordPlan(ctx: StageContext): Promise<void> {
    const recorded = this.task.plan;
    if (recorded === null) return;
    const read = await readBackPlan(ctx.worktree.path, recorded, this.deps.clock);
    if (read.plan === null && read.problem === null) return;
    if (read.plan !== null) await this.save({ plan: read.plan });
    const { plan } = this.task;
    await this.deps.events.append({
      kind: 'task.plan',
      task_id: this.task.id,
      reason: read.plan === null ? read.problem : null,
      data:
        plan === null
          ? {}
          : { plan_id: plan.plan_id, path: plan.path, status: plan.status, progress: plan.progress },
    });
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
