import { describeError } from '../core/index.js';
import type { CommandGateDecision } from './contract.js';
import type { TurnContext } from './turn.js';

/**
 * Asks the turn's command gate about one command before it runs and records the decision as a
 * `command_gate` event. A gate that throws refuses: a broken policy must never let a command by.
 */
export async function consultCommandGate(ctx: TurnContext, command: string): Promise<CommandGateDecision> {
  const gate = ctx.options.commandGate;
  let verdict: CommandGateDecision = { decision: 'allow' };
  if (gate !== undefined) {
    try {
      verdict = await gate({ command, cwd: ctx.options.cwd });
    } catch (error) {
      verdict = { decision: 'forbidden', reason: `the command gate failed: ${describeError(error)}` };
    }
  }
  ctx.emit({ type: 'command_gate', command, decision: verdict.decision, reason: verdict.reason ?? null });
  return verdict;
}

/** What the agent is told about a refused command (a headless run has nobody to approve it). */
export function refusalText(verdict: CommandGateDecision): string {
  const why = verdict.reason === undefined ? '' : `: ${verdict.reason}`;
  return verdict.decision === 'prompt'
    ? `Refused: this command needs approval, which cannot be given in this run${why}`
    : `Refused by the command policy${why}`;
}
