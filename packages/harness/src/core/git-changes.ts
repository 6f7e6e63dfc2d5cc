/** What `git diff --name-status` calls a change; a rename or copy is listed under its new path. */
export type ChangeStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type_changed';

export interface ChangedFile {
  path: string;
  status: ChangeStatus;
  insertions: number;
  deletions: number;
  binary: boolean;
}

/** A diff against a base: every file changed, and the unified diff cut at a size. */
export interface Changes {
  files: ChangedFile[];
  /** The unified diff, at most the asked number of bytes, cut at a line end. */
  text: string;
  truncated: boolean;
}

const statusLetters: Record<string, ChangeStatus> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type_changed',
};

/** Parses `git diff --name-status -z`: path → status (a rename's or a copy's destination). */
export function parseNameStatus(text: string): Map<string, ChangeStatus> {
  const fields = text.split('\0');
  const statuses = new Map<string, ChangeStatus>();
  for (let i = 0; i < fields.length; i++) {
    const letter = (fields[i] ?? '').charAt(0);
    const status = statusLetters[letter];
    if (status === undefined) continue;
    const twoPaths = letter === 'R' || letter === 'C';
    const file = fields[i + (twoPaths ? 2 : 1)];
    i += twoPaths ? 2 : 1;
    if (file !== undefined) statuses.set(file, status);
  }
  return statuses;
}

/** The first `maxBytes` of a unified diff, cut after the last whole line that fits. */
export function cutDiff(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  const head = bytes.subarray(0, maxBytes);
  const lastNewline = head.lastIndexOf(0x0a);
  return { text: head.subarray(0, lastNewline + 1).toString('utf8'), truncated: true };
}
