/** Formatting for cards and tables: short, and the same everywhere. */

export function formatCost(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return '<$0.01';
  return `$${usd.toFixed(2)}`;
}

export function formatTokens(tokens: number): string {
  if (tokens < 1000) return String(tokens);
  if (tokens < 1_000_000) return `${(tokens / 1000).toFixed(tokens < 10_000 ? 1 : 0)}k`;
  return `${(tokens / 1_000_000).toFixed(1)}M`;
}

/** How long ago, in the largest unit that fits: `12s`, `5m`, `3h`, `2d`. */
export function formatAge(fromIso: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes} min ${seconds % 60} s`
    : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A task's title: its description, else the first line of its prompt, else its issue or PR. */
export function taskTitle(task: {
  description: string | null;
  prompt: string | null;
  issue: number | null;
  pr: number | null;
  id: string;
}): string {
  const text = task.description?.trim() || task.prompt?.trim().split('\n')[0]?.trim();
  if (text) return text.length > 140 ? `${text.slice(0, 139)}…` : text;
  if (task.issue !== null) return `Issue #${task.issue}`;
  if (task.pr !== null) return `Pull request #${task.pr}`;
  return task.id;
}
