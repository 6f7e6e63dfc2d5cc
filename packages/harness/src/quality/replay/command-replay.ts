import type { Event, ReplayReport } from '@harness/protocol';
import { isRecord } from '../../core/index.js';
import { isDecision, stricter, type Decision, type Policy } from '../../policy/index.js';
import type { ProjectHistory } from './history.js';

/**
 * Past commands checked again under the project's policy with the draft's rules added. A command
 * counts as blocked when it was allowed at the time, the draft makes it `prompt` or `forbidden`,
 * and the current policy without the draft would not have: the draft, not a later policy change,
 * is what catches it. Both policies check the line the same way (no files read, no git aliases),
 * so the comparison is like for like.
 */
export const COMMAND_KINDS = ['agent.command_gate', 'agent.command'] as const;

type CommandHistory = ReplayReport['history'];
const EXAMPLES = 10;
const MEMO_LIMIT = 50_000;

export interface PastCommand {
  readonly event: Event;
  readonly command: string;
  /** What the command got at the time. */
  readonly before: Decision;
}

export async function replayCommands(
  history: ProjectHistory,
  baseline: Policy,
  withDraft: Policy,
): Promise<Pick<CommandHistory, 'commands_checked' | 'commands_blocked' | 'command_examples'>> {
  const out = {
    commands_checked: 0,
    commands_blocked: 0,
    command_examples: [] as CommandHistory['command_examples'],
  };
  const memo = new Map<string, Decision | null>();
  const verdict = (command: string): Decision | null => {
    const known = memo.get(command);
    if (known !== undefined) return known;
    const now = withDraft.checkCommandLine(command).decision;
    const before = now === 'allow' ? now : baseline.checkCommandLine(command).decision;
    const result = now !== before && stricter(now, before) === now ? now : null;
    if (memo.size < MEMO_LIMIT) memo.set(command, result);
    return result;
  };
  const pending = new PendingGates();
  for await (const page of history.events(COMMAND_KINDS)) {
    for (const past of pastCommands(page, pending)) {
      out.commands_checked++;
      if (past.before !== 'allow') continue;
      const decision = verdict(past.command);
      if (decision === null) continue;
      out.commands_blocked++;
      if (out.command_examples.length < EXAMPLES)
        out.command_examples.push({
          event_id: past.event.id,
          ts: past.event.ts,
          task_id: past.event.task_id,
          command: past.command,
          decision: decision === 'forbidden' ? 'forbidden' : 'prompt',
        });
    }
  }
  return out;
}

/**
 * One entry per command an agent asked to run. A gated command leaves an `agent.command_gate`
 * (the decision) and, when it ran, an `agent.command` (its output) in the same turn: the gate
 * event counts and the matching command event is skipped. A command without a gate event (an
 * agent whose runtime cannot enforce the gate) counts as allowed unless it was declined.
 */
export function* pastCommands(
  events: readonly Event[],
  pending = new PendingGates(),
): Generator<PastCommand> {
  for (const event of events) {
    const data = isRecord(event.data) ? event.data : {};
    const command = typeof data['command'] === 'string' ? data['command'] : null;
    if (command === null) continue;
    if (event.kind === 'agent.command_gate') {
      const decision = event.decision ?? data['decision'];
      if (!isDecision(decision)) continue;
      pending.add(event.turn_id, command);
      yield { event, command, before: decision };
    } else if (event.kind === 'agent.command') {
      if (pending.take(event.turn_id, command)) continue;
      yield { event, command, before: data['status'] === 'declined' ? 'forbidden' : 'allow' };
    }
  }
}

/** Gate events not yet matched by their command event, per turn; bounded so a long history stays small. */
export class PendingGates {
  private readonly byTurn = new Map<string, Map<string, number>>();

  add(turnId: string | null, command: string): void {
    const key = turnId ?? '';
    let commands = this.byTurn.get(key);
    if (!commands) {
      if (this.byTurn.size >= 1000) this.byTurn.delete(this.byTurn.keys().next().value as string);
      commands = new Map();
      this.byTurn.set(key, commands);
    }
    commands.set(command, (commands.get(command) ?? 0) + 1);
  }

  take(turnId: string | null, command: string): boolean {
    const commands = this.byTurn.get(turnId ?? '');
    const count = commands?.get(command) ?? 0;
    if (count === 0) return false;
    commands?.set(command, count - 1);
    return true;
  }
}
