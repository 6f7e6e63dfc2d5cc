import { useState } from 'react';
import type { MethodResult } from '@harness/protocol';
import { ErrorMessage, Loading } from '../components/common.js';
import { useAction, useLoad, useProjects, useServices } from '../services.js';
import { taskHref } from '../state/routes.js';

type CheckResult = MethodResult<'rule/check'>;

/** The execution policy: its loaded rules, its recent decisions, and a box to test a command. */
export function PolicyView() {
  const [chosen, setChosen] = useState<string | null>(null);
  const { projects, project } = useProjects(chosen);
  const list = projects.data?.projects ?? [];
  return (
    <section aria-labelledby="policy-title">
      <h1 id="policy-title">Policy</h1>
      <ErrorMessage error={projects.error} />
      {projects.data === null ? (
        <Loading what="the projects" />
      ) : project === null ? (
        <p className="muted">Register a project to see its policy.</p>
      ) : (
        <>
          <label htmlFor="policy-project">Project</label>
          <select
            id="policy-project"
            value={project.name}
            onChange={(event) => setChosen(event.target.value)}
          >
            {list.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
          <CommandCheck root={project.root} />
          <Rules root={project.root} />
          <Decisions project={project.name} />
        </>
      )}
    </section>
  );
}

function CommandCheck({ root }: { root: string }) {
  const { client } = useServices();
  const { run, busy, error } = useAction();
  const [command, setCommand] = useState('');
  const [result, setResult] = useState<CheckResult | null>(null);
  const check = () =>
    run(async () => setResult(await client.call('rule/check', { project_root: root, command })));
  return (
    <form
      className="panel"
      aria-label="Try the policy"
      onSubmit={(event) => {
        event.preventDefault();
        if (command.trim() !== '') void check();
      }}
    >
      <h2>Test a command</h2>
      <label htmlFor="policy-command">Command</label>
      <div className="row">
        <input
          id="policy-command"
          className="grow mono"
          value={command}
          spellCheck={false}
          onChange={(event) => setCommand(event.target.value)}
        />
        <button type="submit" disabled={busy || command.trim() === ''}>
          Check
        </button>
      </div>
      <ErrorMessage error={error} />
      {result !== null && result.kind === 'command' && (
        <div role="status">
          <p>
            Decision:{' '}
            <strong data-testid="policy-decision" className={`decision decision-${result.decision}`}>
              {result.decision}
            </strong>{' '}
            — {result.reason}
          </p>
          {result.matched_rules.length > 0 && (
            <ul>
              {result.matched_rules.map((rule, index) => (
                <li key={index}>
                  <code>{rule.rule}</code> ({rule.decision}) at{' '}
                  <code>
                    {rule.file}:{rule.line}
                  </code>
                  {rule.justification && <span className="muted"> — {rule.justification}</span>}
                </li>
              ))}
            </ul>
          )}
          {result.problems.length > 0 && (
            <ul className="error">
              {result.problems.map((problem, index) => (
                <li key={index}>{problem}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}

function Rules({ root }: { root: string }) {
  const rules = useLoad(({ client }) => client.call('rule/load', { project_root: root }), [root]);
  const data = rules.data;
  return (
    <section aria-labelledby="rules-title" className="panel">
      <h2 id="rules-title">Loaded rules</h2>
      <ErrorMessage error={rules.error} />
      {data === null ? (
        <Loading what="the rules" />
      ) : (
        <>
          <p className="muted">
            Default decision: {data.default_decision}. Files:{' '}
            {data.files.length === 0 ? 'none' : data.files.join(', ')}
          </p>
          <table>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Decision</th>
                <th scope="col">Where</th>
              </tr>
            </thead>
            <tbody>
              {data.prefix_rules.map((rule, index) => (
                <tr key={index}>
                  <td>
                    <code>{rule.rule}</code>
                    {rule.justification && <div className="muted">{rule.justification}</div>}
                  </td>
                  <td className={`decision decision-${rule.decision}`}>{rule.decision}</td>
                  <td>
                    <code>
                      {rule.file}:{rule.line}
                    </code>
                  </td>
                </tr>
              ))}
              {data.network_rules.map((rule, index) => (
                <tr key={`n${index}`}>
                  <td>
                    network {rule.protocol} <code>{rule.host}</code>
                  </td>
                  <td className={`decision decision-${rule.decision}`}>{rule.decision}</td>
                  <td>{rule.justification ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function Decisions({ project }: { project: string }) {
  const decisions = useLoad(
    ({ client }) =>
      client.call('event/query', { kind: 'agent.command_gate', project, order: 'desc', limit: 50 }),
    [project],
  );
  return (
    <section aria-labelledby="decisions-title" className="panel">
      <h2 id="decisions-title">Recent decisions</h2>
      <ErrorMessage error={decisions.error} />
      {decisions.data === null ? (
        <Loading what="the decisions" />
      ) : decisions.data.events.length === 0 ? (
        <p className="muted">No command has been checked yet.</p>
      ) : (
        <ul>
          {decisions.data.events.map((event) => {
            const data = (event.data ?? {}) as { command?: unknown };
            return (
              <li key={event.seq}>
                <time dateTime={event.ts}>{event.ts.replace('T', ' ').slice(0, 19)}</time>{' '}
                <span className={`decision decision-${event.decision ?? ''}`}>{event.decision}</span>{' '}
                <code>{typeof data.command === 'string' ? data.command : ''}</code>
                {event.task_id && (
                  <>
                    {' '}
                    <a href={taskHref(event.task_id)}>task</a>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
