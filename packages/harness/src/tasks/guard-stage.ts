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

  /** `committed`: everything in the worktree is committed (nothing untracked to look for). */
  async run(ctx: StageContext, round: number, committed = false): Promise<string | null> {
    const threshold = ctx.settings.validation.guard_severity;
    // The catalogue is the project's own (its checkout), read once per run: the agent's edits to
    // rule files do not change how its work is judged.
    this.rules ??= this.deps.guardRules?.(ctx.settings.root) ?? Promise.resolve(new Map<string, Rule>());
    const check = await checkGuards(ctx, {
      threshold,
      rules: await this.rules,
      // The guards run the worktree's scripts, the agent's work: no more of Harness's environment than it gets.
      env: ctx.deps.agents.commandEnvironment(),
      // Each guard gets what each validation command gets.
      timeoutMs: ctx.settings.validation.timeout_secs * 1000,
      committed,
    });
    await this.announce(check, round, threshold);
    if (check.kind !== 'scanned' || check.blocking.length === 0 || threshold === 'off') return null;
    return formatGuardFeedback(check, threshold);
  }

  private async announce(check: GuardCheck, round: number, threshold: Severity | 'off'): Promise<void> {
    const { deps, task } = this;
    if (check.kind === 'skipped') {
      const changed = check.guardsChanged.length > 0;
      // Said once, unless the task touched the guards: the same reason every round is noise.
      if (round === 1 || changed)
        await deps.events.append({
          kind: 'task.guards',
          task_id: task.id,
          decision: changed ? 'warn' : 'pass',
          reason: `not scanned: ${check.reason}${changed ? ` (the task changed ${check.guardsChanged.join(', ')})` : ''}`,
          data: {
            round,
            threshold,
            scanned: false,
            skipped: check.reason,
            guards_changed: check.guardsChanged,
          },
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
    const warnings = [
      ...(check.broken.length > 0
        ? [`guard(s) broke: ${check.broken.map((b) => `${b.guard} ${b.reason}`).join('; ')}`]
        : []),
      ...(check.guardsChanged.length > 0
        ? [`the task changed ${check.guardsChanged.join(', ')} (not run: the base commit's guards judge it)`]
        : []),
    ];
    await deps.events.append({
      kind: 'task.guards',
      task_id: task.id,
      decision: check.blocking.length > 0 ? 'block' : warnings.length > 0 ? 'warn' : 'pass',
      reason: warnings.length > 0 ? warnings.join('; ') : null,
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
        guards_changed: check.guardsChanged,
      },
    });
  }
}
