import type { SandboxModeName, Turn } from '@harness/protocol';
import type { CommandGate } from '../agents/index.js';
import type { ThreadService } from '../threads/index.js';
import type { TurnService } from '../threads/index.js';

export interface AgentStepResult {
  turn: Turn;
  ok: boolean;
  /** The agent's final message. */
  text: string;
  costUsd: number;
}

/**
 * One agent conversation of a task (the implementor's, or the reviewer's): a thread in the
 * worktree, whose turns continue the same native session, every event tagged with the task.
 */
export class AgentConversation {
  private threadId: string | null;
  private preface: string | null;

  constructor(
    private readonly threads: ThreadService,
    private readonly turns: TurnService,
    private readonly options: {
      taskId: string;
      cwd: string;
      agent: string;
      role: 'implementor' | 'reviewer';
      sandbox?: SandboxModeName;
      /** The model routing chose for this agent; the agent's default when absent. */
      model?: string;
      /** The task's approvals on top of the policy gate of each turn. */
      gate?: (policy: CommandGate | undefined) => CommandGate | undefined;
      /** Continues this thread (an earlier run's) instead of starting one. */
      threadId?: string | null;
      /** Said before the next input: what happened while the task waited. */
      preface?: string;
      /** Runs after each turn ends, whatever its outcome (the task reads back its plan). */
      afterTurn?: () => Promise<void>;
      /** The project's root (skills are discovered from it) and the skills the task names. */
      projectRoot?: string;
      skills?: string[];
    },
  ) {
    this.threadId = options.threadId ?? null;
    this.preface = options.preface ?? null;
  }

  get role(): 'implementor' | 'reviewer' {
    return this.options.role;
  }

  /** The conversation's thread, once its first turn started. */
  get thread(): string | null {
    return this.threadId;
  }

  async ask(prompt: string, signal: AbortSignal): Promise<AgentStepResult> {
    if (signal.aborted) throw signal.reason;
    const input = this.preface === null ? prompt : `${this.preface}\n\n${prompt}`;
    this.preface = null;
    this.threadId ??= (
      await this.threads.start({
        cwd: this.options.cwd,
        agent: this.options.agent,
        title: `${this.options.role} of ${this.options.taskId}`,
        metadata: { task_id: this.options.taskId, role: this.options.role },
      })
    ).id;
    const started = await this.turns.start(
      {
        thread_id: this.threadId,
        input,
        agent: this.options.agent,
        ...(this.options.model === undefined ? {} : { model: this.options.model }),
        ...(this.options.sandbox ? { sandbox_mode: this.options.sandbox } : {}),
      },
      {
        taskId: this.options.taskId,
        ...(this.options.gate ? { gate: this.options.gate } : {}),
        ...(this.options.projectRoot ? { projectRoot: this.options.projectRoot } : {}),
        ...(this.options.skills ? { skills: this.options.skills } : {}),
      },
    );
    const cancel = () => void this.turns.cancel(started.id);
    signal.addEventListener('abort', cancel, { once: true });
    // A cancel that came while the turn was starting found no listener: the turn must still end.
    if (signal.aborted) cancel();
    try {
      const turn = await this.turns.wait(started.id);
      await this.options.afterTurn?.();
      const answer = [...turn.items].reverse().find((item) => item.type === 'agent_message');
      return {
        turn,
        ok: turn.status === 'completed',
        text: answer ? String(answer.text) : '',
        costUsd: turn.usage?.cost_usd ?? 0,
      };
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  }
}
