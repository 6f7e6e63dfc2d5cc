import type { CrossReviewResult, MethodParams } from '@harness/protocol';
import { type AgentName, AgentNameSchema, type AgentRegistry } from '../agents/index.js';
import { ErrorCodes, HarnessError } from '../core/index.js';
import { chooseChallenger } from './challenger.js';
import { crossReview } from './engine.js';
import { threadReviewer, type ThreadServices } from './read-only-turn.js';
import { resolveTarget, type TargetDeps } from './target.js';

export interface CrossReviewDeps extends TargetDeps, ThreadServices {
  readonly agents: AgentRegistry;
}

export interface CrossReviewSettings {
  /** `[agents.review] min_confidence`. */
  readonly minConfidence: number;
}

/**
 * `cross_review` outside a task: the target resolved to a diff, the primary (the one asked for,
 * else the default agent) and a challenger of another provider (the one asked for, else the first
 * usable one; none when there is none), each on its own read-only thread in the target's checkout.
 * A turn that fails ends the call with `agent_error`, naming the agent and why.
 */
export async function runCrossReview(
  deps: CrossReviewDeps,
  project: { name: string; root: string; remote: string },
  params: MethodParams<'cross_review'>,
  settings: CrossReviewSettings,
): Promise<CrossReviewResult> {
  const resolved = await resolveTarget(deps, project, params.target);
  const primary =
    params.primary === undefined ? (await deps.agents.select()).name : agentNamed(params.primary, 'primary');
  const challenger = await chooseChallenger(
    deps.agents,
    primary,
    params.challenger === undefined ? 'auto' : agentNamed(params.challenger, 'challenger'),
  );
  const reviewerFor = (agent: AgentName, role: string) =>
    threadReviewer(deps, {
      agent,
      cwd: resolved.cwd,
      title: `cross-review ${role}: ${params.target}`,
      metadata: { cross_review: params.target, role },
    });
  const run = await crossReview({
    primary: reviewerFor(primary, 'primary'),
    challenger: challenger === null ? null : reviewerFor(challenger, 'challenger'),
    subject: { context: resolved.context, diff: resolved.diff, truncated: resolved.target.truncated },
    maxRounds: params.max_rounds ?? 3,
    minConfidence: settings.minConfidence,
  });
  if (run.kind === 'stopped')
    throw new HarnessError(ErrorCodes.agent, `cross_review: ${run.stop}`, { data: { turns: run.turns } });
  return { ...run.outcome, target: resolved.target };
}

function agentNamed(name: string, field: string): AgentName {
  const parsed = AgentNameSchema.safeParse(name);
  if (parsed.success) return parsed.data;
  throw new HarnessError(
    ErrorCodes.invalidParams,
    `${field}: unknown agent ${JSON.stringify(name)} (expected one of ${AgentNameSchema.options.join(', ')})`,
    { data: { path: [field] } },
  );
}
