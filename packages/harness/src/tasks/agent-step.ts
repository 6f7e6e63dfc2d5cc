import type { SandboxModeName, Turn } from '@harness/protocol';
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
  private threadId: string | null = null;

  constructor(
    private readonly threads: ThreadService,
    private readonly turns: TurnService,
    private readonly options: {
      taskId: string;
      cwd: string;
      agent: string;
      role: string;
      sandbox?: SandboxModeName;
    },
  ) {}

  async ask(input: string, signal: AbortSignal): Promise<AgentStepResult> {
    if (signal.aborted) throw signal.reason;
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
        ...(this.options.sandbox ? { sandbox_mode: this.options.sandbox } : {}),
      },
      { taskId: this.options.taskId },
    );
    const cancel = () => void this.turns.cancel(started.id);
    signal.addEventListener('abort', cancel, { once: true });
    // A cancel that came while the turn was starting found no listener: the turn must still end.
    if (signal.aborted) cancel();
    try {
      const turn = await this.turns.wait(started.id);
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
