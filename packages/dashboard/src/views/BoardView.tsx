import { useMemo, useState, useSyncExternalStore } from 'react';
import { taskStateSchemaValues } from '../state/task-states.js';
import { type BoardFilter, boardGroups, filterOptions, groupTasks, noFilter } from '../state/board.js';
import { useNow } from '../state/use-now.js';
import { useServices } from '../services.js';
import { TaskCard } from '../components/TaskCard.js';

/** Every project's tasks, grouped by what they need, live from the event stream. */
export function BoardView() {
  const { tasks } = useServices();
  const snapshot = useSyncExternalStore(tasks.subscribe, tasks.getSnapshot, tasks.getSnapshot);
  const [filter, setFilter] = useState<BoardFilter>(noFilter);
  const now = useNow();
  const options = useMemo(() => filterOptions(snapshot.tasks), [snapshot.tasks]);
  const groups = useMemo(() => groupTasks(snapshot.tasks, filter), [snapshot.tasks, filter]);
  const set = (key: keyof BoardFilter) => (event: { target: { value: string } }) =>
    setFilter((previous) => ({ ...previous, [key]: event.target.value }));
  return (
    <section aria-labelledby="board-title">
      <h1 id="board-title">Board</h1>
      <form className="filters" aria-label="Filters" onSubmit={(event) => event.preventDefault()}>
        <div>
          <label htmlFor="filter-project">Project</label>
          <select id="filter-project" value={filter.project} onChange={set('project')}>
            <option value="">All projects</option>
            {options.projects.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-agent">Agent</label>
          <select id="filter-agent" value={filter.agent} onChange={set('agent')}>
            <option value="">All agents</option>
            {options.agents.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="filter-state">State</label>
          <select id="filter-state" value={filter.state} onChange={set('state')}>
            <option value="">All states</option>
            {taskStateSchemaValues.map((state) => (
              <option key={state} value={state}>
                {state.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div className="board">
        {boardGroups.map((group) => (
          <section key={group} aria-label={group} className="board-group">
            <h2>
              {group} <span className="count">{groups[group].length}</span>
            </h2>
            {groups[group].length === 0 ? (
              <p className="muted">None</p>
            ) : (
              groups[group].map((task) => (
                <TaskCard key={task.id} task={task} tokens={snapshot.tokens.get(task.id) ?? 0} now={now} />
              ))
            )}
          </section>
        ))}
      </div>
    </section>
  );
}
