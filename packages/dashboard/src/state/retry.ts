import type { Task } from '@harness/protocol';

/** A new task asking for the same work as `task`, on the same project, agent and options. */
export function retryOf(task: Task): Record<string, unknown> {
  const body: Record<string, unknown> = { project: task.project };
  if (task.prompt !== null) body.prompt = task.prompt;
  else if (task.issue !== null) body.issue = task.issue;
  else if (task.pr !== null) body.pr = task.pr;
  if (task.description !== null) body.description = task.description;
  if (task.agent !== null) body.agent = task.agent;
  if (task.reviewer !== null) body.reviewer = task.reviewer;
  if (!task.review) body.review = false;
  if (task.budget_usd !== null) body.budget_usd = task.budget_usd;
  if (task.deliver !== null) body.deliver = task.deliver;
  if (task.priority !== 0) body.priority = task.priority;
  return body;
}
