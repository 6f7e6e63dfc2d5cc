import { describeError, newId, type Logger } from '../core/index.js';
import {
  makeEvent,
  type AgentEvent,
  type AgentEventBody,
  type AgentName,
  type AgentTurn,
  type TerminalEvent,
  type TurnErrorCode,
  type TurnOptions,
  type Usage,
} from './contract.js';
import { addUsage, zeroUsage } from '@harness/protocol';

/** Why a turn was stopped from outside the agent (interrupt, watchdog, budget). */
export interface StopReason {
  code: TurnErrorCode;
  message: string;
}

export interface ErrorDetails {
  retryable?: boolean;
  http_status?: number | null;
  stderr_tail?: string | null;
}

/** What an adapter sees while it runs a turn. */
export interface TurnContext {
  readonly turnId: string;
  readonly agent: AgentName;
  readonly options: TurnOptions;
  readonly logger: Logger;
  /** Aborted when the turn must stop; the adapter then kills its work and returns. */
  readonly signal: AbortSignal;
  sessionId: string | null;
  readonly usage: Usage;
  emit(body: AgentEventBody): void;
  /** Adds spend; emits a `usage` event and stops the turn if the budget is crossed. */
  recordUsage(delta: Usage): void;
  stop(reason: StopReason): void;
  succeed(text: string, numTurns: number | null): void;
  fail(code: TurnErrorCode, message: string, details?: ErrorDetails): void;
}

class EventQueue implements AsyncIterable<AgentEvent> {
  private readonly buffer: AgentEvent[] = [];
  private readonly waiters: ((r: IteratorResult<AgentEvent>) => void)[] = [];
  private closed = false;

  push(event: AgentEvent): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: event, done: false });
    else this.buffer.push(event);
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<AgentEvent> {
    return {
      next: () => {
        const value = this.buffer.shift();
        if (value !== undefined) return Promise.resolve({ value, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
    };
  }
}

const RETRYABLE: ReadonlySet<TurnErrorCode> = new Set(['rate_limited', 'overloaded', 'stalled', 'timeout']);

/**
 * Runs `body` as a turn: owns the event queue, the abort controller (interrupt, caller signal,
 * wall-clock limit, budget) and the guarantee that exactly one terminal event is emitted, after the
 * adapter's work — processes included — has finished.
 */
export function runTurn(
  agent: AgentName,
  options: TurnOptions,
  logger: Logger,
  body: (ctx: TurnContext) => Promise<void>,
): AgentTurn {
  const turnId = newId('turn');
  const queue = new EventQueue();
  const controller = new AbortController();
  let terminal: AgentEventBody | null = null;
  let usage: Usage = zeroUsage;

  const stop = (reason: StopReason): void => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onCallerAbort = (): void => stop({ code: 'cancelled', message: 'the turn was cancelled' });
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const wallClock = setTimeout(
    () =>
      stop({
        code: 'timeout',
        message: `the turn exceeded its ${options.limits.turnTimeoutMs} ms wall-clock limit`,
      }),
    options.limits.turnTimeoutMs,
  );

  const errorBody = (code: TurnErrorCode, message: string, details: ErrorDetails = {}): AgentEventBody => ({
    type: 'error',
    code,
    message,
    retryable: details.retryable ?? RETRYABLE.has(code),
    session_id: ctx.sessionId,
    http_status: details.http_status ?? null,
    stderr_tail: details.stderr_tail ?? null,
    usage,
  });

  const ctx: TurnContext = {
    turnId,
    agent,
    options,
    logger: logger.child({ turn_id: turnId, agent }),
    signal: controller.signal,
    sessionId: options.resumeSessionId ?? null,
    get usage() {
      return usage;
    },
    emit: (event) => {
      if (terminal === null) queue.push(makeEvent(turnId, agent, event));
    },
    recordUsage: (delta) => {
      usage = addUsage(usage, delta);
      ctx.emit({ type: 'usage', usage: delta, total_cost_usd: usage.cost_usd });
      const max = options.limits.maxCostUsd;
      if (max !== undefined && usage.cost_usd > max) {
        stop({
          code: 'budget_exceeded',
          message: `turn cost $${usage.cost_usd.toFixed(4)} exceeded the $${max} budget`,
        });
      }
    },
    stop,
    succeed: (text, numTurns) => {
      terminal ??= { type: 'result', text, session_id: ctx.sessionId, num_turns: numTurns, usage };
    },
    fail: (code, message, details) => {
      terminal ??= errorBody(code, message, details);
    },
  };

  const done = (async (): Promise<TerminalEvent> => {
    try {
      await body(ctx);
    } catch (error) {
      ctx.logger.warn({ err: describeError(error) }, 'agent turn threw');
      ctx.fail('protocol_error', describeError(error));
    }
    clearTimeout(wallClock);
    options.signal?.removeEventListener('abort', onCallerAbort);
    const reason = controller.signal.reason as StopReason | undefined;
    const current = terminal as AgentEventBody | null;
    // A stop outranks what the agent said afterwards (a killed process exits non-zero); a policy
    // refusal outranks even a result that raced it: the turn did not do what it was asked.
    const stopWins =
      controller.signal.aborted &&
      reason !== undefined &&
      (current?.type !== 'result' || reason.code === 'policy_blocked');
    const final =
      stopWins && reason !== undefined
        ? errorBody(reason.code, reason.message, {
            stderr_tail: current?.type === 'error' ? current.stderr_tail : null,
          })
        : (current ?? errorBody('protocol_error', 'the agent ended without a result'));
    // Usage recorded after the agent's last word (the gateway's metering) belongs in the total.
    const event = makeEvent(turnId, agent, { ...final, usage } as AgentEventBody) as TerminalEvent;
    queue.push(event);
    queue.close();
    return event;
  })();

  return {
    id: turnId,
    interrupt: (message) => stop({ code: 'cancelled', message: message ?? 'the turn was interrupted' }),
    done,
    [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator](),
  };
}
