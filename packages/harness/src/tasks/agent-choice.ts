import type { Task } from '@harness/protocol';
import type { AgentName, AgentRegistry } from '../agents/index.js';
import type { ResolvedProjectSettings } from '../core/index.js';
import { TaskFailure } from './task-failure.js';

/** The task's own agent, else the project's default; `auto` lets the registry pick a usable one. */
export async function chooseImplementor(
  agents: AgentRegistry,
  task: Task,
  settings: ResolvedProjectSettings,
): Promise<AgentName> {
  const requested = task.agent ?? settings.agent.default;
  const adapter = await agents.select(requested === 'auto' ? {} : { agent: requested as AgentName });
  return adapter.name;
}

/** Never the implementor: a configuration or a request that would make an agent review itself is refused. */
export async function chooseReviewer(
  agents: AgentRegistry,
  settings: ResolvedProjectSettings,
  implementor: AgentName,
): Promise<AgentName> {
  const wanted = settings.review.reviewer_agent;
  if (wanted === implementor) {
    throw new TaskFailure('self_review', `the reviewer (${wanted}) must not be the implementing agent`);
  }
  if (wanted !== 'auto') return (await agents.select({ agent: wanted as AgentName })).name;
  const other = (await agents.list()).find((a) => a.usable && a.name !== implementor);
  if (!other)
    throw new TaskFailure(
      'no_reviewer',
      `review is enabled but no usable agent other than ${implementor} can review`,
    );
  return other.name;
}
