import type { AgentName, AgentRegistry } from '../agents/index.js';
import { ErrorCodes, HarnessError, type ResolvedProjectSettings } from '../core/index.js';

/** The task's own agent, else the project's default; `auto` lets the registry pick a usable one. */
export async function chooseImplementor(
  agents: AgentRegistry,
  task: { agent?: string | null | undefined },
  settings: ResolvedProjectSettings,
): Promise<AgentName> {
  const requested = task.agent ?? settings.agent.default;
  const adapter = await agents.select(requested === 'auto' ? {} : { agent: requested as AgentName });
  return adapter.name;
}

const howToFix =
  "enable a second agent under [agents], set [agents.review] reviewer_agent (or the project's " +
  'reviewer_agent) to one, or submit the task with "review": false';

/**
 * The reviewer: the one asked for (the task's, else the project's `reviewer_agent`), or with "auto"
 * the first usable agent other than the implementor. Never the implementor, never an agent that
 * cannot run: each is refused with `no_reviewer` and what to configure.
 */
export async function chooseReviewer(
  agents: AgentRegistry,
  settings: ResolvedProjectSettings,
  implementor: AgentName,
  requested?: string,
): Promise<AgentName> {
  const wanted = requested ?? settings.review.reviewer_agent;
  if (wanted === implementor) {
    throw new HarnessError(
      ErrorCodes.noReviewer,
      `the reviewer (${wanted}) must not be the implementing agent; ${howToFix}`,
      { data: { implementor, reviewer: wanted } },
    );
  }
  const list = await agents.list();
  if (wanted !== 'auto') {
    const info = list.find((a) => a.name === wanted);
    if (info?.usable === true) return info.name;
    throw new HarnessError(
      ErrorCodes.noReviewer,
      `the reviewer ${wanted} is not usable (${info?.reason ?? 'unknown agent'}); ${howToFix}`,
      { data: { implementor, reviewer: wanted } },
    );
  }
  const other = list.find((a) => a.usable && a.name !== implementor);
  if (other) return other.name;
  const why = list
    .filter((a) => a.name !== implementor)
    .map((a) => `${a.name}: ${a.reason ?? 'usable'}`)
    .join('; ');
  throw new HarnessError(
    ErrorCodes.noReviewer,
    `review needs a reviewer other than the implementing agent ${implementor}, and no other agent is usable (${why}); ${howToFix}`,
    { data: { implementor, reviewer: 'auto' } },
  );
}
