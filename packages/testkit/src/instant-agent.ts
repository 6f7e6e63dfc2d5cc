import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentAdapter, AgentEvent, AgentTurn, TerminalEvent, TurnOptions } from '@harness/harness';

const usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, cost_usd: 0 };

/**
 * An agent that answers at once: it writes one file and reports success. With it, what a task
 * costs is Harness's own work — queue, worktree, git, store, events, PR — not a model's.
 */
export function instantAgent(): AgentAdapter {
  let n = 0;
  return {
    name: 'claude',
    probe: async () => ({
      name: 'claude',
      enabled: true,
      usable: true,
      reason: null,
      version: 'instant',
      binary_path: null,
      default_model: null,
      command_gate: 'enforced',
      model_access: null,
      model_access_reason: null,
    }),
    startTurn(options: TurnOptions): AgentTurn {
      const id = `instant-${++n}`;
      const file = `instant-${n}.txt`;
      writeFileSync(path.join(options.cwd, file), `${n}\n`);
      const base = { turn_id: id, agent: 'claude' as const };
      const terminal: TerminalEvent = {
        ...base,
        type: 'result',
        text: 'done',
        session_id: null,
        num_turns: 1,
        usage,
      };
      const events: AgentEvent[] = [{ ...base, type: 'file_change', path: file, kind: 'add' }, terminal];
      return {
        id,
        interrupt: () => undefined,
        done: Promise.resolve(terminal),
        async *[Symbol.asyncIterator]() {
          yield* events;
        },
      };
    },
  };
}
