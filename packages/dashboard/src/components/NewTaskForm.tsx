import { useEffect, useRef, useState } from 'react';
import { useAction, useLoad, useServices } from '../services.js';
import { ErrorMessage } from './common.js';

type Kind = 'prompt' | 'issue' | 'pr';

/**
 * Submits a task: a prompt, an issue or a pull request, on a project, by an agent. A page of its
 * own (`#/new`), so its Project and Agent fields are the only ones so labelled while it is open.
 */
export function NewTaskForm({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (id: string) => void;
}) {
  const { client } = useServices();
  const choices = useLoad(async ({ client }) => {
    const [projects, agents] = await Promise.all([client.call('project/list'), client.call('agent/list')]);
    return { projects: projects.projects, agents: agents.agents };
  }, []);
  const [kind, setKind] = useState<Kind>('prompt');
  const [prompt, setPrompt] = useState('');
  const [number, setNumber] = useState('');
  const [project, setProject] = useState('');
  const [agent, setAgent] = useState('');
  const [review, setReview] = useState(true);
  const [problem, setProblem] = useState<string | null>(null);
  const { run, busy, error } = useAction();
  const first = useRef<HTMLTextAreaElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async () => {
    setProblem(null);
    const body: Record<string, unknown> = {};
    if (kind === 'prompt') {
      if (prompt.trim() === '') return setProblem('Write the prompt: what the agent should do.');
      body.prompt = prompt;
    } else {
      const n = Number(number);
      if (!Number.isInteger(n) || n <= 0)
        return setProblem(
          `Give the ${kind === 'issue' ? 'issue' : 'pull request'} number (a whole number above 0).`,
        );
      body[kind] = n;
    }
    if (project) body.project = project;
    if (agent) body.agent = agent;
    // Unchecked skips the review stage; checked follows the project's setting.
    if (!review) body.review = false;
    let created: string | null = null;
    const ok = await run(async () => {
      const answer = await client.call('task/create', body as never);
      created = answer.task_id;
    });
    if (ok && created !== null) onCreated(created);
  };

  return (
    <section className="panel narrow" aria-labelledby="new-task-title">
      <form
        aria-label="New task"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h1 id="new-task-title">New task</h1>
        <fieldset className="inline">
          <legend>What to work from</legend>
          {(['prompt', 'issue', 'pr'] as const).map((value) => (
            <label key={value}>
              <input
                type="radio"
                name="task-kind"
                value={value}
                checked={kind === value}
                onChange={() => setKind(value)}
              />
              {value === 'prompt'
                ? 'Written instructions'
                : value === 'issue'
                  ? 'A GitHub issue'
                  : 'A pull request'}
            </label>
          ))}
        </fieldset>
        {kind === 'prompt' ? (
          <>
            <label htmlFor="new-task-prompt">Prompt</label>
            <textarea
              id="new-task-prompt"
              ref={first}
              rows={6}
              value={prompt}
              onChange={(event) => setPrompt(event.target.value)}
            />
          </>
        ) : (
          <>
            <label htmlFor="new-task-number">
              {kind === 'issue' ? 'Issue number' : 'Pull request number'}
            </label>
            <input
              id="new-task-number"
              type="number"
              min={1}
              inputMode="numeric"
              value={number}
              onChange={(event) => setNumber(event.target.value)}
            />
          </>
        )}
        <div className="row">
          <div>
            <label htmlFor="new-task-project">Project</label>
            <select
              id="new-task-project"
              value={project}
              onChange={(event) => setProject(event.target.value)}
            >
              <option value="">Default project</option>
              {choices.data?.projects.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="new-task-agent">Agent</label>
            <select id="new-task-agent" value={agent} onChange={(event) => setAgent(event.target.value)}>
              <option value="">Project default</option>
              {choices.data?.agents.map((a) => (
                <option key={a.name} value={a.name} disabled={!a.usable}>
                  {a.name}
                  {a.usable ? '' : ' (not usable)'}
                </option>
              ))}
            </select>
          </div>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={review} onChange={(event) => setReview(event.target.checked)} />
          Review before delivery
        </label>
        <ErrorMessage error={problem ?? error ?? choices.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={busy}>
            Submit task
          </button>
          <button type="button" onClick={onClose}>
            Back
          </button>
        </div>
      </form>
    </section>
  );
}
