import { memo } from 'react';
import type { TaskDiff } from '@harness/protocol';

/** Lines past this are not drawn (the whole diff is a download away with `Accept: text/x-diff`). */
const MAX_LINES = 4000;

/** A unified diff, each line a text node coloured by its first character. */
export const DiffView = memo(function DiffView({ diff }: { diff: TaskDiff | null }) {
  if (diff === null)
    return (
      <div data-testid="diff" className="muted">
        Loading the diff…
      </div>
    );
  const lines = diff.diff === '' ? [] : diff.diff.split('\n');
  return (
    <div data-testid="diff" className="diff">
      <p className="muted">
        {diff.source === 'none'
          ? 'No changes.'
          : `${diff.files.length} file(s) changed against ${diff.base?.slice(0, 12) ?? 'the base'}, read from the ${diff.source}.`}
        {diff.truncated && ' The diff was cut at 1 MiB.'}
      </p>
      {diff.files.length > 0 && (
        <ul className="diff-files">
          {diff.files.map((file) => (
            <li key={file.path}>
              <code>{file.path}</code> {file.status} <span className="add">+{file.additions}</span>{' '}
              <span className="del">−{file.deletions}</span>
            </li>
          ))}
        </ul>
      )}
      {lines.length > 0 && (
        <pre className="diff-text">
          {lines.slice(0, MAX_LINES).map((line, index) => (
            <span key={index} className={lineClass(line)}>
              {line}
              {'\n'}
            </span>
          ))}
        </pre>
      )}
      {lines.length > MAX_LINES && <p className="muted">{lines.length - MAX_LINES} more lines not shown.</p>}
    </div>
  );
});

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ')) return 'd-head';
  if (line.startsWith('@@')) return 'd-hunk';
  if (line.startsWith('+')) return 'd-add';
  if (line.startsWith('-')) return 'd-del';
  return 'd-ctx';
}
