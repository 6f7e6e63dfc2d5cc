import type { Severity } from '@harness/protocol';
import type { Rule } from '../guards/index.js';
import { countBySeverity, recordScan } from '../quality/index.js';
import { checkGuards, formatGuardFeedback, type GuardCheck } from './guard-check.js';
import type { PipelineDeps } from './pipeline-deps.js';
import type { StageContext } from './stages.js';

/**
 * The guard scan of each validation attempt, as the run carries it out: the check (guard-check.ts),
 * then the scan stored (`recordScan`, trigger `pipeline`) and a `task.guards` event on the task's
 * timeline. Returns what goes back to the agent, or null when no new finding blocks. A guard that
 * broke, or a scan that could not run, is said in the event and never fails the task.
 */
export class GuardStage {
  private rules: Promise<ReadonlyMap<string, Rule>> | null = null;

  constructor(
    private readonly deps: PipelineDeps,
    private readonly task: { readonly id: string; readonly project: string },
  ) {}

  async run(ctx: StageContext, round: number): Promise<string | null> {
    const threshold = ctx.settings.validation.guard_severity;
    // The catalogue is the project's own (its checkout), read once per run: the agent's edits to
    // rule files do not change how its work is judged.
    this.rules ??= this.deps.guardRules?.(ctx.settings.root) ?? Promise.resolve(new Map<string, Rule>());
    const check = await checkGuards(ctx, {
      threshold,
      rules: await this.rules,
      // The guards run the worktree's scripts, the agent's work: no more of Harness's environment than it gets.
      env: ctx.deps.agents.commandEnvironment(),
    });
    await this.announce(check, round, threshold);
    if (check.kind !== 'scanned' || check.blocking.length === 0 || threshold === 'off') return null;
    return formatGuardFeedback(check, threshold);
  }

  private async announce(check: GuardCheck, round: number, threshold: Severity | 'off'): Promise<void> {
    const { deps, task } = this;
    if (check.kind === 'skipped') {
      // Said once: the same reason every round is noise.
      if (round === 1)
        await deps.events.append({
          kind: 'task.guards',
          task_id: task.id,
          decision: 'pass',
          reason: `not scanned: ${check.reason}`,
          data: { round, threshold, scanned: false, skipped: check.reason },
        });
      return;
    }
    if (check.kind === 'error') {
      deps.logger.warn({ task_id: task.id, error: check.message }, 'the guard scan could not run');
      await deps.events.append({
        kind: 'task.guards',
        task_id: task.id,
        decision: 'warn',
        reason: `the guard scan could not run: ${check.message}`,
        data: { round, threshold, scanned: false, error: check.message, files: check.files.length },
      });
      return;
    }
    const scan = await recordScan(deps, {
      project: task.project,
      scan: check.scan,
      trigger: 'pipeline',
      startedAt: check.startedAt,
      durationMs: check.durationMs,
      taskId: task.id,
    });
    const broken = check.broken.length > 0;
    await deps.events.append({
      kind: 'task.guards',
      task_id: task.id,
      decision: check.blocking.length > 0 ? 'block' : broken ? 'warn' : 'pass',
      reason: broken
        ? `guard(s) broke: ${check.broken.map((b) => `${b.guard} ${b.reason}`).join('; ')}`
        : null,
      duration_ms: check.durationMs,
      data: {
        round,
        threshold,
        scanned: true,
        scan_id: scan.id,
        files: check.scan.files?.length ?? 0,
        new: check.fresh.length,
        preexisting: check.preexisting.length,
        blocking: check.blocking.length,
        severities: countBySeverity(check.fresh),
        findings: check.blocking.slice(0, 20),
        broken: check.broken,
        garbage: check.scan.garbage.length,
      },
    });
  }
}
