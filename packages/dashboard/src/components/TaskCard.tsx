import { memo } from 'react';
import type { Task } from '@harness/protocol';
import { formatAge, formatCost, formatTokens, taskTitle } from '../state/format.js';
import { taskHref } from '../state/routes.js';

/**
 * One task on the board. Memoized: a streamed event re-renders only the card whose task, token
 * count or age changed, so a board of hundreds stays smooth.
 */
export const TaskCard = memo(function TaskCard({
  task,
  tokens,
  now,
}: {
  task: Task;
  tokens: number;
  now: number;
}) {
  const title = taskTitle(task);
  return (
    <article
      data-testid="task-card"
      data-task-id={task.id}
      data-state={task.state}
      className={`card state-${task.state}`}
    >
      <h3>
        <a href={taskHref(task.id)}>{title}</a>
      </h3>
      <p className="card-meta">
        <span className="project">{task.project}</span>
        <span className={`state-pill state-${task.state}`}>{task.state.replaceAll('_', ' ')}</span>
      </p>
      <dl className="card-facts">
        <div>
          <dt>Agent</dt>
          <dd>{task.agent ?? 'default'}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{formatCost(task.cost_usd)}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{formatTokens(tokens)}</dd>
        </div>
        <div>
          <dt>Age</dt>
          <dd>
            <time dateTime={task.created_at} title={task.created_at}>
              {formatAge(task.created_at, now)}
            </time>
          </dd>
        </div>
      </dl>
    </article>
  );
});
