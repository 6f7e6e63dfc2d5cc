import { useEffect, useState } from 'react';
import type { Event } from '@harness/protocol';
import { ErrorMessage, Loading } from '../components/common.js';
import { useLoad, useServices } from '../services.js';
import { taskHref } from '../state/routes.js';

interface EventFilter {
  project: string;
  kind: string;
  task: string;
  decision: string;
}

const decisions = [
  '',
  'pass',
  'warn',
  'block',
  'gate',
  'escalate',
  'complete',
  'allow',
  'prompt',
  'forbidden',
];
const MAX_SHOWN = 500;

/** Every stored event, newest first, filterable; new ones that match arrive live at the top. */
export function EventsView() {
  const { onEvent } = useServices();
  const [draft, setDraft] = useState<EventFilter>({ project: '', kind: '', task: '', decision: '' });
  const [filter, setFilter] = useState<EventFilter>(draft);
  const [live, setLive] = useState<Event[]>([]);
  const events = useLoad(
    ({ client }) =>
      client.call('event/query', {
        order: 'desc',
        limit: 200,
        ...(filter.project ? { project: filter.project } : {}),
        ...(filter.kind ? { kind: filter.kind } : {}),
        ...(filter.task ? { task_id: filter.task } : {}),
        ...(filter.decision ? { decision: filter.decision as Event['decision'] & string } : {}),
      }),
    [filter],
  );
  useEffect(() => {
    setLive([]);
    return onEvent((event) => {
      if (!matches(event, filter)) return;
      setLive((current) => [event, ...current].slice(0, MAX_SHOWN));
    });
  }, [onEvent, filter]);
  const loaded = events.data?.events ?? [];
  const newest = loaded[0]?.seq ?? 0;
  const shown = [...live.filter((event) => event.seq > newest), ...loaded].slice(0, MAX_SHOWN);
  const field = (key: keyof EventFilter) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [key]: event.target.value }));
  return (
    <section aria-labelledby="events-title">
      <h1 id="events-title">Events</h1>
      <form
        className="filters"
        aria-label="Event filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter(draft);
        }}
      >
        <div>
          <label htmlFor="events-project">Project</label>
          <input id="events-project" value={draft.project} onChange={field('project')} />
        </div>
        <div>
          <label htmlFor="events-kind">Kind</label>
          <input id="events-kind" placeholder="task.stage" value={draft.kind} onChange={field('kind')} />
        </div>
        <div>
          <label htmlFor="events-task">Task</label>
          <input id="events-task" value={draft.task} onChange={field('task')} />
        </div>
        <div>
          <label htmlFor="events-decision">Decision</label>
          <select id="events-decision" value={draft.decision} onChange={field('decision')}>
            {decisions.map((decision) => (
              <option key={decision} value={decision}>
                {decision || 'Any'}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Apply</button>
      </form>
      <ErrorMessage error={events.error} />
      {events.data === null && !events.error ? (
        <Loading what="the events" />
      ) : (
        <table className="events">
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Time</th>
              <th scope="col">Kind</th>
              <th scope="col">Project</th>
              <th scope="col">Task</th>
              <th scope="col">Decision</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((event) => (
              <tr key={event.seq}>
                <td>{event.seq}</td>
                <td>
                  <time dateTime={event.ts}>{event.ts.replace('T', ' ').slice(0, 19)}</time>
                </td>
                <td>
                  <code>{event.kind}</code>
                </td>
                <td>{event.project ?? ''}</td>
                <td>{event.task_id && <a href={taskHref(event.task_id)}>{event.task_id}</a>}</td>
                <td>{event.decision ?? ''}</td>
                <td>
                  <details>
                    <summary>{event.reason ?? 'data'}</summary>
                    <pre>{JSON.stringify(event.data, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function matches(event: Event, filter: EventFilter): boolean {
  if (filter.project && event.project !== filter.project) return false;
  if (filter.kind && event.kind !== filter.kind) return false;
  if (filter.task && event.task_id !== filter.task) return false;
  if (filter.decision && event.decision !== filter.decision) return false;
  return true;
}
