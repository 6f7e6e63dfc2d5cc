import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Artifact } from '@harness/protocol';
import { describeError, isWithin, type ProcessRunner } from '../../core/index.js';

/**
 * What a draft's file would contain once adopted: a `file` artifact is its content, a `diff`
 * artifact is applied to the project's current file — in a temporary directory, never in the
 * project — with `git apply`. A diff that does not apply is a reason, not an exception.
 */
export type ResolvedContent = { ok: true; content: string } | { ok: false; reason: string };

const APPLY_TIMEOUT_MS = 20_000;

export async function resolveContent(
  artifact: Artifact,
  root: string,
  processes: ProcessRunner,
): Promise<ResolvedContent> {
  const target = path.resolve(root, artifact.path);
  if (!isWithin(root, target) || target === root)
    return { ok: false, reason: `${artifact.path}: path is outside the project root` };
  if (artifact.format === 'file') return { ok: true, content: artifact.content };
  // A symlink out of the project is not the project's file to patch (nor to read into a report).
  const real = await realpath(target).catch(() => null);
  if (real !== null && !isWithin(await realpath(root).catch(() => root), real))
    return { ok: false, reason: `${artifact.path}: the current file is a symlink out of the project` };
  const current = await readFile(target, 'utf8').catch(() => null);
  return applyDiff(artifact.path, current, artifact.content, processes);
}

/** Applies `diff` to `current` (null: the file does not exist yet) and returns the new content. */
export async function applyDiff(
  relPath: string,
  current: string | null,
  diff: string,
  processes: ProcessRunner,
): Promise<ResolvedContent> {
  const dir = await mkdtemp(path.join(tmpdir(), 'harness-replay-diff-'));
  try {
    const file = path.join(dir, 'tree', relPath);
    await mkdir(path.dirname(file), { recursive: true });
    if (current !== null) await writeFile(file, current);
    const patch = path.join(dir, 'draft.patch');
    await writeFile(patch, withHeaders(relPath, current === null, diff));
    const result = await processes.run('git', ['apply', '--unidiff-zero', '--whitespace=nowarn', patch], {
      cwd: path.join(dir, 'tree'),
      timeoutMs: APPLY_TIMEOUT_MS,
      // Outside any repository `git apply` behaves like patch(1); this keeps it from finding one above.
      env: { ...process.env, GIT_CEILING_DIRECTORIES: dir },
    });
    if (result.exitCode !== 0) {
      const why =
        result.stderr.trim().split('\n').slice(-3).join('; ') || `git apply exited ${result.exitCode}`;
      return { ok: false, reason: `${relPath}: the diff does not apply to the current file: ${why}` };
    }
    const content = await readFile(file, 'utf8').catch(() => null);
    if (content === null) return { ok: false, reason: `${relPath}: the diff deletes the file` };
    return { ok: true, content };
  } catch (error) {
    return { ok: false, reason: `${relPath}: the diff could not be applied: ${describeError(error)}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A diff given as bare hunks gets the `---`/`+++` lines `git apply` needs, naming the artifact's path. */
function withHeaders(relPath: string, created: boolean, diff: string): string {
  const text = diff.endsWith('\n') ? diff : `${diff}\n`;
  if (/^--- /m.test(text) && /^\+\+\+ /m.test(text)) return text;
  const from = created ? '/dev/null' : `a/${relPath}`;
  return `--- ${from}\n+++ b/${relPath}\n${text}`;
}
