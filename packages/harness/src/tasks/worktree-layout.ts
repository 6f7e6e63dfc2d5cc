import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { ErrorCodes, HarnessError } from '../core/index.js';
import path from 'node:path';

/**
 * Where worktrees live: `<root>/<project key>/<task dir>`, with what Harness needs to know about
 * them kept beside them (not in the worktree, which belongs to the agent):
 * `<root>/<project key>/.project.json` names the repository, `.meta/<task dir>.json` the task.
 */
export const projectMarkerFile = '.project.json';
const metaDir = '.meta';

export interface ProjectMarker {
  repo: string;
}

export interface WorktreeMeta {
  task_id: string;
  branch: string;
  base_commit: string;
  remote: string;
  base_branch: string;
  created_at: string;
}

function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Safe as one path component, and distinct ids never share a directory (a hash marks any rewrite). */
export function taskDirName(taskId: string): string {
  const safe = taskId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  if (safe === taskId && !taskId.startsWith('.')) return safe;
  return `${safe.replace(/^\.+/, '_')}-${shortHash(taskId, 8)}`;
}

/** Readable (the repository's folder name) and unique (a hash of its real path). */
export function projectKey(repoRealPath: string): string {
  const base =
    path
      .basename(repoRealPath)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '_') || 'repo';
  return `${base.slice(0, 60)}-${shortHash(repoRealPath, 10)}`;
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** Write-then-rename, so a crash never leaves a half-written file for the next start-up to trip on. */
async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temp, file);
}

export const readProjectMarker = (projectDir: string): Promise<ProjectMarker | null> =>
  readJson<ProjectMarker>(path.join(projectDir, projectMarkerFile));

export const writeProjectMarker = (projectDir: string, marker: ProjectMarker): Promise<void> =>
  writeJson(path.join(projectDir, projectMarkerFile), marker);

const metaFile = (worktreePath: string): string =>
  path.join(path.dirname(worktreePath), metaDir, `${path.basename(worktreePath)}.json`);

export const readWorktreeMeta = (worktreePath: string): Promise<WorktreeMeta | null> =>
  readJson<WorktreeMeta>(metaFile(worktreePath));

export const writeWorktreeMeta = (worktreePath: string, meta: WorktreeMeta): Promise<void> =>
  writeJson(metaFile(worktreePath), meta);

export const removeWorktreeMeta = (worktreePath: string): Promise<void> =>
  rm(metaFile(worktreePath), { force: true });

export async function realDirectory(dir: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (error) {
    throw new HarnessError(ErrorCodes.notFound, `project root ${dir} does not exist`, { cause: error });
  }
}

/** A checkout git can use: the directory exists and has its `.git` link. */
export async function isCheckout(dir: string): Promise<boolean> {
  try {
    return (await stat(path.join(dir, '.git'))).isFile();
  } catch {
    return false;
  }
}

/** Subdirectories, skipping our own hidden bookkeeping (`.meta`). */
export async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => path.join(dir, e.name));
  } catch {
    return [];
  }
}
