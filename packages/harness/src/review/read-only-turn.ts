import type { ThreadService, TurnService } from '../threads/index.js';
import type { Reviewer } from './engine.js';

/**
 * An agent asked on its own thread, every turn read-only (the sandbox it runs in cannot write the
 * checkout), for `cross_review` and preflight outside a task. The turns are ordinary turns: stored,
 * announced, under the project's policy like any other. A turn that does not complete stops with
 * what went wrong, in words.
 */
export interface ThreadServices {
  readonly threads: ThreadService;
  readonly turns: TurnService;
}

export interface ReadOnlyAsk {
  agent: string;
  cwd: string;
  /** The thread's title: what the agent is asked for. */
  title: string;
  metadata: Record<string, string>;
  /** The task the turns belong to: their events are tagged with it. */
  taskId?: string;
}

export function threadReviewer(services: ThreadServices, ask: ReadOnlyAsk): Reviewer<string> {
  let threadId: string | null = null;
  return {
    name: ask.agent,
    async ask(prompt) {
      threadId ??= (
        await services.threads.start({
          cwd: ask.cwd,
          agent: ask.agent,
          title: ask.title,
          metadata: ask.metadata,
        })
      ).id;
      const started = await services.turns.start(
        { thread_id: threadId, input: prompt, agent: ask.agent, sandbox_mode: 'read-only' },
        ask.taskId === undefined ? {} : { taskId: ask.taskId },
      );
      const turn = await services.turns.wait(started.id);
      const costUsd = turn.usage?.cost_usd ?? 0;
      if (turn.status !== 'completed') {
        const why = turn.error?.message ?? 'no answer';
        return { ok: false, stop: `${ask.agent}'s turn ${turn.id} ${turn.status}: ${why}`, costUsd };
      }
      const answer = [...turn.items].reverse().find((item) => item.type === 'agent_message');
      return { ok: true, text: answer ? String(answer.text) : '', costUsd };
    },
  };
}
