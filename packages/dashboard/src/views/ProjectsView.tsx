import { useState, useSyncExternalStore } from 'react';
import type { Project } from '@harness/protocol';
import { ErrorMessage, Facts, Loading } from '../components/common.js';
import { useAction, useLoad, useServices } from '../services.js';
import { taskTitle } from '../state/format.js';
import { taskHref } from '../state/routes.js';
import { terminalStates } from '../state/task-states.js';

/** Registered projects: register, remove, their configuration and the worktrees their tasks use. */
export function ProjectsView() {
  const projects = useLoad(({ client }) => client.call('project/list'), []);
  return (
    <section aria-labelledby="projects-title">
      <h1 id="projects-title">Projects</h1>
      <RegisterProject onRegistered={projects.reload} />
      <ErrorMessage error={projects.error} />
      {projects.data === null ? (
        <Loading what="the projects" />
      ) : projects.data.projects.length === 0 ? (
        <p className="muted">No projects are registered.</p>
      ) : (
        projects.data.projects.map((project) => (
          <ProjectCard key={project.name} project={project} onRemoved={projects.reload} />
        ))
      )}
    </section>
  );
}

function ProjectCard({ project, onRemoved }: { project: Project; onRemoved: () => void }) {
  const { client, tasks } = useServices();
  const snapshot = useSyncExternalStore(tasks.subscribe, tasks.getSnapshot, tasks.getSnapshot);
  const { run, busy, error } = useAction();
  const worktrees = snapshot.tasks.filter(
    (task) => task.project === project.name && task.worktree !== null && !terminalStates.has(task.state),
  );
  const remove = async () => {
    if (!window.confirm(`Remove the project ${project.name}? Its tasks and files stay.`)) return;
    if (await run(() => client.call('project/remove', { name: project.name }))) onRemoved();
  };
  return (
    <article className="panel" aria-labelledby={`project-${project.name}`}>
      <h2 id={`project-${project.name}`}>
        {project.name} {project.default && <span className="tag">default</span>}
      </h2>
      <Facts
        items={[
          ['Root', <code key="root">{project.root}</code>],
          ['Max concurrent tasks', String(project.max_concurrent)],
          ['Default agent', project.default_agent ?? 'server default'],
          ['Reviewer agent', project.reviewer_agent ?? 'server default'],
          ['Registered by', project.source],
        ]}
      />
      <EffectiveSettings name={project.name} />
      <h3>Worktrees in use</h3>
      {worktrees.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {worktrees.map((task) => (
            <li key={task.id}>
              <code>{task.worktree}</code> — <a href={taskHref(task.id)}>{taskTitle(task)}</a> ({task.state})
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="danger"
        onClick={() => void remove()}
        disabled={busy || project.source === 'config'}
      >
        Remove {project.name}
      </button>
      {project.source === 'config' && (
        <span className="muted"> (from the configuration file: remove it there)</span>
      )}
      <ErrorMessage error={error} />
    </article>
  );
}

function RegisterProject({ onRegistered }: { onRegistered: () => void }) {
  const { client } = useServices();
  const { run, busy, error } = useAction();
  const [name, setName] = useState('');
  const [root, setRoot] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async () => {
    setProblem(null);
    if (!/^[A-Za-z0-9._-]+$/.test(name))
      return setProblem('The project name is letters, digits and . _ - only.');
    if (root.trim() === '')
      return setProblem('Give the root: the path of the project’s git checkout on the server.');
    if (await run(() => client.call('project/register', { name, root: root.trim() }))) {
      setName('');
      setRoot('');
      onRegistered();
    }
  };
  return (
    <form
      className="panel"
      aria-label="Registration"
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <h2>Register a project</h2>
      <div className="row">
        <div>
          <label htmlFor="project-name">Name</label>
          <input id="project-name" value={name} onChange={(event) => setName(event.target.value)} />
        </div>
        <div className="grow">
          <label htmlFor="project-root">Root</label>
          <input id="project-root" value={root} onChange={(event) => setRoot(event.target.value)} />
        </div>
      </div>
      <ErrorMessage error={problem ?? error} />
      <button type="submit" disabled={busy}>
        Register
      </button>
    </form>
  );
}

/** What the project's tasks run with: its overlay over the server's settings, as the server resolves it. */
function EffectiveSettings({ name }: { name: string }) {
  const settings = useLoad(({ client }) => client.call('project/config', { name }), [name]);
  return (
    <>
      <h3>Effective configuration</h3>
      <ErrorMessage error={settings.error} />
      {settings.data === null ? (
        <Loading what="the configuration" />
      ) : (
        // Shown as text: the server masks credentials in URLs; nothing here is rendered as markup.
        <pre data-testid="project-settings">{JSON.stringify(settings.data.settings, null, 2)}</pre>
      )}
    </>
  );
}
