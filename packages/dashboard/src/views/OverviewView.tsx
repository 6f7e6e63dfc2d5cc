import { useEffect, useSyncExternalStore } from 'react';
import { ErrorMessage, Facts, GradeBadge, Loading } from '../components/common.js';
import { useLoad, useServices } from '../services.js';
import { needsAttention } from '../state/board.js';
import { formatCost, taskTitle } from '../state/format.js';
import { taskHref } from '../state/routes.js';

/** Counts and grades, globally and per project, and what needs attention first. */
export function OverviewView() {
  const { tasks, onEvent } = useServices();
  const snapshot = useSyncExternalStore(tasks.subscribe, tasks.getSnapshot, tasks.getSnapshot);
  const dashboard = useLoad(({ client }) => client.call('dashboard/get'), []);
  const { reload } = dashboard;
  // Counts move when a task finishes or changes state; at most one reload per second.
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = onEvent((event) => {
      if ((event.kind === 'task.stage' || event.kind === 'task.finished') && timer === null)
        timer = setTimeout(() => {
          timer = null;
          reload();
        }, 1000);
    });
    return () => {
      unsubscribe();
      if (timer !== null) clearTimeout(timer);
    };
  }, [onEvent, reload]);
  const urgent = needsAttention(snapshot.tasks);
  const data = dashboard.data;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <ErrorMessage error={dashboard.error} />
      {data === null ? (
        <Loading what="the overview" />
      ) : (
        <>
          <Facts
            items={[
              ['Running', data.global.running],
              ['Queued', data.global.queued],
              ['Needs input', data.global.needs_input],
              ['Failed', data.global.failed],
              ['Done', data.global.done],
              ['Cancelled', data.global.cancelled],
              ['Cost', formatCost(data.global.cost_usd)],
              ['Task grade', <GradeBadge key="g" grade={data.global.grade} />],
              ['Quality', <GradeBadge key="q" grade={data.global.quality?.grade} />],
            ]}
          />
          <h2>Needs attention</h2>
          {urgent.length === 0 ? (
            <p className="muted">Nothing waits for you.</p>
          ) : (
            <ul className="attention">
              {urgent.map((task) => (
                <li key={task.id}>
                  <span className={`state-pill state-${task.state}`}>{task.state.replaceAll('_', ' ')}</span>{' '}
                  <a href={taskHref(task.id)}>{taskTitle(task)}</a>{' '}
                  <span className="muted">{task.project}</span>
                </li>
              ))}
            </ul>
          )}
          <h2>Projects</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Running</th>
                <th scope="col">Queued</th>
                <th scope="col">Done</th>
                <th scope="col">Failed</th>
                <th scope="col">Quality</th>
              </tr>
            </thead>
            <tbody>
              {data.projects.map((project) => (
                <tr key={project.name}>
                  <th scope="row">{project.name}</th>
                  <td>{project.tasks.running}</td>
                  <td>{project.tasks.queued}</td>
                  <td>{project.tasks.done}</td>
                  <td>{project.tasks.failed}</td>
                  <td>
                    <GradeBadge grade={project.quality?.grade} />
                    {project.quality && <span className="muted"> {project.quality.score.toFixed(0)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
