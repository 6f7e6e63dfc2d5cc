import { describeError } from '../core/index.js';
import type { CommandGateDecision } from './contract.js';
import type { TurnContext } from './turn.js';

/** The first command the gate refused in a turn: the turn ends on it, naming it. */
export interface Refusal {
  command: string;
  verdict: CommandGateDecision;
}

interface GateState {
  /** Decisions are taken one at a time, in the order the agent asked. */
  queue: Promise<unknown>;
  refusal: Refusal | null;
}

const states = new WeakMap<TurnContext, GateState>();

function stateOf(ctx: TurnContext): GateState {
  let state = states.get(ctx);
  if (state === undefined) {
    state = { queue: Promise.resolve(), refusal: null };
    states.set(ctx, state);
  }
  return state;
}

/** The refusal that ended this turn, if one did. */
export function refusalOf(ctx: TurnContext): Refusal | null {
  return states.get(ctx)?.refusal ?? null;
}

/**
 * Asks the turn's command gate about one command before it runs and records the decision as a
 * `command_gate` event. A gate that throws refuses: a broken policy must never let a command by.
 *
 * Once one command is refused the turn is over, so every later request is refused without asking
 * the policy — including calls the model queued in the same response (parallel tool calls). The
 * requests are decided one at a time, in the order they came, so a call queued behind a refused
 * one can never be allowed while the refusal is still being decided.
 */
export function consultCommandGate(ctx: TurnContext, command: string): Promise<CommandGateDecision> {
  const state = stateOf(ctx);
  const decided = state.queue.then(() => decide(ctx, state, command));
  state.queue = decided.catch(() => undefined);
  return decided;
}

async function decide(ctx: TurnContext, state: GateState, command: string): Promise<CommandGateDecision> {
  let verdict: CommandGateDecision;
  if (state.refusal !== null || ctx.signal.aborted) {
    verdict = { decision: 'forbidden', reason: turnOverReason(state.refusal) };
  } else {
    verdict = await askGate(ctx, command);
    if (verdict.decision !== 'allow') state.refusal = { command, verdict };
  }
  ctx.emit({ type: 'command_gate', command, decision: verdict.decision, reason: verdict.reason ?? null });
  return verdict;
}

async function askGate(ctx: TurnContext, command: string): Promise<CommandGateDecision> {
  const gate = ctx.options.commandGate;
  if (gate === undefined) return { decision: 'allow' };
  try {
    return await gate({ command, cwd: ctx.options.cwd });
  } catch (error) {
    return { decision: 'forbidden', reason: `the command gate failed: ${describeError(error)}` };
  }
}

function turnOverReason(refusal: Refusal | null): string {
  return refusal === null
    ? 'the turn is over'
    : `the turn is over: the command policy refused \`${refusal.command}\` earlier in it`;
}

/** What the agent is told about a refused command (a headless run has nobody to approve it). */
export function refusalText(verdict: CommandGateDecision): string {
  const why = verdict.reason === undefined ? '' : `: ${verdict.reason}`;
  return verdict.decision === 'prompt'
    ? `Refused: this command needs approval, which cannot be given in this run${why}`
    : `Refused by the command policy${why}`;
}

/** The turn's error message for a refusal: the command, and the rule with its place and reason. */
export function refusalMessage(refusal: Refusal): string {
  const { command, verdict } = refusal;
  const what =
    verdict.decision === 'prompt' ? 'needs approval, which cannot be given in this run' : 'is forbidden';
  const why = verdict.reason === undefined ? '' : ` (${verdict.reason})`;
  return `the command policy stopped the agent: \`${command}\` ${what}${why}`;
}

/**
 * Ends the turn because of the refusal it met: the turn's abort signal fires (the adapter kills
 * its process group or leaves its tool loop) and the turn ends `policy_blocked`, naming the rule.
 */
export function endTurnOnRefusal(ctx: TurnContext): void {
  const refusal = refusalOf(ctx);
  if (refusal === null) return;
  ctx.stop({ code: 'policy_blocked', message: refusalMessage(refusal) });
}
