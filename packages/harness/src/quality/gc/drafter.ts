import type { AgentChoice, ProcessGroupJournal } from '../../core/index.js';
import { type AgentRegistry, type CommandGate } from '../../agents/index.js';
import { loadPolicy } from '../../policy/index.js';

/**
 * The drafting agent's one turn: read-only sandbox, read/search tools only, commands only to read,
 * and the per-draft budget as the turn's cost limit (enforced by the model gateway or the adapter,
 * which kill the turn once it is passed). What it cost is taken from the agent's reported usage,
 * also when the turn failed.
 */

export interface DraftRequest {
  prompt: string;
  /** The project root: the agent's working directory, read-only. */
  root: string;
  budgetUsd: number;
  signal?: AbortSignal;
}

export interface DraftAnswer {
  /** The agent's final answer (empty when the turn failed). */
  text: string;
  cost_usd: number;
  agent: string;
  model: string | null;
  /** Why the turn failed (`budget_exceeded: …`), or null. */
  error: string | null;
}

/** Runs one drafting turn; the port GC drafts through (tests may give an in-process one). */
export interface Drafter {
  draft(request: DraftRequest): Promise<DraftAnswer>;
}

/** The tools a drafting agent may use: it reads and searches, nothing else. */
export const DRAFT_TOOLS = ['Read', 'Grep', 'Glob'] as const;

/**
 * What a drafting agent may run: programs that read and search. Agents without read and search
 * tools of their own (Codex) look at the project through commands. The read-only sandbox is what
 * stops writes; this keeps the agent to reading, and anything else (or what the analysis cannot
 * follow) is refused, which ends the turn: there is nobody to ask.
 */
const readOnlyPolicy = loadPolicy(
  {
    files: [
      {
        path: 'gc-drafting (built in)',
        source: `
prefix_rule(pattern = [["cat", "head", "tail", "ls", "wc", "grep", "egrep", "fgrep", "rg", "find", "tree", "file", "stat", "pwd", "nl"]], decision = "allow")
prefix_rule(pattern = ["sed", "-n"], decision = "allow")
prefix_rule(pattern = ["git", ["log", "show", "diff", "grep", "status", "ls-files", "blame"]], decision = "allow")
`,
      },
    ],
  },
  { defaultDecision: 'forbidden' },
);

/** `rg --pre CMD` runs CMD on every file it searches, which a prefix rule cannot see. */
const runsAPreprocessor = /(^|\s)--pre(-glob)?(=|\s|$)/;

export const readOnlyCommandGate: CommandGate = async ({ command }) => {
  const result = readOnlyPolicy.checkCommandLine(command);
  if (result.decision === 'allow' && !runsAPreprocessor.test(command)) return { decision: 'allow' };
  return {
    decision: 'forbidden',
    reason: `GC drafting is read-only (${result.reason}): read and search, and propose files in your answer`,
  };
};

export class AgentDrafter implements Drafter {
  constructor(
    private readonly agents: AgentRegistry,
    private readonly agent: AgentChoice,
    /** Where the agent's process groups are written down, so a restarted server ends survivors. */
    private readonly processGroups?: () => ProcessGroupJournal,
  ) {}

  async draft(request: DraftRequest): Promise<DraftAnswer> {
    const adapter = await this.agents.select(this.agent === 'auto' ? {} : { agent: this.agent });
    await this.agents.assertSandboxUsable('read-only');
    const turn = adapter.startTurn({
      prompt: request.prompt,
      cwd: request.root,
      sandbox: this.agents.sandboxFor(request.root, 'read-only'),
      limits: { ...this.agents.defaultLimits(), maxCostUsd: request.budgetUsd },
      tools: DRAFT_TOOLS,
      commandGate: readOnlyCommandGate,
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      ...(this.processGroups === undefined ? {} : { processGroups: this.processGroups() }),
    });
    let model: string | null = null;
    const texts: string[] = [];
    for await (const event of turn) {
      if (event.type === 'turn_started') model = event.model;
      if (event.type === 'text') texts.push(event.text);
    }
    const done = await turn.done;
    if (done.type === 'result') {
      const text = done.text.trim() === '' ? texts.join('\n') : done.text;
      return { text, cost_usd: done.usage.cost_usd, agent: adapter.name, model, error: null };
    }
    return {
      text: '',
      cost_usd: done.usage?.cost_usd ?? 0,
      agent: adapter.name,
      model,
      error: `${done.code}: ${done.message}`,
    };
  }
}
