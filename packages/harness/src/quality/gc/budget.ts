import type { GcBudget } from '@harness/protocol';
import type { Store } from '../../store/index.js';

/**
 * The total budget over its window (`gc.total_budget_usd` per `gc.budget_window_hours`), summed
 * from the stored runs of every project, so a restart forgets nothing. Fail-closed: another draft
 * is started only when its whole per-signal budget still fits, since a turn may spend all of it.
 */

export interface BudgetSettings {
  budget_per_signal_usd: number;
  total_budget_usd: number;
  budget_window_hours: number;
}

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

export async function budgetState(store: Store, settings: BudgetSettings, now: Date): Promise<GcBudget> {
  const since = new Date(now.getTime() - settings.budget_window_hours * 3_600_000).toISOString();
  const spent = round(await store.gc.runs.spentSince(since));
  const remaining = round(Math.max(0, settings.total_budget_usd - spent));
  return {
    spent_usd: spent,
    total_usd: settings.total_budget_usd,
    window_hours: settings.budget_window_hours,
    remaining_usd: remaining,
    exhausted: !canDraft(settings, spent),
  };
}

/** Whether one more draft, spending up to its whole budget, stays within the total. */
export function canDraft(settings: BudgetSettings, spent: number): boolean {
  const perSignal = settings.budget_per_signal_usd;
  return perSignal > 0 && round(spent + perSignal) <= settings.total_budget_usd;
}
