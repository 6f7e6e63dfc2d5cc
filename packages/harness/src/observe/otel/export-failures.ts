import type { Logger } from '../../core/index.js';

/**
 * Failures logged without flooding: an unreachable collector fails every batch, every few seconds,
 * for as long as it is down. The first failure is logged at once, later ones at most once per
 * interval with how many were folded in, and the recovery once.
 */
export class ExportFailureLog {
  private readonly state = new Map<string, { failing: boolean; lastLogMs: number; folded: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly message = 'OTLP export failed; this telemetry is dropped (the server carries on)',
    private readonly intervalMs = 300_000,
    private readonly now: () => number = Date.now,
  ) {}

  failed(signal: string, error: unknown): void {
    const state = this.state.get(signal) ?? { failing: false, lastLogMs: -Infinity, folded: 0 };
    this.state.set(signal, state);
    state.failing = true;
    const nowMs = this.now();
    if (nowMs - state.lastLogMs < this.intervalMs) {
      state.folded++;
      return;
    }
    this.logger.warn({ signal, error: describe(error), failures_since_last_log: state.folded }, this.message);
    state.lastLogMs = nowMs;
    state.folded = 0;
  }

  succeeded(signal: string): void {
    const state = this.state.get(signal);
    if (!state?.failing) return;
    state.failing = false;
    this.logger.info({ signal }, 'OTLP export recovered');
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return error === undefined ? 'unknown error' : String(error);
}
