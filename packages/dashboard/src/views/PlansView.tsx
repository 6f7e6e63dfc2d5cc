import { ErrorMessage, Loading } from '../components/common.js';
import { useLoad, useProjects } from '../services.js';

/** ExecPlans per project: the list with progress, and one plan's milestones, steps and decisions. */
export function PlansView({ project, plan }: { project: string | null; plan: string | null }) {
  const { projects, project: chosen } = useProjects(project);
  const list = projects.data?.projects ?? [];
  return (
    <section aria-labelledby="plans-title">
      <h1 id="plans-title">Plans</h1>
      <ErrorMessage error={projects.error} />
      {projects.data === null ? (
        <Loading what="the projects" />
      ) : chosen === null ? (
        <p className="muted">Register a project to see its plans.</p>
      ) : (
        <>
          <nav aria-label="Plan sources">
            <ul className="inline-list">
              {list.map((p) => (
                <li key={p.name}>
                  <a
                    href={`#/plans/${encodeURIComponent(p.name)}`}
                    aria-current={p.name === chosen.name ? 'page' : undefined}
                  >
                    {p.name}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <PlanList project={chosen.name} root={chosen.root} />
          {plan !== null && <PlanDetail root={chosen.root} plan={plan} key={plan} />}
        </>
      )}
    </section>
  );
}

function PlanList({ project, root }: { project: string; root: string }) {
  const plans = useLoad(({ client }) => client.call('exec_plan/list', { project_root: root }), [root]);
  return (
    <>
      <ErrorMessage error={plans.error} />
      {plans.data === null ? (
        !plans.error && <Loading what="the plans" />
      ) : plans.data.plans.length === 0 ? (
        <p className="muted">No plans in this project.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Plan</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {plans.data.plans.map((p) => (
              <tr key={p.plan_id}>
                <th scope="row">
                  <a href={`#/plans/${encodeURIComponent(project)}/${encodeURIComponent(p.plan_id)}`}>
                    {p.title}
                  </a>
                </th>
                <td>{p.status}</td>
                <td>
                  <progress
                    max={Math.max(1, p.progress.total)}
                    value={p.progress.done}
                    aria-label={`${p.title} progress`}
                  />{' '}
                  {p.progress.done}/{p.progress.total}
                </td>
                <td>{p.updated_at ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function PlanDetail({ root, plan }: { root: string; plan: string }) {
  const detail = useLoad(
    ({ client }) => client.call('exec_plan/status', { project_root: root, plan }),
    [root, plan],
  );
  const data = detail.data;
  return (
    <article className="panel" aria-labelledby="plan-title">
      <ErrorMessage error={detail.error} />
      {data === null ? (
        !detail.error && <Loading what="the plan" />
      ) : (
        <>
          <h2 id="plan-title">{data.plan.title}</h2>
          <p className="muted">
            {data.plan.status} · <code>{data.path}</code> · {data.progress.done}/{data.progress.total} done
          </p>
          <p className="prose">{data.plan.purpose}</p>
          <h3>Milestones</h3>
          <ul>
            {data.plan.progress.map((milestone, index) => (
              <li key={index}>
                {milestone.done ? '☑' : '☐'} {milestone.description}
              </li>
            ))}
          </ul>
          <h3>Steps</h3>
          <ol>
            {data.plan.steps.map((step, index) => (
              <li key={index}>
                {step.done ? '☑' : '☐'} {step.description}
              </li>
            ))}
          </ol>
          {data.plan.decisions.length > 0 && (
            <>
              <h3>Decisions</h3>
              <ul>
                {data.plan.decisions.map((decision, index) => (
                  <li key={index}>
                    {decision.decision} <span className="muted">— {decision.rationale}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </article>
  );
}
