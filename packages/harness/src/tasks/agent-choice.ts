import type { TaskCreate, TaskRouting } from '@harness/protocol';
import type { AgentName, AgentRegistry } from '../agents/index.js';
import { ErrorCodes, HarnessError, type ResolvedProjectSettings } from '../core/index.js';
import { classifyTask } from './classify.js';

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

/**
 * Routing at submission: the task is classified from what is known of it then (its prompt, or its
 * issue or pull request number and description), and the registry picks the agent and model for
 * that complexity. An agent asked for that cannot run is refused here, not failed once the task runs.
 */
export async function routeTask(
  agents: AgentRegistry,
  task: Pick<TaskCreate, 'agent' | 'prompt' | 'description' | 'issue' | 'pr'>,
  settings: ResolvedProjectSettings,
): Promise<TaskRouting> {
  const known = [
    task.prompt,
    task.issue === undefined ? undefined : `issue #${task.issue}`,
    task.pr === undefined ? undefined : `pull request #${task.pr}`,
    task.description,
  ].filter((part): part is string => part !== undefined);
  const { complexity } = classifyTask({ prompt: known.join('\n') });
  const asked = task.agent ?? (settings.agent.default === 'auto' ? undefined : settings.agent.default);
  const askedBy = task.agent !== undefined ? 'the task' : `the default agent of project ${settings.name}`;
  const route = await agents.route({
    ...(asked === undefined ? {} : { agent: asked as AgentName, askedBy }),
    complexity,
  });
  return {
    complexity,
    agent: route.agent,
    model: route.model,
    reason: `${complexity} work: ${route.reason}`,
  };
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
