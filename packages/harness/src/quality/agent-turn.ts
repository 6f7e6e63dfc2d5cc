import type { AgentAdapter, TurnLimits, TurnOptions } from '../agents/index.js';
import { describeError } from '../core/index.js';

/**
 * One agent turn that may only read: the caller gives a read-only sandbox (bubblewrap where the
 * host has it) and the turn gets a budget it cannot cross. Used where the quality loop asks an
 * agent to propose something (learned rules and skills) — the answer is text to parse, never a
 * change to the project. Spend is what the agent's own usage reports, also when it fails.
 */
export interface ReadOnlyAgent {
  readonly name: string;
  readonly model: string | null;
  run(prompt: string, options: { budgetUsd: number }): Promise<AgentAnswer>;
}

export type AgentAnswer =
  { ok: true; text: string; cost_usd: number } | { ok: false; error: string; cost_usd: number };

export interface ReadOnlyAgentOptions {
  /** The project's checkout, where the agent may read. */
  readonly cwd: string;
  /** Must be a read-only sandbox of `cwd`. */
  readonly sandbox: TurnOptions['sandbox'];
  readonly limits: TurnLimits;
  readonly model?: string | null;
  /** Told to the agent on top of the prompt: what it may do. */
  readonly systemPrompt?: string;
}

const READ_ONLY_NOTE =
  'You are proposing changes for a person to review. Only read and search the project (Read, Grep, Glob); ' +
  'do not edit files or run commands. Put every file you propose in your answer as a fenced block whose ' +
  'opening line names the language and the path relative to the project root.';

export function readOnlyAgent(adapter: AgentAdapter, options: ReadOnlyAgentOptions): ReadOnlyAgent {
  if (options.sandbox.mode !== 'read-only')
    throw new Error(`readOnlyAgent needs a read-only sandbox, not ${options.sandbox.mode}`);
  const model = options.model ?? null;
  return {
    name: adapter.name,
    model,
    async run(prompt, { budgetUsd }) {
      let cost = 0;
      try {
        const turn = adapter.startTurn({
          prompt,
          cwd: options.cwd,
          sandbox: options.sandbox,
          limits: { ...options.limits, maxCostUsd: budgetUsd },
          appendSystemPrompt: options.systemPrompt ?? READ_ONLY_NOTE,
          ...(model === null ? {} : { model }),
        });
        for await (const event of turn) if (event.type === 'usage') cost = event.total_cost_usd;
        const end = await turn.done;
        if (end.type === 'result')
          return { ok: true, text: end.text, cost_usd: Math.max(cost, end.usage.cost_usd) };
        return {
          ok: false,
          error: `${end.code}: ${end.message}`,
          cost_usd: Math.max(cost, end.usage?.cost_usd ?? 0),
        };
      } catch (error) {
        return { ok: false, error: describeError(error), cost_usd: cost };
      }
    },
  };
}
