import { lstatSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Artifact } from '@harness/protocol';
import { ErrorCodes, HarnessError, type ProcessRunner } from '../../core/index.js';

/**
 * Where an adopted draft may write: a path relative to the project root that stays inside it once
 * every symlink on the way is resolved, with no `.git` component and no symlink at its end. Every
 * artifact is checked (and every diff dry-run) before the first byte is written, so a hostile
 * draft is refused whole and leaves the tree untouched.
 */

export interface ArtifactTarget {
  artifact: Artifact;
  /** The absolute path the artifact writes (or patches). */
  absolute: string;
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The nearest ancestor of `target` (itself included) that exists. */
function nearestExisting(target: string): string {
  let current = target;
  for (;;) {
    try {
      lstatSync(current);
      return current;
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/** Why `file` may not be written under `realRoot`, or null when it may. */
export function pathProblem(realRoot: string, file: string): string | null {
  if (file === '' || file.includes('\0')) return 'empty or holds a NUL byte';
  if (path.isAbsolute(file) || path.win32.isAbsolute(file))
    return 'is absolute (give a path relative to the project root)';
  const parts = file.split(/[\\/]+/);
  if (parts.includes('..')) return 'climbs out with ".."';
  if (parts.some((part) => part.toLowerCase() === '.git')) return 'is inside .git';
  const absolute = path.resolve(realRoot, file);
  if (!isInside(realRoot, absolute) || absolute === realRoot) return 'is not a file inside the project root';
  const existing = nearestExisting(absolute);
  if (existing === absolute) {
    const stat = lstatSync(absolute);
    if (stat.isSymbolicLink()) return 'is a symlink';
    if (!stat.isFile()) return 'exists and is not a regular file';
  }
  const real = realpathSync(existing);
  if (!isInside(realRoot, real))
    return `resolves outside the project root (through ${path.relative(realRoot, existing) || '.'} → ${real})`;
  if (
    path
      .relative(realRoot, real)
      .split(path.sep)
      .some((p) => p.toLowerCase() === '.git')
  ) {
    return 'resolves into .git';
  }
  return null;
}

/** Every path a unified diff names in its headers (`---`, `+++`, `diff --git`, renames). */
export function diffPaths(content: string): string[] {
  const found: string[] = [];
  for (const line of content.split('\n')) {
    const header = /^(?:--- |\+\+\+ |rename from |rename to |copy from |copy to )(.*)$/.exec(line);
    if (header !== null) {
      const name = (header[1] ?? '').split('\t')[0]?.trim() ?? '';
      if (name !== '/dev/null')
        found.push(line.startsWith('---') || line.startsWith('+++') ? strip(name) : name);
      continue;
    }
    const git = /^diff --git a\/(\S+) b\/(\S+)$/.exec(line);
    if (git !== null) found.push(git[1] ?? '', git[2] ?? '');
  }
  return found;
}

const strip = (name: string): string =>
  name.startsWith('a/') || name.startsWith('b/') ? name.slice(2) : name;

/** Checks every artifact's path (and every path its diff names); throws naming each refusal. */
export function checkArtifactPaths(root: string, artifacts: readonly Artifact[]): ArtifactTarget[] {
  const realRoot = realpathSync(root);
  const problems: string[] = [];
  const targets: ArtifactTarget[] = [];
  for (const artifact of artifacts) {
    const named =
      artifact.format === 'diff' ? [artifact.path, ...diffPaths(artifact.content)] : [artifact.path];
    for (const file of new Set(named)) {
      const problem = pathProblem(realRoot, file);
      if (problem !== null) problems.push(`${JSON.stringify(file)} ${problem}`);
      else if (file !== artifact.path) {
        problems.push(`${JSON.stringify(artifact.path)}: its diff also patches ${JSON.stringify(file)}`);
      }
    }
    targets.push({ artifact, absolute: path.resolve(realRoot, artifact.path) });
  }
  if (problems.length > 0) {
    throw new HarnessError(
      ErrorCodes.forbidden,
      `refused, nothing written: ${problems.join('; ')} (an artifact must be a file inside ${realRoot}, outside .git, reached without symlinks out)`,
      { data: { problems } },
    );
  }
  return targets;
}

async function gitApply(runner: ProcessRunner, root: string, patch: string, check: boolean): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-gc-'));
  try {
    const file = path.join(dir, 'draft.patch');
    writeFileSync(file, patch);
    const result = await runner.run('git', ['apply', ...(check ? ['--check'] : []), file], {
      cwd: root,
      timeoutMs: 30_000,
    });
    if (result.exitCode !== 0) {
      throw new HarnessError(
        ErrorCodes.conflict,
        `the draft's diff does not apply${check ? ' (nothing written)' : ''}: ${result.stderr.trim() || result.output.trim()}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a draft's artifacts under `root`: every path checked and every diff dry-run first
 * (`git apply --check`), then files written (guards executable) and diffs applied.
 */
export async function writeArtifacts(
  runner: ProcessRunner,
  root: string,
  artifacts: readonly Artifact[],
): Promise<string[]> {
  const targets = checkArtifactPaths(root, artifacts);
  const realRoot = realpathSync(root);
  for (const { artifact } of targets) {
    if (artifact.format === 'diff') await gitApply(runner, realRoot, artifact.content, true);
  }
  for (const { artifact, absolute } of targets) {
    if (artifact.format === 'diff') continue;
    await mkdir(path.dirname(absolute), { recursive: true });
    await writeFile(absolute, artifact.content);
    // A guard is run as a program by the scanner.
    if (artifact.kind === 'guard') await chmod(absolute, 0o755);
  }
  for (const { artifact } of targets) {
    if (artifact.format === 'diff') await gitApply(runner, realRoot, artifact.content, false);
  }
  return targets.map(({ artifact }) => artifact.path);
}
