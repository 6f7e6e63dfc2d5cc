import { useState } from 'react';
import { ErrorMessage, Loading } from '../components/common.js';
import { useLoad } from '../services.js';

/** The skills agents are given: the list (with uses and score), and one skill in full. */
export function SkillsView({ name }: { name: string | null }) {
  const [query, setQuery] = useState('');
  const skills = useLoad(({ client }) => client.call('skill/list', query ? { query } : {}), [query]);
  return (
    <section aria-labelledby="skills-title">
      <h1 id="skills-title">Skills</h1>
      <label htmlFor="skills-query">Search skills</label>
      <input
        id="skills-query"
        type="search"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
      />
      <ErrorMessage error={skills.error} />
      {skills.data === null ? (
        <Loading what="the skills" />
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Skill</th>
              <th scope="col">Scope</th>
              <th scope="col">Uses</th>
              <th scope="col">Score</th>
              <th scope="col">Description</th>
            </tr>
          </thead>
          <tbody>
            {skills.data.skills.map((skill) => (
              <tr key={`${skill.scope}/${skill.name}`}>
                <th scope="row">
                  <a
                    href={`#/skills/${encodeURIComponent(skill.name)}`}
                    aria-current={skill.name === name ? 'page' : undefined}
                  >
                    {skill.name}
                  </a>
                </th>
                <td>{skill.scope}</td>
                <td>{skill.uses}</td>
                <td>{skill.score === null ? '—' : skill.score.toFixed(2)}</td>
                <td>{skill.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {skills.data && skills.data.errors.length > 0 && (
        <ul className="error">
          {skills.data.errors.map((problem) => (
            <li key={problem.path}>
              <code>{problem.path}</code>: {problem.reason}
            </li>
          ))}
        </ul>
      )}
      {name !== null && <SkillDetail name={name} key={name} />}
    </section>
  );
}

function SkillDetail({ name }: { name: string }) {
  const skill = useLoad(({ client }) => client.call('skill/get', { name }), [name]);
  return (
    <article className="panel" aria-labelledby="skill-title">
      <h2 id="skill-title">{name}</h2>
      <ErrorMessage error={skill.error} />
      {skill.data === null ? (
        !skill.error && <Loading what="the skill" />
      ) : (
        <>
          <p>{skill.data.description}</p>
          <p className="muted">
            {skill.data.scope} · version {skill.data.version} · <code>{skill.data.path}</code>
          </p>
          {skill.data.trigger_patterns.length > 0 && (
            <p>Triggers: {skill.data.trigger_patterns.join(', ')}</p>
          )}
          <pre className="prose">{skill.data.body}</pre>
        </>
      )}
    </article>
  );
}
