import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { Event, Task, TaskDiff } from '@harness/protocol';
import { DiffView } from '../components/DiffView.js';
import { ErrorMessage, Facts, GradeBadge, Loading } from '../components/common.js';
import { Transcript } from '../components/Transcript.js';
import { describeError, useAction, useServices } from '../services.js';
import { formatCost, formatDuration, formatTokens, taskTitle } from '../state/format.js';
import { safeHttpUrl } from '../state/safe-url.js';
import { terminalStates } from '../state/task-states.js';
import { type TaskActivity, applyEvent, applyEvents, emptyActivity } from '../state/transcript.js';
import { useNow } from '../state/use-now.js';
import { retryOf } from '../state/retry.js';

/** Events the task view reads at first, 1000 a page: a long task's transcript. */
const MAX_EVENT_PAGES = 10;

/** One task: its state, live transcript, validation, review rounds, diff, pull request and actions. */
export function TaskView({ id }: { id: string }) {
  const { client, tasks, onEvent, reportError, epoch } = useServices();
  // Only this task's changes re-render the view: the store keeps each task object until it changes.
  const task = useSyncExternalStore(tasks.subscribe, () => tasks.get(id) ?? null);
  const [activity, setActivity] = useState<TaskActivity>(emptyActivity);
  const [error, setError] = useState<string | null>(null);
  const [diff, setDiff] = useState<TaskDiff | null>(null);
  const [diffError, setDiffError] = useState<string | null>(null);

  // Subscribe first and hold what streams in while the history loads, so nothing falls between.
  useEffect(() => {
    let loaded = false;
    const held: Event[] = [];
    const unsubscribe = onEvent((event) => {
      if (event.task_id !== id) return;
      if (loaded) setActivity((current) => applyEvent(current, event));
      else held.push(event);
    });
    let cancelled = false;
    (async () => {
      const detail = await client.call('task/get', { task_id: id });
      const { timeline, ...row } = detail;
      tasks.upsert(row as Task);
      let events = timeline;
      for (let page = 1; page < MAX_EVENT_PAGES && events.length === page * 1000; page++) {
        const more = await client.call('event/query', {
          task_id: id,
          after_seq: events[events.length - 1]!.seq,
          limit: 1000,
          order: 'asc',
        });
        events = [...events, ...more.events];
      }
      if (cancelled) return;
      setActivity(applyEvents(emptyActivity, [...events, ...held]));
      loaded = true;
    })().catch((caught: unknown) => {
      if (cancelled) return;
      reportError(caught);
      setError(describeError(caught));
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, [id, client, tasks, onEvent, reportError, epoch]);

  const loadDiff = useCallback(() => {
    client.call('task/diff', { task_id: id }).then(
      (answer) => {
        setDiff(answer);
        setDiffError(null);
      },
      (caught: unknown) => {
        reportError(caught);
        setDiffError(describeError(caught));
      },
    );
  }, [client, id, reportError, epoch]);

  // The diff again whenever the task moves on (a new stage commits, fixes, delivers), and after a sign-in.
  const state = task?.state;
  const lastLoad = useRef<string | undefined>(undefined);
  useEffect(() => {
    const key = `${state}|${epoch}`;
    if (state === undefined || key === lastLoad.current) return;
    lastLoad.current = key;
    loadDiff();
  }, [state, epoch, loadDiff]);

  if (error !== null && task === null) return <ErrorMessage error={error} />;
  if (task === null) return <Loading what="the task" />;
  return (
    <article className="task-view" aria-labelledby="task-title">
      <p>
        <a href="#/board">← Board</a>
      </p>
      <h1 id="task-title">{taskTitle(task)}</h1>
      <p className="task-header">
        <span data-testid="task-state" className={`state-pill state-${task.state}`}>
          {task.state}
        </span>{' '}
        <span className="muted">{task.id}</span>
      </p>
      <TaskActions task={task} />
      <TaskFacts task={task} tokens={activity.tokens.input + activity.tokens.output} />
      {task.error && (
        <p role="alert" className="error">
          {task.error.code}: {task.error.message}
        </p>
      )}
      {task.prompt && (
        <section aria-labelledby="prompt-title">
          <h2 id="prompt-title">Prompt</h2>
          <pre className="prose">{task.prompt}</pre>
        </section>
      )}
      <section aria-labelledby="transcript-title">
        <h2 id="transcript-title">Transcript</h2>
        <Transcript items={activity.transcript} />
      </section>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <ol className="timeline">
          {activity.timeline.map((entry) => (
            <li key={entry.seq}>
              <time dateTime={entry.ts}>{entry.ts.slice(11, 19)}</time> <span>{entry.summary}</span>
              {entry.decision && (
                <span className={`decision decision-${entry.decision}`}> {entry.decision}</span>
              )}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="validation-title">
        <h2 id="validation-title">Validation</h2>
        {activity.validations.length === 0 && <p className="muted">Not run yet.</p>}
        {activity.validations.map((run) => (
          <details key={run.seq} open={!run.passed}>
            <summary>
              Attempt {run.attempt}: {run.passed ? 'passed' : 'failed'}
            </summary>
            {run.commands.map((command, index) => (
              <div key={index}>
                <p>
                  <code>{command.command}</code> —{' '}
                  {command.passed ? 'passed' : `failed (exit ${command.exit_code ?? 'signal'})`},{' '}
                  {formatDuration(command.duration_ms)}
                </p>
                {command.output && <pre>{command.output}</pre>}
              </div>
            ))}
          </details>
        ))}
      </section>
      <section aria-labelledby="review-title">
        <h2 id="review-title">Review</h2>
        {task.rounds.length === 0 && <p className="muted">No review rounds.</p>}
        {task.rounds.map((round) => (
          <div key={round.round} className="review-round">
            <h3>
              Round {round.round}: {round.verdict.replaceAll('_', ' ')}{' '}
              <span className="muted">by {round.reviewer}</span>
            </h3>
            <p className="prose">{round.summary}</p>
            {round.findings.length > 0 && (
              <ul>
                {round.findings.map((finding, index) => (
                  <li key={index}>
                    <span className={`severity severity-${finding.severity}`}>{finding.severity}</span>{' '}
                    <code>
                      {finding.file}
                      {finding.line !== null ? `:${finding.line}` : ''}
                    </code>{' '}
                    {finding.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        ))}
      </section>
      <section aria-labelledby="diff-title">
        <h2 id="diff-title">
          Diff{' '}
          <button type="button" className="small" onClick={loadDiff}>
            Reload diff
          </button>
        </h2>
        <ErrorMessage error={diffError} />
        <DiffView diff={diff} />
      </section>
    </article>
  );
}

function TaskFacts({ task, tokens }: { task: Task; tokens: number }) {
  const now = useNow(task.finished_at ? 3_600_000 : 1000);
  const start = task.started_at ?? task.created_at;
  const end = task.finished_at ? Date.parse(task.finished_at) : now;
  const prUrl = safeHttpUrl(task.pr_url);
  return (
    <Facts
      items={[
        ['Project', task.project],
        ['Agent', task.agent ?? 'project default'],
        ['Reviewer', task.review ? (task.reviewer ?? 'project default') : 'no review'],
        ['Cost', formatCost(task.cost_usd)],
        ['Tokens', formatTokens(tokens)],
        ['Duration', formatDuration(Math.max(0, end - Date.parse(start)))],
        ['Grade', <GradeBadge key="grade" grade={task.grade} />],
        ['Branch', task.branch ?? '—'],
        ['Validation attempts', String(task.validation_attempts)],
        [
          'Pull request',
          prUrl ? (
            <a key="pr" data-testid="pr-link" href={prUrl} target="_blank" rel="noopener noreferrer">
              {task.pr_number !== null ? `#${task.pr_number}` : prUrl}
            </a>
          ) : task.delivery === 'branch' ? (
            'pushed branch'
          ) : (
            '—'
          ),
        ],
      ]}
    />
  );
}

/** Cancel, retry, and the answer to a pending approval (allow once / refuse). */
function TaskActions({ task }: { task: Task }) {
  const { client, tasks } = useServices();
  const { run, busy, error } = useAction();
  const [note, setNote] = useState('');
  const terminal = terminalStates.has(task.state);
  const cancel = () => run(async () => tasks.upsert(await client.call('task/cancel', { task_id: task.id })));
  const respond = (decision: 'allow_once' | 'deny') =>
    run(async () =>
      tasks.upsert(
        await client.call('task/respond', {
          task_id: task.id,
          decision,
          ...(note.trim() ? { note: note.trim() } : {}),
        }),
      ),
    );
  const retry = () =>
    run(async () => {
      const answer = await client.call('task/create', retryOf(task) as never);
      window.location.hash = `#/tasks/${encodeURIComponent(answer.task_id)}`;
    });
  return (
    <div className="task-actions">
      {task.state === 'needs_input' && task.pending_approval && (
        <div className="approval" role="region" aria-label="Approval">
          <p>
            The agent wants to run <code>{task.pending_approval.command}</code>
            {task.pending_approval.reason && <span className="muted"> — {task.pending_approval.reason}</span>}
          </p>
          <label htmlFor="approval-note">Note to the agent (optional)</label>
          <input id="approval-note" value={note} onChange={(event) => setNote(event.target.value)} />
        </div>
      )}
      <div className="actions">
        <button type="button" onClick={() => void cancel()} disabled={busy || terminal}>
          Cancel
        </button>
        <button type="button" onClick={() => void retry()} disabled={busy || !terminal}>
          Retry
        </button>
        {task.state === 'needs_input' && (
          <>
            <button
              type="button"
              className="primary"
              onClick={() => void respond('allow_once')}
              disabled={busy}
            >
              Allow once
            </button>
            <button type="button" className="danger" onClick={() => void respond('deny')} disabled={busy}>
              Refuse
            </button>
          </>
        )}
      </div>
      <ErrorMessage error={error} />
    </div>
  );
}
