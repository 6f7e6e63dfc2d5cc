import { memo } from 'react';
import type { TranscriptItem } from '../state/transcript.js';

/**
 * The agents' transcript as it streams. Everything an agent wrote is a React text node: a task
 * title, a message or a command's output can never become markup.
 */
export function Transcript({ items }: { items: readonly TranscriptItem[] }) {
  return (
    <ol data-testid="transcript" className="transcript" aria-live="polite" aria-relevant="additions">
      {items.length === 0 && <li className="muted">Nothing yet.</li>}
      {items.map((item) => (
        <Entry key={item.key} item={item} />
      ))}
    </ol>
  );
}

const Entry = memo(function Entry({ item }: { item: TranscriptItem }) {
  switch (item.type) {
    case 'turn':
      return (
        <li className="t-turn" data-kind="turn">
          {item.agent} started a turn
        </li>
      );
    case 'message':
      return (
        <li className="t-message" data-kind="message">
          <span className="t-label">message</span>
          <p className="prose">{item.text}</p>
        </li>
      );
    case 'reasoning':
      return (
        <li className="t-reasoning" data-kind="reasoning">
          <details>
            <summary>reasoning</summary>
            <p className="prose">{item.text}</p>
          </details>
        </li>
      );
    case 'tool':
      return (
        <li className="t-tool" data-kind="tool">
          <span className="t-label">tool</span> <code>{item.name}</code>
          {item.input && (
            <details>
              <summary>input</summary>
              <pre>{item.input}</pre>
            </details>
          )}
          {item.output !== null && (
            <details>
              <summary>{item.isError ? 'error' : 'output'}</summary>
              <pre>{item.output}</pre>
            </details>
          )}
        </li>
      );
    case 'command':
      return (
        <li className="t-command" data-kind="command" data-decision={item.decision ?? undefined}>
          <span className="t-label">command</span> <code>{item.command}</code>{' '}
          {item.decision && (
            <span className={`decision decision-${item.decision}`}>policy: {item.decision}</span>
          )}
          {item.reason && <span className="muted"> — {item.reason}</span>}
          {item.status !== null && (
            <span className="muted">
              {' '}
              ({item.status}
              {item.exitCode !== null ? `, exit ${item.exitCode}` : ''})
            </span>
          )}
          {item.output && (
            <details>
              <summary>output</summary>
              <pre>{item.output}</pre>
            </details>
          )}
        </li>
      );
    case 'notice':
      return (
        <li className={`t-notice ${item.level}`} data-kind="notice">
          <span className="t-label">{item.level}</span> {item.text}
        </li>
      );
  }
});
