import { roundUsd } from '@harness/protocol';
import type { Usage } from '../contract.js';
import type { TurnContext } from '../turn.js';
import { apiRetryEvent } from '../api-retry.js';
import type { GatewayLease, ModelGateway, ModelUpstream } from './gateway.js';

/**
 * How an agent reaches its model. `gateway`: through Harness's local gateway with a per-turn
 * credential (the agent never sees the real key). `direct`: with the agent's own login, because
 * Harness holds no key for it or the operator chose another provider — `reason` says which.
 */
export type ModelAccess =
  | { mode: 'gateway'; gateway: ModelGateway; upstream: ModelUpstream; reason: string }
  | { mode: 'direct'; reason: string };

/** What `agent/list` and `harness doctor` show of a `ModelAccess`. */
export interface ModelAccessInfo {
  model_access: 'gateway' | 'direct';
  model_access_reason: string;
}

export function describeModelAccess(access: ModelAccess): ModelAccessInfo {
  return { model_access: access.mode, model_access_reason: access.reason };
}

/**
 * Registers a credential for this turn, runs `body` with it, and revokes it when the turn is over
 * (whatever way it ends). A budget refusal at the gateway ends the turn `budget_exceeded`; the
 * metered usage then tops up whatever the agent itself reported.
 */
export async function withGatewayTurn(
  ctx: TurnContext,
  access: Extract<ModelAccess, { mode: 'gateway' }>,
  body: (lease: GatewayLease) => Promise<void>,
  /**
   * `gateway`: each error answer of the model API becomes `api_retry` progress, for agents that
   * retry without a word (Codex on an HTTP error, the Anthropic SDK); `agent`: the agent reports
   * its own retries (Claude Code's `api_retry` lines), so the gateway stays quiet.
   */
  retriesReportedBy: 'agent' | 'gateway',
): Promise<void> {
  let failures = 0;
  const lease = access.gateway.openTurn({
    upstream: access.upstream,
    turnId: ctx.turnId,
    maxCostUsd: ctx.options.limits.maxCostUsd,
    onBudgetExceeded: (message) => ctx.stop({ code: 'budget_exceeded', message }),
    ...(retriesReportedBy === 'gateway'
      ? {
          onUpstreamError: (status: number, error: string | null) =>
            ctx.emit(
              apiRetryEvent({ attempt: ++failures, max_retries: null, delay_ms: null, status, error }),
            ),
        }
      : {}),
  });
  try {
    await body(lease);
  } finally {
    lease.revoke();
    topUpUsage(ctx, lease.usage);
  }
}

/**
 * The turn reports the larger of what the agent said it used and what the gateway metered, field
 * by field: a CLI that reports nothing (or too little) cannot make a turn look cheaper.
 */
export function topUpUsage(ctx: TurnContext, metered: Usage): void {
  const reported = ctx.usage;
  const delta: Usage = {
    input_tokens: Math.max(0, metered.input_tokens - reported.input_tokens),
    output_tokens: Math.max(0, metered.output_tokens - reported.output_tokens),
    cache_read_tokens: Math.max(0, metered.cache_read_tokens - reported.cache_read_tokens),
    cache_write_tokens: Math.max(0, metered.cache_write_tokens - reported.cache_write_tokens),
    cost_usd: Math.max(0, roundUsd(metered.cost_usd - reported.cost_usd)),
  };
  if (Object.values(delta).some((value) => value > 0)) ctx.recordUsage(delta);
}
