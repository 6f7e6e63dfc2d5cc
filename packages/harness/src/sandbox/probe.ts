import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { ErrorCodes, HarnessError } from '../core/index.js';
import type { SandboxMode } from './spec.js';

export interface SandboxCapabilities {
  platform: NodeJS.Platform;
  is_root: boolean;
  /** Absolute path of a bubblewrap that was seen to work, else null. */
  bwrap_path: string | null;
  bwrap_version: string | null;
  /** Why bubblewrap is unusable (absent, or present but refused by the kernel), when it is. */
  bwrap_problem: string | null;
}

export const INSTALL_HINT =
  'install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora/RHEL: `dnf install bubblewrap`; ' +
  'Arch: `pacman -S bubblewrap`) and make sure unprivileged user namespaces are allowed, or opt out of ' +
  'sandboxing explicitly with `agents.sandbox_mode = "danger-full-access"` in the config (only inside an ' +
  'environment that is already isolated)';

export function findOnPath(binary: string, envPath: string | undefined = process.env.PATH): string | null {
  if (binary.includes('/')) return isExecutable(binary) ? path.resolve(binary) : null;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return null;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(file: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Looks for bubblewrap and checks that it can really create a sandbox on this host. */
export async function probeSandbox(
  envPath: string | undefined = process.env.PATH,
): Promise<SandboxCapabilities> {
  const base = {
    platform: process.platform,
    is_root: typeof process.geteuid === 'function' && process.geteuid() === 0,
  };
  if (process.platform !== 'linux') {
    return {
      ...base,
      bwrap_path: null,
      bwrap_version: null,
      bwrap_problem: `bubblewrap sandboxing needs Linux, not ${process.platform}`,
    };
  }
  const bwrap = findOnPath('bwrap', envPath);
  if (bwrap === null) {
    return { ...base, bwrap_path: null, bwrap_version: null, bwrap_problem: 'bwrap is not on PATH' };
  }
  const version = await run(bwrap, ['--version']);
  const trial = await run(bwrap, [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--unshare-pid',
    '--die-with-parent',
    'true',
  ]);
  if (!trial.ok) {
    const problem = `bwrap at ${bwrap} cannot create a sandbox here: ${trial.stderr.trim() || 'unknown error'}`;
    return {
      ...base,
      bwrap_path: null,
      bwrap_version: version.stdout.trim() || null,
      bwrap_problem: problem,
    };
  }
  return { ...base, bwrap_path: bwrap, bwrap_version: version.stdout.trim() || null, bwrap_problem: null };
}

/**
 * Refuses a mode this host cannot enforce. Nothing is ever downgraded: the caller gets an error
 * saying what to install instead of an agent that runs with more access than it was given.
 */
export function assertSandboxSupported(mode: SandboxMode, caps: SandboxCapabilities): void {
  if (mode === 'danger-full-access' || caps.bwrap_path !== null) return;
  throw new HarnessError(
    ErrorCodes.unavailable,
    `sandbox mode ${mode} cannot be enforced on this host (${caps.bwrap_problem ?? 'no sandbox tool'}): ${INSTALL_HINT}`,
    { data: { mode, problem: caps.bwrap_problem } },
  );
}
