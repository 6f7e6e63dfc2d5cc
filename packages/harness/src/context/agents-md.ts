import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The AGENTS.md cascade, assembled the way Codex assembles it (../shared/reference/conventions.md,
 * "Codex AGENTS.md"), so that every agent Harness drives gets the same instructions:
 *
 * 1. the global file: `AGENTS.override.md`, else `AGENTS.md`, in the global directory (`$CODEX_HOME`,
 *    else `~/.codex`);
 * 2. each directory from the repository root (the nearest ancestor holding `.git`, else the working
 *    directory alone) down to the working directory contributes its first file of
 *    `AGENTS.override.md`, `AGENTS.md`, then the configured fallback names;
 * 3. the project files are joined root-first and cut at `maxBytes`, so the deepest instructions are
 *    lost first. As in Codex the global file does not count against the cap. Whatever is cut is
 *    reported — never dropped silently.
 */
export interface AgentsMdSettings {
  /** Where the global file lives; none when null. */
  globalDir: string | null;
  /** Names tried after `AGENTS.override.md` and `AGENTS.md` in each directory. */
  fallbackFilenames: readonly string[];
  /** Cap on the project files' bytes (Codex's `project_doc_max_bytes`). */
  maxBytes: number;
}

export const defaultAgentsMdMaxBytes = 32_768;
export const agentsMdOverrideName = 'AGENTS.override.md';
export const agentsMdName = 'AGENTS.md';

export type AgentsMdScope = 'global' | 'project';

export interface AgentsMdFile {
  path: string;
  scope: AgentsMdScope;
  /** The file's size. */
  bytes: number;
  /** How many of those bytes are in the assembled text (less than `bytes` when the cap cut it). */
  included_bytes: number;
}

export interface AgentsMdCut {
  path: string;
  /** Bytes of this file left out by the cap. */
  cut_bytes: number;
  /** `partial`: its beginning is kept; `dropped`: none of it is. */
  kind: 'partial' | 'dropped';
}

export interface AgentsMdCascade {
  /** The repository root the walk started from (the working directory when there is no `.git`). */
  root: string;
  cwd: string;
  /** The instructions as an agent receives them; empty when no file applies. */
  text: string;
  /** Every file that applies, global first, then root-first. */
  files: AgentsMdFile[];
  /** What the cap cut, in cascade order; empty when everything fits. */
  cut: AgentsMdCut[];
  max_bytes: number;
}

/** The nearest ancestor of `cwd` (itself included) holding `.git`, Codex's project root marker. */
export function repositoryRootOf(cwd: string): string | null {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (exists(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The directories from `root` down to `cwd`, root first. */
function directoriesDown(root: string, cwd: string): string[] {
  const dirs: string[] = [];
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (dir === root || path.dirname(dir) === dir) return dirs;
  }
}

/** The file a directory contributes: the first candidate that is a regular file. */
export function instructionFileIn(dir: string, fallbackFilenames: readonly string[]): string | null {
  for (const name of [agentsMdOverrideName, agentsMdName, ...fallbackFilenames]) {
    const candidate = path.join(dir, name);
    if (isFile(candidate)) return candidate;
  }
  return null;
}

export function assembleAgentsMd(cwdInput: string, settings: AgentsMdSettings): AgentsMdCascade {
  const cwd = path.resolve(cwdInput);
  const root = repositoryRootOf(cwd) ?? cwd;
  const files: AgentsMdFile[] = [];
  const cut: AgentsMdCut[] = [];
  const parts: string[] = [];

  const globalFile = settings.globalDir === null ? null : instructionFileIn(settings.globalDir, []);
  if (globalFile !== null) {
    const content = readFileSync(globalFile);
    if (content.toString('utf8').trim() !== '') {
      files.push({
        path: globalFile,
        scope: 'global',
        bytes: content.length,
        included_bytes: content.length,
      });
      parts.push(content.toString('utf8'));
    }
  }

  let budget = settings.maxBytes;
  for (const dir of directoriesDown(root, cwd)) {
    const file = instructionFileIn(dir, settings.fallbackFilenames);
    if (file === null) continue;
    const content = readFileSync(file);
    if (content.toString('utf8').trim() === '') continue;
    const kept = utf8Prefix(content, budget);
    budget -= kept.length;
    files.push({ path: file, scope: 'project', bytes: content.length, included_bytes: kept.length });
    if (kept.length < content.length) {
      cut.push({
        path: file,
        cut_bytes: content.length - kept.length,
        kind: kept.length === 0 ? 'dropped' : 'partial',
      });
    }
    if (kept.length > 0) parts.push(kept.toString('utf8'));
  }
  return { root, cwd, text: parts.join('\n\n'), files, cut, max_bytes: settings.maxBytes };
}

/** At most `limit` bytes of `content`, never ending inside a UTF-8 character. */
function utf8Prefix(content: Buffer, limit: number): Buffer {
  if (content.length <= limit) return content;
  let end = Math.max(0, limit);
  // A continuation byte (10xxxxxx) at the cut means the character started before it: drop it whole.
  while (end > 0 && ((content[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return content.subarray(0, end);
}

/** One line per cut file, for logs and warnings: `AGENTS.md: 1200 bytes cut (partial)`. */
export function describeCuts(cascade: AgentsMdCascade): string {
  return cascade.cut
    .map((c) => `${path.relative(cascade.root, c.path) || c.path}: ${c.cut_bytes} bytes cut (${c.kind})`)
    .join('; ');
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * The settings from `[agents_md]` and the environment: the global directory is Codex's own
 * (`$CODEX_HOME`, else `~/.codex`), so one global file reaches every agent. There is no Harness-only
 * global file on purpose: a second place for the same instructions would drift from the first.
 */
export function agentsMdSettingsFrom(
  config: { fallback_filenames: readonly string[]; max_bytes: number },
  env: { CODEX_HOME?: string | undefined; HOME?: string | undefined },
): AgentsMdSettings {
  const codexHome = env.CODEX_HOME ?? (env.HOME === undefined ? null : path.join(env.HOME, '.codex'));
  return { globalDir: codexHome, fallbackFilenames: config.fallback_filenames, maxBytes: config.max_bytes };
}
