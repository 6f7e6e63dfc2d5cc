import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isWithin } from '../core/index.js';
import type { SandboxSpec } from './spec.js';

export interface BwrapOptions {
  bwrapPath: string;
  /** Absolute paths the process itself must write whatever the mode (an agent CLI's own HOME). */
  stateDirs?: string[];
  /** Keep the network even when the spec denies it (an agent CLI must reach its model endpoint). */
  shareNetwork?: boolean;
  /** Drop every capability; set when Harness runs as root, so root inside cannot remount binds. */
  dropCapabilities?: boolean;
  /**
   * Directories the program itself lives in (an agent CLI's install). The private /tmp would hide
   * one installed under /tmp (a checkout there), so those are shown again, read-only.
   */
  programDirs?: string[];
}

/**
 * The argv that runs `command` under bubblewrap for `spec`: the host read-only, a private /tmp,
 * the workspace (and writable roots) writable in `workspace-write` with protected paths re-bound
 * read-only, and a private pid namespace so that killing bwrap kills everything started inside.
 * `--die-with-parent` ties the sandbox to the thread that spawned bwrap (PR_SET_PDEATHSIG): callers
 * spawn bwrap itself, never through a shell or launcher that could outlive them, and Node spawns
 * from its main thread, so the sandbox dies with the server however the server dies.
 */
export function buildBwrapArgv(spec: SandboxSpec, command: string[], options: BwrapOptions): string[] {
  const args = ['--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts'];
  args.push('--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp');
  if (!spec.network && options.shareNetwork !== true) args.push('--unshare-net');
  if (options.dropCapabilities === true) args.push('--cap-drop', 'ALL');
  // Hidden before anything is bound again: a worktree inside the data directory is shown below.
  for (const hidden of spec.hidden_paths) args.push(...hideArgs(hidden));
  const reshow = (p: string): boolean => isUnderTmp(p) || spec.hidden_paths.some((h) => isWithin(h, p));
  // A linked worktree's git directory lives in the main repository: readable (git status, diff,
  // log work), never writable (no config, alias or hook can be planted there for Harness's git).
  for (const dir of linkedGitDirs(spec.workspace)) if (reshow(dir)) args.push('--ro-bind', dir, dir);
  if (spec.mode === 'workspace-write') {
    for (const root of [spec.workspace, ...spec.writable_roots]) args.push('--bind', root, root);
    for (const rel of spec.protected_paths) {
      const abs = path.resolve(spec.workspace, rel);
      if (existsSync(abs)) args.push('--ro-bind', abs, abs);
    }
  } else if (spec.mode === 'read-only' && reshow(spec.workspace)) {
    // The private /tmp (or a hidden data directory) would hide the workspace; show it again, read-only.
    args.push('--ro-bind', spec.workspace, spec.workspace);
  }
  for (const dir of options.programDirs ?? [])
    if (reshow(dir) && existsSync(dir)) args.push('--ro-bind', dir, dir);
  for (const dir of options.stateDirs ?? []) args.push('--bind', dir, dir);
  args.push('--chdir', spec.workspace);
  return [options.bwrapPath, ...args, '--', ...command];
}

/** The git directory and common directory a linked worktree's `.git` file points to, if any. */
export function linkedGitDirs(workspace: string): string[] {
  let pointer: string;
  try {
    pointer = readFileSync(path.join(workspace, '.git'), 'utf8');
  } catch {
    return []; // no `.git`, or a directory: the repository's own, inside the workspace
  }
  const gitDir = /^gitdir: (.+)$/m.exec(pointer)?.[1]?.trim();
  if (gitDir === undefined) return [];
  const dirs = [path.resolve(workspace, gitDir)];
  try {
    const common = readFileSync(path.join(dirs[0] as string, 'commondir'), 'utf8').trim();
    dirs.push(path.resolve(dirs[0] as string, common));
  } catch {
    // not a linked worktree (a submodule's gitdir has no commondir)
  }
  return dirs.filter((dir) => existsSync(dir));
}

/** An empty directory over a directory, an empty file over a file; nothing for what does not exist. */
function hideArgs(p: string): string[] {
  let stat;
  try {
    stat = statSync(p);
  } catch {
    return [];
  }
  return stat.isDirectory() ? ['--tmpfs', p] : ['--ro-bind', '/dev/null', p];
}

function isUnderTmp(p: string): boolean {
  const rel = path.relative('/tmp', p);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
}
