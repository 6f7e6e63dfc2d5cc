import { useState } from 'react';
import type { Draft, Project } from '@harness/protocol';
import { ErrorMessage, Facts, GradeBadge, Loading } from '../components/common.js';
import { useAction, useLoad, useProjects, useServices } from '../services.js';
import { formatCost } from '../state/format.js';

/** Grades over time, scans and their findings, and GC: its signals and drafts, adopt or reject. */
export function QualityView() {
  const [chosen, setChosen] = useState<string | null>(null);
  const { projects, project } = useProjects(chosen);
  const list = projects.data?.projects ?? [];
  return (
    <section aria-labelledby="quality-title">
      <h1 id="quality-title">Quality</h1>
      <ErrorMessage error={projects.error} />
      {projects.data === null ? (
        <Loading what="the projects" />
      ) : project === null ? (
        <p className="muted">Register a project to grade it.</p>
      ) : (
        <>
          <label htmlFor="quality-project">Project</label>
          <select
            id="quality-project"
            value={project.name}
            onChange={(event) => setChosen(event.target.value)}
          >
            {list.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
          <Grades project={project} />
          <Findings project={project.name} />
          <Gc project={project.name} />
        </>
      )}
    </section>
  );
}

function Grades({ project }: { project: Project }) {
  const { client } = useServices();
  const report = useLoad(
    async ({ client: c }) => {
      const [metrics, stats] = await Promise.all([
        c.call('metrics/query', { project: project.name }),
        c.call('stats/query', { project: project.name }),
      ]);
      return { metrics, stats };
    },
    [project.name],
  );
  const { run, busy, error } = useAction();
  const scan = async () => {
    if (await run(() => client.call('metrics/collect', { project_root: project.root }))) report.reload();
  };
  const data = report.data;
  return (
    <section className="panel" aria-labelledby="grade-title">
      <h2 id="grade-title">Grade</h2>
      <ErrorMessage error={report.error ?? error} />
      {data === null ? (
        <Loading what="the grade" />
      ) : (
        <>
          <Facts
            items={[
              ['Grade', <GradeBadge key="g" grade={data.metrics.quality.grade} />],
              ['Score', data.metrics.quality.score.toFixed(1)],
              ['Security', data.metrics.quality.dimensions.security.toFixed(0)],
              ['Stability', data.metrics.quality.dimensions.stability.toFixed(0)],
              ['Coverage', data.metrics.quality.dimensions.coverage.toFixed(0)],
              ['Performance', data.metrics.quality.dimensions.performance.toFixed(0)],
              ['Open violations', String(data.metrics.violations.count)],
              ['Last scan', data.metrics.violations.scanned_at ?? 'never'],
            ]}
          />
          <h3>Grade history</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Week from</th>
                <th scope="col">Events</th>
                <th scope="col">Pass rate</th>
                <th scope="col">Grade</th>
              </tr>
            </thead>
            <tbody>
              {data.stats.trends.map((trend) => (
                <tr key={trend.period_start}>
                  <td>{trend.period_start.slice(0, 10)}</td>
                  <td>{trend.total}</td>
                  <td>{(trend.pass_rate * 100).toFixed(0)}%</td>
                  <td>
                    <GradeBadge grade={trend.grade} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <button type="button" onClick={() => void scan()} disabled={busy}>
        Scan now
      </button>
    </section>
  );
}

function Findings({ project }: { project: string }) {
  const findings = useLoad(
    ({ client }) =>
      client.call('event/query', { kind: ['rule.scan', 'rule.finding'], project, order: 'desc', limit: 100 }),
    [project],
  );
  return (
    <section className="panel" aria-labelledby="findings-title">
      <h2 id="findings-title">Scans and findings</h2>
      <ErrorMessage error={findings.error} />
      {findings.data === null ? (
        <Loading what="the findings" />
      ) : findings.data.events.length === 0 ? (
        <p className="muted">No scan yet.</p>
      ) : (
        <ul>
          {findings.data.events.map((event) => {
            const data = (event.data ?? {}) as Record<string, unknown>;
            const text = (key: string) =>
              typeof data[key] === 'string' || typeof data[key] === 'number' ? String(data[key]) : '';
            return event.kind === 'rule.scan' ? (
              <li key={event.seq} className="scan">
                Scan <time dateTime={event.ts}>{event.ts.replace('T', ' ').slice(0, 19)}</time>{' '}
                <span className="muted">{text('finding_count') || text('findings')} finding(s)</span>
              </li>
            ) : (
              <li key={event.seq}>
                <span className={`severity severity-${text('severity')}`}>{text('severity')}</span>{' '}
                <code>{text('rule_id')}</code>{' '}
                <code>
                  {text('file')}
                  {text('line') ? `:${text('line')}` : ''}
                </code>{' '}
                {text('message')}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Gc({ project }: { project: string }) {
  const gc = useLoad(
    async ({ client }) => {
      const [status, drafts] = await Promise.all([
        client.call('gc/status', { project }),
        client.call('gc/drafts', { project, limit: 100 }),
      ]);
      return { status, drafts: drafts.drafts };
    },
    [project],
  );
  const data = gc.data;
  return (
    <section className="panel" aria-labelledby="gc-title">
      <h2 id="gc-title">Garbage collection</h2>
      <ErrorMessage error={gc.error} />
      {data === null ? (
        <Loading what="GC" />
      ) : (
        <>
          <Facts
            items={[
              ['Running', data.status.running ? (data.status.progress?.message ?? 'yes') : 'no'],
              [
                'Last run',
                data.status.last_run
                  ? `${data.status.last_run.finished_at ?? 'running'} (${data.status.last_run.signals} signals)`
                  : 'never',
              ],
              ['Next run', data.status.next_run_at ?? '—'],
              [
                'Budget left',
                `${formatCost(data.status.budget.remaining_usd)} of ${formatCost(data.status.budget.total_usd)}`,
              ],
            ]}
          />
          <h3>Drafts</h3>
          {data.drafts.length === 0 ? (
            <p className="muted">No drafts.</p>
          ) : (
            data.drafts.map((draft) => <DraftCard key={draft.id} draft={draft} onDecided={gc.reload} />)
          )}
        </>
      )}
    </section>
  );
}

function DraftCard({ draft, onDecided }: { draft: Draft; onDecided: () => void }) {
  const { client } = useServices();
  const { run, busy, error } = useAction();
  const [reason, setReason] = useState('');
  const pending = draft.status === 'pending';
  const adopt = async () => {
    if (await run(() => client.call('gc/adopt', { draft_id: draft.id }))) onDecided();
  };
  const reject = async () => {
    const why = reason.trim() || 'rejected from the dashboard';
    if (await run(() => client.call('gc/reject', { draft_id: draft.id, reason: why }))) onDecided();
  };
  const replay = draft.replay;
  return (
    <article data-testid="draft" data-draft-id={draft.id} data-status={draft.status} className="card">
      <h4>
        {draft.signal.summary} <span className="tag">{draft.status}</span>
      </h4>
      <p className="muted">
        Signal {draft.signal.type} (strength {draft.signal.strength} of {draft.signal.threshold}), drafted by{' '}
        {draft.agent} for {formatCost(draft.cost_usd)}
      </p>
      <p className="prose">{draft.rationale}</p>
      {draft.artifacts.map((artifact) => (
        <details key={artifact.path}>
          <summary>
            <code>{artifact.path}</code> ({artifact.kind}, {artifact.format})
          </summary>
          <pre>{artifact.content}</pre>
        </details>
      ))}
      <h5>Replay report</h5>
      {replay === null ? (
        <p className="muted">Not replayed.</p>
      ) : (
        <ul>
          <li>
            On the current tree: {replay.tree.findings} finding(s) in {replay.tree.files} file(s)
          </li>
          <li>
            On history: {replay.history.commands_blocked} of {replay.history.commands_checked} past commands
            would have been held or blocked; {replay.history.findings_explained} past finding(s) explained
          </li>
          {replay.skipped.map((skip) => (
            <li key={skip.path}>
              Not tried: <code>{skip.path}</code> — {skip.reason}
            </li>
          ))}
        </ul>
      )}
      {pending && (
        <div className="actions">
          <button type="button" className="primary" onClick={() => void adopt()} disabled={busy}>
            Adopt
          </button>
          <label htmlFor={`reason-${draft.id}`} className="visually-hidden">
            Reason for rejecting
          </label>
          <input
            id={`reason-${draft.id}`}
            placeholder="Reason for rejecting"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <button type="button" className="danger" onClick={() => void reject()} disabled={busy}>
            Reject
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
    </article>
  );
}
